"""Who may store a response, through which path: form tokens, kiosks, write keys.

A live response (finished within the last few minutes) is admitted as before,
under the per-device or per-counter rate limit. A queued one, replayed later
from an offline queue, must show where it came from, because its age exempts it
from that limit:

- a **form token**, issued when the form was served (the rate limit is on serving
  forms), bound to the counter and the issue time, signed with SECRET_KEY, and
  spent by one response only;
- the **device cookie of a kiosk enrolled at that counter**, replaying its own
  queue (its cached form page carries one token for many responses);
- a **write-scoped API key** covering the counter's unit, under its own limit.

Token format: ``v1.<id>.<counter id>.<issued, unix seconds>.<signature>`` where the
signature is HMAC-SHA-256 under SECRET_KEY over everything before it. The
signature rejects forgeries without a query; the `form_token` row makes issuance
countable and spending a conditional UPDATE that the database serialises.
"""

import base64
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.collection import kiosks
from app.collection.form_token import FormToken
from app.collection.models import Submission
from app.core.config import get_settings
from app.core.errors import Forbidden, TooManyRequests, Unauthorized
from app.units.models import Unit
from app.web import i18n

VERSION = "v1"
# A kiosk's clock may run a little behind the server's.
CLOCK_SKEW = timedelta(minutes=10)
MAX_TOKEN_LENGTH = 120


class TokenRequired(Forbidden):
    """A queued response came with no form token, kiosk cookie or write key."""

    kind = "token_required"


class TokenInvalid(Forbidden):
    """The form token is forged, expired, or was served for another counter."""

    kind = "token_invalid"


class TokenUsed(Forbidden):
    """The form token already admitted another response."""

    kind = "token_used"


class OutOfScope(Forbidden):
    """The write key's unit does not cover the counter."""

    kind = "out_of_scope"


@dataclass(frozen=True)
class WriteKey:
    id: int
    prefix: str
    unit_id: int | None


@dataclass(frozen=True)
class Submitter:
    """What a request shows about its origin, besides the body itself."""

    device_id: int | None = None
    device_counter_id: int | None = None
    key: WriteKey | None = None
    lang: str = i18n.DEFAULT_LANGUAGE
    # The process itself (tests, scripts calling the service): its own authority.
    internal: bool = False
    # The kiosk's device as found (its last queue report), so an unchanged report
    # need not be written again.
    device: kiosks.DeviceSeen | None = None


INTERNAL = Submitter(internal=True)


def submitter_for(
    session: Session, bearer: str | None, kiosk_token: str | None, lang: str
) -> Submitter:
    """What a request shows: a write key (Authorization: Bearer) and/or a kiosk cookie."""
    key = write_key(session, bearer, lang) if bearer is not None else None
    found = kiosks.device_ids(session, kiosk_token)
    if found is None:
        return Submitter(key=key, lang=lang)
    return Submitter(found.id, found.counter_id, key, lang, device=found)


def _sign(payload: str) -> str:
    key = get_settings().SECRET_KEY.encode()
    mac = hmac.new(key, b"form-token|" + payload.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac[:24]).decode().rstrip("=")


def issue(
    session: Session, counter_id: int, device_id: int | None, now: datetime | None = None
) -> str | None:
    """A token for one served form, or None past FORM_RATE_PER_MINUTE.

    Past the limit the form is still served, without a token: it works online
    (a live response needs none); only an offline replay of it would be refused.
    """
    now = now or datetime.now(UTC)
    limit = get_settings().FORM_RATE_PER_MINUTE
    if limit:
        who = (
            FormToken.device_id == device_id
            if device_id is not None
            else (FormToken.counter_id == counter_id) & FormToken.device_id.is_(None)
        )
        recent = session.scalar(
            select(func.count())
            .select_from(FormToken)
            .where(who, FormToken.issued_at > now - timedelta(minutes=1))
        )
        if (recent or 0) >= limit:
            return None
    token_id = secrets.token_urlsafe(16)
    session.add(FormToken(id=token_id, counter_id=counter_id, device_id=device_id, issued_at=now))
    session.flush()
    payload = f"{VERSION}.{token_id}.{counter_id}.{int(now.timestamp())}"
    return f"{payload}.{_sign(payload)}"


@dataclass(frozen=True)
class _Parsed:
    id: str
    counter_id: int
    issued_at: datetime


