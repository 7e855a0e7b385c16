"""Accounts, sign-in sessions, API keys and the audit log.

Passwords are hashed with argon2id (argon2-cffi, the reference implementation's
bindings, with its RFC 9106 low-memory defaults). Session tokens and API keys are
long random strings, so a plain SHA-256 of them is enough at rest: unlike
passwords they cannot be guessed from a dictionary.
"""

import dataclasses
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from app.access.models import ROLES, Account, ApiKey, AuditEvent, LoginSession, PasswordReset
from app.core.config import get_settings
from app.core.errors import (
    Conflict,
    FieldError,
    Forbidden,
    Invalid,
    NotFound,
    TooManyRequests,
    Unauthorized,
)
from app.counts.models import UnitAncestor
from app.units.models import Unit

SESSION_HOURS = 12
MIN_PASSWORD = 10
KEY_PREFIX = "sipas_"
_hasher = PasswordHasher()
# Verified against when the login is unknown, so a wrong login costs as long as a
# wrong password and response times do not reveal which accounts exist.
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in account or an API key, with its role and subtree."""

    actor: str
    role: str
    unit_id: int | None  # None: the whole tree
    account_id: int | None = None  # None for an API key
    csrf_token: str | None = None

    @property
    def can_manage(self) -> bool:
        """May create and change campaigns and exclude responses."""
        return self.role in ("admin", "coordinator")

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_interviewer(self) -> bool:
        """Only fills forms in the villages of their unit: no dashboard, no reports."""
        return self.role == "interviewer"


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unit_id(session: Session, code: str | None) -> int | None:
    if not code:
        return None
    unit_id = session.scalar(select(Unit.id).where(Unit.code == code))
    if unit_id is None:
        raise Invalid.of("unit_unknown", [FieldError.of("unit", "unknown_unit")], code=code)
    return unit_id


def check_password(password: str) -> list[FieldError]:
    if len(password) < MIN_PASSWORD:
        return [FieldError.of("password", "password_short", "too_short", n=MIN_PASSWORD)]
    return []


def create_account(
    session: Session, login: str, name: str, password: str, role: str, unit: str | None = None
) -> Account:
    """Add an account; `unit` limits it to that unit's subtree (None: everything)."""
    login = login.strip().lower()
    problems: list[FieldError] = []
    if not login or len(login) > 120 or any(c.isspace() for c in login):
        problems.append(FieldError.of("login", "login_shape"))
    if not name.strip():
        problems.append(FieldError.of("name", "name_empty", "required"))
    if role not in ROLES:
        problems.append(FieldError.of("role", "role_one_of", "unknown", roles=", ".join(ROLES)))
    problems += check_password(password)
    if problems:
        raise Invalid.of("account_not_created", problems)
    if session.scalar(select(Account.id).where(Account.login == login)) is not None:
        raise Conflict.of("account_exists", login=login)
    account = Account(
        login=login,
        name=name.strip(),
        password_hash=_hasher.hash(password),
        role=role,
        unit_id=_unit_id(session, unit),
        created_at=datetime.now(UTC),
    )
    session.add(account)
    session.flush()
    return account


def authenticate(session: Session, login: str, password: str) -> Account:
    """The account for this login and password; one message for every failure."""
    account = session.scalar(select(Account).where(Account.login == login.strip().lower()))
    try:
        _hasher.verify(account.password_hash if account else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        account = None
    if account is None or account.disabled_at is not None:
        raise Unauthorized.of("login_wrong")
    if _hasher.check_needs_rehash(account.password_hash):
        account.password_hash = _hasher.hash(password)
    return account


LOCKOUT_FAILURES = 5
LOCKOUT_MINUTES = 15


# Failed sign-ins for logins that do not exist are kept at most this many per window
# in all: anonymous callers must not be able to grow the audit table without bound.
UNKNOWN_LOGIN_CAP = 1000


def login_key(session: Session, login: str) -> str:
    """What the audit log keeps of a typed login: the login itself if an account has
    it, otherwise a keyed hash (a password typed in the wrong field is never kept)."""
    if session.scalar(select(Account.id).where(Account.login == login)) is not None:
        return login
    digest = hmac.new(get_settings().SECRET_KEY.encode(), login.encode(), hashlib.sha256)
    return "unknown:" + digest.hexdigest()[:32]


def _one_at_a_time(session: Session, key: str) -> None:
    """Serialise sign-ins for one login until the transaction ends, so the count of
    failures and the new failure are one step (30 parallel guesses get 5 tries).

    PostgreSQL: a transaction-scoped advisory lock on the login. SQLite: every
    transaction already begins IMMEDIATE (app/core/db.py), so writers run one at a time.
    """
    if session.get_bind().dialect.name == "postgresql":
        lock = int.from_bytes(
            hashlib.sha256(b"sign-in:" + key.encode()).digest()[:8], "big", signed=True
        )
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock})


def _failures(session: Session, since: datetime, target: Any) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "account.sign_in_failed", target, AuditEvent.at > since)
        )
        or 0
    )


