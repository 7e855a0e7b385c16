"""Database engine, declarative base and the one place that commits."""

import asyncio
import json
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any

import orjson
from fastapi import Depends
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator
from starlette.concurrency import run_in_threadpool

from app.core import metrics
from app.core.config import get_settings
from app.core.errors import Unavailable

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp stored in UTC on every backend.

    SQLite has no time zones; without this an aware value would come back naive
    and comparisons with aware values would fail.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime stored in a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def json_loads(data: str | bytes) -> Any:
    """Parse a stored JSON value: orjson, with the standard parser for what it refuses.

    Folds and filtered reports parse every response's answers (about 2 KB); orjson
    does it several times faster than `json.loads`. What is stored is option codes,
    small integers and text, which both read alike (orjson would read an integer
    past 64 bits as a float, but validation admits none).
    """
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return json.loads(data)


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`, with SQLite set up for foreign keys and concurrency, and
    every wait bounded by the settings (see `database_turn`)."""
    settings = get_settings()
    kwargs.setdefault("json_deserializer", json_loads)
    if url.startswith("sqlite"):
        # SQLite has one writer at a time; the busy timeout is its lock wait. It is
        # longer than PostgreSQL's lock_timeout because a writer waits for whole
        # transactions, not for one row, and the embedded default serves one office.
        busy = max(settings.DB_LOCK_TIMEOUT_SECONDS, 10.0)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": busy})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not the pysqlite driver, issue BEGIN: the driver's own
            # handling breaks SAVEPOINT, which batch submissions rely on.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            # WAL lets the kiosk endpoints write while a report reads.
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn: Any) -> None:
            # Take the write lock up front so concurrent writers queue on the busy
            # timeout instead of failing when a read lock cannot be upgraded.
            # AUTOCOMMIT connections (health probes, read-only reports) skip it.
            if conn.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # Not SQLAlchemy's pre-ping (a SELECT 1 on every checkout, one more round trip
    # per submission): only a connection idle for PING_AFTER_IDLE_SECONDS is pinged.
    kwargs.setdefault("pool_pre_ping", False)
    connect_args = postgres_timeouts()
    if not settings.DB_PREPARED_STATEMENTS:
        connect_args["prepare_threshold"] = None  # PgBouncer in transaction mode
    kwargs.setdefault("connect_args", connect_args)
    # The pool holds one connection per request that may use the database at once
    # (`database_turn` admits no more), plus a few for work outside requests.
    if "poolclass" not in kwargs:  # a NullPool (the readiness probe) takes none of these
        kwargs.setdefault("pool_size", settings.DB_POOL_SIZE)
        kwargs.setdefault("max_overflow", 4)
        kwargs.setdefault("pool_timeout", settings.DB_QUEUE_SECONDS)
    engine = create_engine(url, **kwargs)
    if not kwargs["pool_pre_ping"]:
        event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
        event.listen(engine, "checkin", _note_checkin)
        event.listen(engine, "connect", _note_checkin)  # just opened: alive
    return engine


# A connection back in the pool for less than this is handed out again unchecked:
# under load that is every checkout, and the server ending a connection within the
# second after its last use is rare. If it happens, that one request fails as the
# database being away (503 with Retry-After, the kiosk sends again) and the pool
# drops the connection. A connection idle for longer (a quiet night, a restarted
# server) is pinged first and silently replaced if dead, as pre-ping would.
PING_AFTER_IDLE_SECONDS = 1.0
_CHECKED_IN = "sipas_checked_in"


def _note_checkin(_dbapi_conn: Any, record: Any) -> None:
    record.info[_CHECKED_IN] = time.monotonic()


def _ping_if_idle(dialect: Dialect) -> Any:
    def check(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get(_CHECKED_IN)
        if returned is not None and time.monotonic() - returned < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as error:  # whatever the failure, this one is not usable
            # The pool discards the connection and checks out (or opens) another.
            raise exc.DisconnectionError(str(error)) from error

    return check


def postgres_timeouts() -> dict[str, Any]:
    """libpq connection options that bound every wait on the server.

    Without them a request waiting on a row lock waits for ever, and a transaction
    left open by a stuck request holds its locks for ever; with them the request
    fails fast and answers 503 with Retry-After. Long maintenance (VACUUM, bulk
    loads, migrations) lifts `statement_timeout` for its own connection.
    """
    s = get_settings()
    ms = lambda seconds: int(seconds * 1000)  # noqa: E731
    options = (
        f"-c lock_timeout={ms(s.DB_LOCK_TIMEOUT_SECONDS)}"
        f" -c statement_timeout={ms(s.DB_STATEMENT_TIMEOUT_SECONDS)}"
        # A backstop: nothing in the service leaves a transaction idle for minutes.
        f" -c idle_in_transaction_session_timeout={ms(max(600.0, s.DB_STATEMENT_TIMEOUT_SECONDS))}"
    )
    return {"connect_timeout": s.DB_CONNECT_TIMEOUT_SECONDS, "options": options}


def no_statement_timeout(conn: Any) -> None:
    """Lift the statement timeout for one connection's long maintenance work."""
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql("SET statement_timeout = 0")


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    engine = make_engine(get_settings().database_url)
    metrics.watch_pool(engine, get_settings().DB_POOL_SIZE)
    return engine


@lru_cache(maxsize=8)
def _factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """A (cached) session factory: building one per request costs event set-up."""
    return _factory(engine or get_engine())


class Busy(Unavailable):
    """The database did not answer in time: too many requests, or it is down."""

    kind = "busy"


# One gate per event loop (uvicorn runs one per worker process; tests start more).
_gates: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore]" = (
    weakref.WeakKeyDictionary()
)


async def database_turn() -> AsyncIterator[None]:
    """Wait, on the event loop and for a bounded time, for a turn at the database.

    Why: sync routes run in a pool of 40 threads, and FastAPI needs a free thread
    again after the route returns (to validate its response) before the session
    dependency commits. If every thread is taken by requests waiting on a lock or a
    pooled connection, the request that holds the lock never gets the thread it
    needs to commit, and the process wedges. Admitting at most DB_POOL_SIZE
    requests at a time keeps most threads free whatever the database does, so the
    holder always commits; the rest queue here without a thread and answer 503
    with Retry-After once DB_QUEUE_SECONDS pass.
    """
    settings = get_settings()
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates.setdefault(loop, asyncio.Semaphore(settings.DB_POOL_SIZE))
    try:
        await asyncio.wait_for(gate.acquire(), settings.DB_QUEUE_SECONDS)
    except TimeoutError:
        metrics.DB_QUEUE_TIMEOUTS.inc()
        busy = Busy.of("busy_queue")
        busy.retry_after = 2
        raise busy from None
    try:
        yield
    finally:
        gate.release()


# Set on a request's own session (get_session): the route may commit it itself.
_ROUTE_COMMITS = "sipas_route_commits"


async def get_session(
    _turn: Annotated[None, Depends(database_turn, scope="function")],
) -> AsyncIterator[Session]:
    """Request-scoped session: commit on success, roll back on any error.

    Declared with `scope="function"` in `SessionDep`, so the commit happens before
    the response is sent: a client never sees 201 for a row that failed to commit.
    It holds a turn at the database (`database_turn`) until it has committed.

    Opening a session does no I/O, so it happens on the event loop; the commit or
    rollback (I/O) goes to the thread pool, unless the route has already committed
    in its own thread (`commit_in_route`), which saves that second trip.
    """
    session = session_factory()()
    session.info[_ROUTE_COMMITS] = True
    try:
        yield session
    except BaseException:
        await run_in_threadpool(_end, session, False)
        raise
    else:
        if session.in_transaction():
            await run_in_threadpool(_end, session, True)
        else:
            session.close()


def _end(session: Session, commit: bool) -> None:
    with session:
        if commit:
            session.commit()
        else:
            session.rollback()


def commit_in_route(session: Session) -> None:
    """Commit the request's transaction now, in the route's own thread.

    For the hot write routes (submissions): `get_session` then finds nothing left to
    commit and answers without another trip to the thread pool. A session the route
    did not get from `get_session` (a test's, joined to its rolled-back transaction)
    is left for its owner to commit.
    """
    if session.info.get(_ROUTE_COMMITS):
        session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def unavailable(error: Exception) -> Busy | None:
    """The database error as a 503 when it means "not now" rather than a bug.

    Connection failures, lock and statement timeouts, a server shutting down and an
    exhausted pool are transient: the client should retry. Constraint violations
    and SQL errors are not, and stay what they are.
    """
    if isinstance(error, exc.TimeoutError):  # the connection pool
        busy = Busy.of("busy_pool")
        busy.retry_after = 2
        return busy
    if not isinstance(error, exc.DBAPIError):
        return None
    if isinstance(error, exc.OperationalError | exc.InterfaceError) or error.connection_invalidated:
        if "sqlite" in type(error.orig).__module__ and not _sqlite_transient(error):
            return None
        busy = Busy.of("busy_down")
        busy.retry_after = 5
        return busy
    return None


def _sqlite_transient(error: exc.DBAPIError) -> bool:
    message = str(error.orig).lower()
    return any(m in message for m in ("locked", "busy", "unable to open", "disk i/o"))


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """The same commit-or-rollback discipline for the CLI and scripts."""
    with session_factory(engine)() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()
