"""Throwaway databases for tests: a SQLite file, or a fresh PostgreSQL database."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from app.core.config import normalise_database_url

PG_URL = os.environ.get("TEST_DATABASE_URL", "")
BACKEND = "postgresql" if PG_URL else "sqlite"


@contextmanager
def fresh_database(
    pg_url: str = PG_URL, prefix: str = "sipas_test", keep: bool = False
) -> Iterator[str]:
    """Yield the URL of an empty database, removed afterwards (unless `keep`): a new
    database on the PostgreSQL server of `pg_url`, or a temporary SQLite file when it
    is empty."""
    if not pg_url:
        with tempfile.TemporaryDirectory(prefix="sipas-test-") as tmp:
            yield f"sqlite:///{tmp}/test.db"
        return
    base = make_url(normalise_database_url(pg_url))
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        if not keep:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
