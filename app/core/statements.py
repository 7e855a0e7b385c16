"""Hot-path statements: built once, compiled once, run on the driver's own cursor.

A submission runs five small statements (kiosk, place, rate, insert, quota). On
PostgreSQL, SQLAlchemy's execution of each (execution context, bind and result
processing set-up, result object) cost three to five times what psycopg itself
spends on it, and together more CPU than the rest of the request. A `Prepared`
statement is compiled for the dialect once; on PostgreSQL each run applies the
same bind and result processors SQLAlchemy would and hands the SQL to psycopg's
cursor on the request's own connection (same transaction). Errors become
SQLAlchemy's (so `unavailable()` still answers 503), and a lost connection is
invalidated as SQLAlchemy would. Other dialects (SQLite) go through SQLAlchemy.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import psycopg
from sqlalchemy import Connection, Executable, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


class _Compiled:
    def __init__(self, stmt: Executable, dialect: Dialect) -> None:
        compiled = cast(ClauseElement, stmt).compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        if compiled.positional or compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("a Prepared statement takes named, plain bind parameters only")
        self.compiled = compiled
        self.sql = compiled.string
        self.binds: dict[str, Any] = dict(compiled._bind_processors)
        # One processor per result column (None: the value as the driver gives it).
        self.results: list[Processor] = [
            col[3]._cached_result_processor(dialect, None) for col in compiled._result_columns
        ]

    def params(self, values: Mapping[str, Any]) -> dict[str, Any]:
        params = dict(self.compiled.construct_params(dict(values)))
        for key, process in self.binds.items():
            if process is not None and key in params and params[key] is not None:
                params[key] = process(params[key])
        return params

    def row(self, raw: Sequence[Any]) -> tuple[Any, ...]:
        if not any(self.results):
            return tuple(raw)
        return tuple(p(v) if p is not None else v for p, v in zip(self.results, raw, strict=True))


class Prepared:
    """A Core statement (select, or DML with RETURNING, or text with typed binds) for
    a hot path: `rows()` runs it on `conn` and returns its rows as plain tuples."""

    def __init__(self, stmt: Executable) -> None:
        self.stmt = stmt
        self._by_dialect: dict[str, _Compiled] = {}

    def _compiled(self, dialect: Dialect) -> _Compiled:
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = self._by_dialect[dialect.name] = _Compiled(self.stmt, dialect)
        return found

    def rows(self, conn: Connection, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Every row the statement returns (none for DML without RETURNING)."""
        dialect = conn.dialect
        if dialect.name != "postgresql":
            result = conn.execute(self.stmt, dict(values))
            return [tuple(r) for r in result] if result.returns_rows else []
        c = self._compiled(dialect)
        params = c.params(values)
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        try:
            with raw.cursor() as cur:
                cur.execute(c.sql, params)
                fetched = cur.fetchall() if cur.description is not None else []
        except psycopg.Error as error:
            raise _translated(conn, c.sql, params, error) from error
        return [c.row(r) for r in fetched]

    def first(self, conn: Connection, values: Mapping[str, Any]) -> tuple[Any, ...] | None:
        found = self.rows(conn, values)
        return found[0] if found else None


def _translated(
    conn: Connection, sql: str, params: Mapping[str, Any], error: psycopg.Error
) -> exc.DBAPIError:
    """The error as SQLAlchemy raises it; a lost connection is dropped from the pool."""
    dialect = conn.dialect
    lost = dialect.is_disconnect(error, conn.connection.dbapi_connection, None)  # type: ignore[arg-type]
    if lost:
        conn.invalidate(error)
    translated = exc.DBAPIError.instance(
        sql,
        dict(params),
        error,
        psycopg.Error,
        hide_parameters=True,
        dialect=dialect,
        connection_invalidated=lost,
    )
    assert isinstance(translated, exc.DBAPIError)
    return translated