def sign_in(session: Session, login: str, password: str) -> Account:
    """`authenticate`, audited, and throttled per login: after LOCKOUT_FAILURES wrong
    passwords in LOCKOUT_MINUTES the login is refused until the window has passed.

    Per login rather than per IP address: a whole office signs in from one address,
    and a password guesser rotates addresses anyway. The failures are audit rows, so
    the throttle holds across processes without any extra store.
    """
    login = login.strip().lower()[:120]
    key = login_key(session, login)
    _one_at_a_time(session, key)
    since = datetime.now(UTC) - timedelta(minutes=LOCKOUT_MINUTES)
    refused = _failures(session, since, AuditEvent.target == key) >= LOCKOUT_FAILURES
    if not refused and key.startswith("unknown:"):
        refused = (
            _failures(session, since, AuditEvent.target.startswith("unknown:")) >= UNKNOWN_LOGIN_CAP
        )
    if refused:
        locked = TooManyRequests.of("login_locked", minutes=LOCKOUT_MINUTES)
        locked.retry_after = LOCKOUT_MINUTES * 60
        raise locked
    try:
        account = authenticate(session, login, password)
    except Unauthorized:
        audit(session, "anonymous", "account.sign_in_failed", key)
        raise
    audit(session, account.login, "account.sign_in", account.login)
    return account


def set_disabled(session: Session, account_id: int, disabled: bool) -> Account:
    """Disable an account (its sessions stop working at once) or enable it again."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound.of("account_missing", account_id=account_id)
    account.disabled_at = datetime.now(UTC) if disabled else None
    if disabled:
        session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    session.flush()
    return account


def change_password(session: Session, account_id: int, current: str, new: str) -> None:
    """Change one's own password; every session of the account ends (the caller
    opens a new one for the browser that made the change)."""
    account = session.get(Account, account_id)
    if account is None:
        raise NotFound.of("account_missing", account_id=account_id)
    try:
        _hasher.verify(account.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise Invalid.of(
            "current_password_wrong", [FieldError.of("current", "wrong_password")]
        ) from None
    problems = [dataclasses.replace(p, loc="new") for p in check_password(new)]
    if problems:
        raise Invalid.of("new_password_short", problems)
    account.password_hash = _hasher.hash(new)
    session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    session.flush()


def get_account(session: Session, login: str) -> Account:
    account = session.scalar(select(Account).where(Account.login == login.strip().lower()))
    if account is None:
        raise NotFound.of("account_login_missing", login=login)
    return account


def reset_password(session: Session, login: str, new: str) -> Account:
    """Set a new password without the old one (the command line's recovery path)."""
    account = get_account(session, login)
    problems = check_password(new)
    if problems:
        raise Invalid.of("new_password_short", problems)
    account.password_hash = _hasher.hash(new)
    session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    session.flush()
    return account


RESET_HOURS = 24


@dataclass(frozen=True)
class ResetLink:
    token: str  # shown once, in the link; only its SHA-256 is stored
    expires_at: datetime


def make_reset_link(session: Session, who: Principal, account_id: int) -> ResetLink:
    """A one-time link for a new password, made by an admin for an account in their
    area (audited). The old password stops working and every session of the account
    ends at once (the reset may be because someone else knows it); an earlier link
    not yet used stops working too."""
    account = session.get(Account, account_id)
    if account is None or not who.is_admin:
        raise NotFound.of("account_missing", account_id=account_id)
    if who.unit_id is not None and (
        account.unit_id is None or not in_scope(session, who, account.unit_id)
    ):
        raise Forbidden.of("account_outside")
    if account.id == who.account_id:
        raise Forbidden.of("reset_own_password")
    now = datetime.now(UTC)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.account_id == account.id, PasswordReset.used_at.is_(None))
        .values(expires_at=now)
    )
    token = secrets.token_urlsafe(32)
    link = ResetLink(token, now + timedelta(hours=RESET_HOURS))
    session.add(
        PasswordReset(
            account_id=account.id,
            token_hash=_sha(token),
            created_by=who.actor,
            created_at=now,
            expires_at=link.expires_at,
        )
    )
    account.password_hash = _hasher.hash(secrets.token_urlsafe(32))  # nobody knows it
    session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    audit(
        session,
        who.actor,
        "account.password_reset_link",
        account.login,
        {"expires_at": link.expires_at.isoformat(timespec="minutes")},
    )
    session.flush()
    return link


def reset_account(session: Session, token: str) -> Account | None:
    """The account a reset link is for, while the link works (unused, unexpired, the
    account enabled); None otherwise."""
    row = session.execute(
        select(PasswordReset, Account)
        .join(Account, Account.id == PasswordReset.account_id)
        .where(PasswordReset.token_hash == _sha(token))
    ).first()
    if row is None:
        return None
    reset, account = row
    if reset.used_at is not None or reset.expires_at <= datetime.now(UTC):
        return None
    return None if account.disabled_at is not None else account