def _parse(token: str) -> _Parsed | None:
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    parts = token.split(".")
    if len(parts) != 5 or parts[0] != VERSION:
        return None
    payload, sig = ".".join(parts[:4]), parts[4]
    if not hmac.compare_digest(sig, _sign(payload)):
        return None
    _, token_id, counter, issued = parts[:4]
    if not (counter.isascii() and counter.isdigit() and issued.isascii() and issued.isdigit()):
        return None
    return _Parsed(token_id, int(counter), datetime.fromtimestamp(int(issued), UTC))


def _message(kind: str, lang: str, **values: object) -> str:
    return i18n.t(f"admit_{kind}", lang, **values)


def check_token(
    token: str,
    counter_id: int,
    submitted_at: datetime,
    now: datetime,
    lang: str,
) -> _Parsed:
    """The token's content if it is genuine, for this counter, and in date."""
    parsed = _parse(token)
    hours = get_settings().FORM_TOKEN_HOURS
    if (
        parsed is None
        or parsed.counter_id != counter_id
        or now - parsed.issued_at > timedelta(hours=hours)
        # A form cannot be finished before it was served.
        or submitted_at < parsed.issued_at - CLOCK_SKEW
    ):
        raise TokenInvalid(_message("token_invalid", lang, hours=hours))
    return parsed


def spend(session: Session, parsed: _Parsed, submission_id: uuid.UUID, now: datetime) -> bool:
    """Mark the token used by this response; False if another response used it.

    One UPDATE with the condition in its WHERE clause: on PostgreSQL a concurrent
    spender waits for the row lock and then finds the condition false; SQLite
    serialises writers. The same response sent again matches its own id.
    """
    result = session.execute(
        update(FormToken)
        .where(
            FormToken.id == parsed.id,
            or_(FormToken.submission_id.is_(None), FormToken.submission_id == submission_id),
        )
        .values(submission_id=submission_id, used_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _covers(session: Session, ancestor_id: int, unit_id: int) -> bool:
    paths = dict(
        session.execute(select(Unit.id, Unit.path).where(Unit.id.in_({ancestor_id, unit_id})))
        .tuples()
        .all()
    )
    return ancestor_id in paths and paths.get(unit_id, "").startswith(paths[ancestor_id])


def admit(
    session: Session,
    who: Submitter,
    *,
    submission_id: uuid.UUID,
    token: str | None,
    counter_id: int,
    unit_id: int,
    submitted_at: datetime,
    live: bool,
    now: datetime,
) -> str:
    """Decide whether this response may be stored; the path that admits it, or raise.

    Returns "key", "kiosk", "token" or "live". A write key is checked first (its
    scope is absolute: outside its unit it admits nothing); then a kiosk enrolled at
    this very counter; then, for queued responses, the form token. On the live path
    a token is spent when it is good and otherwise ignored: a live response needs
    none, and refusing one for a stale token would only lose a real answer.
    """
    if who.internal:
        return "internal"
    if who.key is not None:
        if who.key.unit_id is not None and not _covers(session, who.key.unit_id, unit_id):
            raise OutOfScope(_message("out_of_scope", who.lang))
        return "key"
    if who.device_id is not None and who.device_counter_id == counter_id:
        return "kiosk"
    if live:
        if token:
            try:
                parsed = check_token(token, counter_id, submitted_at, now, who.lang)
            except TokenInvalid:
                return "live"
            spend(session, parsed, submission_id, now)
        return "live"
    if not token:
        raise TokenRequired(_message("token_required", who.lang))
    parsed = check_token(token, counter_id, submitted_at, now, who.lang)
    if not spend(session, parsed, submission_id, now):
        raise TokenUsed(_message("token_used", who.lang))
    return "token"


def check_key_rate(session: Session, key: WriteKey, now: datetime, new: int, lang: str) -> None:
    """At most WRITE_KEY_RATE_PER_MINUTE responses a minute through one write key."""
    limit = get_settings().WRITE_KEY_RATE_PER_MINUTE
    if not limit:
        return
    recent = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.api_key_id == key.id, Submission.received_at > now - timedelta(minutes=1))
    )
    if (recent or 0) + new > limit:
        raise TooManyRequests(_message("key_rate", lang, limit=limit))


def write_key(session: Session, secret: str, lang: str) -> WriteKey:
    """The write-scoped key behind a bearer secret; 401 unknown, 403 read-only."""
    key = accounts.key_by_secret(session, secret)
    if key is None:
        raise Unauthorized(_message("key_unknown", lang))
    if key.scope != "write":
        raise Forbidden(_message("key_read_only", lang))
    return WriteKey(key.id, key.prefix, key.unit_id)
