"""Sign-in failures: what the audit log keeps of a typed login, and a throttle that
holds when the guesses arrive all at once (issue 13 §5)."""

import threading
import uuid
from typing import Any

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.models import Account, AuditEvent
from app.core.db import session_factory, session_scope
from app.core.errors import TooManyRequests, Unauthorized
from tests.factories import PASSWORD, make_account


def test_an_unknown_login_is_kept_only_as_a_keyed_hash(session: Session) -> None:
    make_account(session, "lan@p")
    typed = "MyS3cret-password-in-the-wrong-field"
    for login in ("lan@p", typed):
        try:
            accounts.sign_in(session, login, "wrong password!")
        except Unauthorized:
            pass
    targets = session.scalars(
        select(AuditEvent.target).where(AuditEvent.action == "account.sign_in_failed")
    ).all()
    assert targets[0] == "lan@p"
    assert targets[1].startswith("unknown:")
    assert typed.lower() not in str(targets)
    assert typed not in str(targets)
    # Keyed: the same typed text gives the same key (so it is throttled like any login).
    assert accounts.login_key(session, typed.lower()) == targets[1]


def test_unknown_logins_cannot_grow_the_audit_log_without_bound(
    session: Session, monkeypatch: Any
) -> None:
    monkeypatch.setattr(accounts, "UNKNOWN_LOGIN_CAP", 3)
    outcomes = []
    for i in range(5):
        try:
            accounts.sign_in(session, f"nobody-{i}@p", "wrong password!")
        except (Unauthorized, TooManyRequests) as exc:
            outcomes.append(type(exc).__name__)
    assert outcomes == ["Unauthorized"] * 3 + ["TooManyRequests"] * 2
    rows = session.scalars(
        select(AuditEvent.id).where(AuditEvent.action == "account.sign_in_failed")
    ).all()
    assert len(rows) == 3


def test_thirty_parallel_wrong_passwords_get_five_tries(engine: Engine) -> None:
    """Real threads, real transactions, the real database: the count of failures and
    the new failure must be one step, or parallel guesses all see "fewer than 5"."""
    login = f"race-{uuid.uuid4().hex[:8]}@p"
    with session_scope(engine) as s:
        make_account(s, login)
    barrier = threading.Barrier(30)
    outcomes: list[str] = []
    lock = threading.Lock()

    def guess(i: int) -> None:
        with session_factory(engine)() as s:
            barrier.wait()
            try:
                accounts.sign_in(s, login, f"wrong guess {i}")
            except (Unauthorized, TooManyRequests) as exc:
                # Returned, as the sign-in page does: the failure's audit row commits.
                s.commit()
                with lock:
                    outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(30)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert outcomes.count("Unauthorized") == accounts.LOCKOUT_FAILURES
        assert outcomes.count("TooManyRequests") == 30 - accounts.LOCKOUT_FAILURES
        with session_scope(engine) as s:
            try:
                accounts.sign_in(s, login, PASSWORD)
                raise AssertionError("the right password must be refused while locked")
            except TooManyRequests:
                pass
    finally:
        with session_scope(engine) as s:
            s.execute(delete(AuditEvent).where(AuditEvent.target == login))
            s.execute(delete(Account).where(Account.login == login))
