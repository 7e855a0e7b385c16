"""Pooled PostgreSQL connections: pinged only after sitting idle, replaced if dead.

Submissions check out a connection back in the pool moments ago; pinging it each
time (SQLAlchemy's pre-ping) was one more round trip per response. A connection
idle for longer is pinged first, so a restarted server costs no request anything.
"""

import pytest
from sqlalchemy import Engine, exc, text

from app.core import db
from app.core.db import make_engine, unavailable
from tests.dbutil import BACKEND

pytestmark = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL pool")


def _end_backend(engine: Engine, pid: int) -> None:
    # Another connection ends the pooled one's server process, as a restart would.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})


def _pooled_pid(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_that_died_while_idle_is_replaced_without_an_error(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        pid = _pooled_pid(pool)
        _end_backend(engine, pid)
        # Idle for longer than the threshold (here: any time at all).
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
        with pool.connect() as c:
            assert c.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        pool.dispose()


def test_a_connection_that_died_just_after_use_fails_one_request_as_busy(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        pid = _pooled_pid(pool)
        _end_backend(engine, pid)
        monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
        # Not pinged (it was used a moment ago): the request fails, as "try again" (503)...
        with pytest.raises(exc.OperationalError) as failed, pool.connect() as c:
            c.execute(text("SELECT 1"))
        busy = unavailable(failed.value)
        assert busy is not None
        assert busy.retry_after
        # ...and the pool has dropped the dead connection: the retry is served.
        with pool.connect() as c:
            assert c.execute(text("SELECT pg_backend_pid()")).scalar_one() != pid
    finally:
        pool.dispose()
