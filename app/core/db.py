"""Database engine, declarative base and the one place that commits."""

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from typing import Annotated, Any

import orjson
from fastapi import Depends
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from app.core.config import get_settings

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
    """An engine for `url`, with SQLite set up for foreign keys and concurrency."""
    kwargs.setdefault("json_deserializer", json_loads)
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
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
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured database."""
    return make_engine(get_settings().database_url)


@lru_cache(maxsize=8)
def _factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)


def session_factory(engine: Engine | None = None) -> sessionmaker[Session]:
    """A (cached) session factory: building one per request costs event set-up."""
    return _factory(engine or get_engine())


def get_session() -> Iterator[Session]:
    """Request-scoped session: commit on success, roll back on any error.

    Declared with `scope="function"` in `SessionDep`, so the commit happens before
    the response is sent: a client never sees 201 for a row that failed to commit.
    """
    with session_factory()() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        else:
            session.commit()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


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
