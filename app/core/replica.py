"""Reads that may go to a streaming replica (DATABASE_REPLICA_URL).

Reports, exports and the dashboard's pages declare `ReadSessionDep` instead of
`SessionDep`. Without a replica it is the request's one session, unchanged. With one,
it is a `ReadSession` on the replica, except

- for a signed-in reader who wrote in the last REPLICA_STICKY_SECONDS (the
  `FreshAfterWrite` middleware marks them with a short-lived cookie), or a request
  sent with `Cache-Control: no-cache`: they read what they have just changed;
- while the replica replays more than REPLICA_MAX_LAG_SECONDS behind the primary;
- for REPLICA_RETRY_SECONDS after the replica failed to answer (it is down):
  reports are then served from the primary.

Work that must write (a report's fold and its stored snapshot) calls `use_primary`
first; any ORM flush or INSERT/UPDATE/DELETE goes to the primary regardless.
"""

import threading
import time
from collections.abc import Iterator
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request
from prometheus_client import Counter
from sqlalchemy import Engine, exc, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import get_settings
from app.core.db import SessionDep, get_engine, make_engine

FRESH_COOKIE = "sipas_fresh"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_REPLICA = "replica_engine"
_PRIMARY = "primary_engine"

READS = Counter(
    "sipas_replica_reads",
    "Requests that may read from the replica, by where they read: replica, or primary "
    "(reason: fresh after a write, lag, down, write: the request had to write).",
    ["source", "reason"],
)

# Raw lag: 0 when everything received is replayed (an idle primary sends nothing, so
# the last replay time alone would look old), else the age of the last replayed commit.
LAG_SQL = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN 0"
    " WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0"
    " ELSE coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END"
)


@lru_cache
def get_replica_engine() -> Engine | None:
    """The process-wide engine for the replica, or None when there is none."""
    url = get_settings().replica_url
    return make_engine(url) if url else None


class ReadSession(Session):
    """A session on the replica until `use_primary`; writes always on the primary."""

    def get_bind(self, mapper: Any = None, clause: Any = None, **kw: Any) -> Any:
        if self.info.get(_REPLICA) is None or self._flushing or isinstance(clause, UpdateBase):
            return self.info[_PRIMARY]
        return self.info[_REPLICA]


def on_replica(session: Session) -> bool:
    return session.info.get(_REPLICA) is not None


def use_primary(session: Session) -> None:
    """Send the rest of this session's work to the primary: it is about to write (a
    fold, a stored snapshot), which must start from the primary's rows, not a copy
    that may lag. The replica's read-only transaction ends; objects loaded from it
    reload from the primary when next touched. No-op on a primary session."""
    if on_replica(session):
        session.rollback()
        session.info[_REPLICA] = None
        READS.labels("primary", "write").inc()


class _Down:
    """When this process last saw the replica fail (monotonic seconds)."""

    def __init__(self) -> None:
        self.at = -1e9
        self.lock = threading.Lock()

    def mark(self) -> None:
        with self.lock:
            self.at = time.monotonic()

    def active(self) -> bool:
        return time.monotonic() - self.at < get_settings().REPLICA_RETRY_SECONDS


down = _Down()


def fresh(request: Request) -> bool:
    """Whether this reader must see their own recent writes (or asked for no cache)."""
    if "no-cache" in request.headers.get("cache-control", "").lower():
        return True
    try:
        until = float(request.cookies.get(FRESH_COOKIE, "0"))
    except ValueError:
        return False
    return until > time.time()


def read_session(replica: Engine, primary: Engine) -> ReadSession:
    """A session that reads from `replica` and writes to `primary`."""
    return ReadSession(info={_REPLICA: replica, _PRIMARY: primary}, expire_on_commit=False)


def _replica_session(replica: Engine) -> ReadSession | None:
    """A session on the replica if it answers in time and is close enough behind."""
    settings = get_settings()
    session = read_session(replica, get_engine())
    try:
        lag = 0.0 if replica.dialect.name != "postgresql" else session.execute(LAG_SQL).scalar()
    except exc.DBAPIError:
        session.close()
        down.mark()
        READS.labels("primary", "down").inc()
        return None
    if float(lag or 0) > settings.REPLICA_MAX_LAG_SECONDS:
        session.close()
        READS.labels("primary", "lag").inc()
        return None
    return session


def get_read_session(request: Request, primary: SessionDep) -> Iterator[Session]:
    """The request's session for reading reports: the replica's when it may serve."""
    replica = get_replica_engine()
    if replica is None:
        yield primary
        return
    if fresh(request) or down.active():
        READS.labels("primary", "fresh" if fresh(request) else "down").inc()
        yield primary
        return
    session = _replica_session(replica)
    if session is None:
        yield primary
        return
    READS.labels("replica", "").inc()
    with session:
        try:
            yield session
        except BaseException as error:
            if on_replica(session) and isinstance(error, exc.OperationalError | exc.InterfaceError):
                down.mark()  # it went away mid-request: the next ones use the primary
            session.rollback()
            raise
        else:
            session.commit()


ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


class FreshAfterWrite:
    """After a signed-in reader's successful write, their reads go to the primary
    for REPLICA_STICKY_SECONDS: a short-lived cookie says until when. Only with a
    replica, and only for requests with a sign-in session (a kiosk posting responses
    reads no reports)."""

    def __init__(self, app: ASGIApp, session_cookie: str) -> None:
        self.app = app
        self.marker = f"{session_cookie}=".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        settings = get_settings()
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or not settings.DATABASE_REPLICA_URL
            or not settings.REPLICA_STICKY_SECONDS
            or not any(n == b"cookie" and self.marker in v for n, v in scope["headers"])
        ):
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] < 400:
                seconds = settings.REPLICA_STICKY_SECONDS
                cookie = (
                    f"{FRESH_COOKIE}={time.time() + seconds:.0f}; Max-Age={seconds}; Path=/;"
                    " HttpOnly; SameSite=Lax" + ("; Secure" if settings.secure_cookies else "")
                )
                message = {
                    **message,
                    "headers": [*message.get("headers", []), (b"set-cookie", cookie.encode())],
                }
            await send(message)

        await self.app(scope, receive, sending)