def use_reset_link(session: Session, token: str, new: str) -> Account | None:
    """Set the password through a reset link, which then stops working (audited).
    None when the link does not work (any more); Invalid for a short password, and the
    link then still works."""
    account = reset_account(session, token)
    if account is None:
        return None
    problems = [dataclasses.replace(p, loc="new") for p in check_password(new)]
    if problems:
        raise Invalid.of("new_password_short", problems)
    now = datetime.now(UTC)
    # One statement claims the link, so two tabs posting at once cannot both use it.
    claimed = session.execute(
        update(PasswordReset)
        .where(
            PasswordReset.token_hash == _sha(token),
            PasswordReset.used_at.is_(None),
            PasswordReset.expires_at > now,
        )
        .values(used_at=now)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None
    account.password_hash = _hasher.hash(new)
    session.execute(delete(LoginSession).where(LoginSession.account_id == account.id))
    audit(session, account.login, "account.password_reset", account.login)
    session.flush()
    return account


def session_hours(role: str) -> int:
    """How long a sign-in lasts: an interviewer's the field day, others SESSION_HOURS."""
    return get_settings().INTERVIEWER_SESSION_HOURS if role == "interviewer" else SESSION_HOURS


def start_session(session: Session, account: Account) -> str:
    """Open a sign-in session; returns the token for the cookie (stored only hashed)."""
    now = datetime.now(UTC)
    # Sessions that ran out are removed here rather than by a scheduled job.
    session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        LoginSession(
            account_id=account.id,
            token_hash=_sha(token),
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + timedelta(hours=session_hours(account.role)),
        )
    )
    session.flush()
    return token


def end_session(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_hash == _sha(token)))
    session.flush()


def principal_for_session(session: Session, token: str) -> Principal | None:
    row = session.execute(
        select(LoginSession, Account)
        .join(Account, Account.id == LoginSession.account_id)
        .where(LoginSession.token_hash == _sha(token))
    ).first()
    if row is None:
        return None
    login, account = row
    if login.expires_at < datetime.now(UTC) or account.disabled_at is not None:
        return None
    return Principal(account.login, account.role, account.unit_id, account.id, login.csrf_token)


KEY_SCOPES = ("read", "write")


def create_api_key(
    session: Session, label: str, unit: str | None = None, scope: str = "read"
) -> tuple[ApiKey, str]:
    """A new key (read-only unless `scope` is "write"); returned once, never stored."""
    if scope not in KEY_SCOPES:
        raise Invalid.of("scope_read_write", [FieldError.of("scope", "read_or_write")])
    label = label.strip()
    if not label or len(label) > 100:
        raise Invalid.of("label_length", [FieldError.of("label", "chars_1_100")])
    secret = KEY_PREFIX + secrets.token_urlsafe(32)
    key = ApiKey(
        label=label,
        prefix=secret[len(KEY_PREFIX) : len(KEY_PREFIX) + 8],
        key_hash=_sha(secret),
        unit_id=_unit_id(session, unit),
        created_at=datetime.now(UTC),
        scope=scope,
    )
    session.add(key)
    session.flush()
    return key, secret


def key_by_secret(session: Session, secret: str) -> ApiKey | None:
    """The active key behind a secret, its last use noted (at most hourly)."""
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _sha(secret)))
    if key is None or key.revoked_at is not None:
        return None
    now = datetime.now(UTC)
    # Written at most hourly: a consumer polling every second must not turn every
    # read into a write.
    if key.last_used_at is None or now - key.last_used_at > timedelta(hours=1):
        key.last_used_at = now
    return key


def principal_for_key(session: Session, secret: str) -> Principal | None:
    key = key_by_secret(session, secret)
    if key is None:
        return None
    if key.scope != "read":
        # Least privilege: an integration that pushes ratings has no business
        # reading private campaigns with the same secret.
        raise Forbidden.of("write_key_only")
    return Principal(f"key:{key.prefix}", "viewer", key.unit_id)


def list_api_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.id)))


def revoke_api_key(session: Session, key_id: int) -> ApiKey:
    key = session.get(ApiKey, key_id)
    if key is None:
        raise NotFound.of("key_unknown", key_id=key_id)
    if key.revoked_at is None:
        key.revoked_at = datetime.now(UTC)
        session.flush()
    return key


def list_accounts(session: Session) -> list[Account]:
    return list(session.scalars(select(Account).order_by(Account.login)))


def audit(
    session: Session, actor: str, action: str, target: str, detail: dict[str, Any] | None = None
) -> None:
    """Record a coordinator action in the same transaction as the action itself."""
    session.add(
        AuditEvent(
            at=datetime.now(UTC), actor=actor, action=action, target=target, detail=detail or {}
        )
    )
    session.flush()


def audit_log(session: Session, limit: int = 200) -> list[AuditEvent]:
    return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)))


def in_scope(session: Session, who: Principal, unit_id: int) -> bool:
    """Is `unit_id` inside the principal's subtree?"""
    if who.unit_id is None:
        return True
    return (
        session.scalar(
            select(UnitAncestor.unit_id).where(
                UnitAncestor.ancestor_id == who.unit_id, UnitAncestor.unit_id == unit_id
            )
        )
        is not None
    )


def subtree_ids(session: Session, who: Principal) -> set[int] | None:
    """Every unit id the principal may see (None: all of them)."""
    if who.unit_id is None:
        return None
    return set(
        session.scalars(select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == who.unit_id))
    )
