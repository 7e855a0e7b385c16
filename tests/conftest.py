"""Fixtures: a migrated database per test run, a rolled-back transaction per test.

`TEST_DATABASE_URL` (a PostgreSQL URL) runs the suite against a fresh database on
that server; without it the suite runs on a temporary SQLite file.
"""

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dbutil import BACKEND, fresh_database

_db = fresh_database()
TEST_URL = _db.__enter__()
os.environ["DATABASE_URL"] = TEST_URL
os.environ.setdefault("ENVIRONMENT", "test")
# Tests read reports right after submitting: exact reports, no freshness window
# (tests/counts/test_snapshots.py checks the window itself).
os.environ.setdefault("REPORT_MAX_STALE_SECONDS", "0")

from fastapi.testclient import TestClient  # noqa: E402
from sqlalchemy import Engine  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from app.core import migrate  # noqa: E402
from app.core.db import get_engine, get_session  # noqa: E402
from app.core.metrics import scrape_session  # noqa: E402
from app.counts import snapshots  # noqa: E402
from app.questionnaires.catalog import Catalog, get_catalog  # noqa: E402
from tests.factories import make_campaign, make_counter, make_unit, read_with_key  # noqa: E402

RESULTS = Path(__file__).resolve().parent.parent / "var"


def pytest_report_header() -> str:
    return f"database backend: {BACKEND}"


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    get_engine().dispose()
    _db.__exit__(None, None, None)
    # CI reads this to prove the PostgreSQL run happened and passed.
    RESULTS.mkdir(exist_ok=True)
    passed = session.testscollected - session.testsfailed
    (RESULTS / f"test-{BACKEND}.result").write_text(
        f"backend={BACKEND} collected={session.testscollected} failed={session.testsfailed} "
        f"passed_or_skipped={passed} exit={int(exitstatus)}\n"
    )


@pytest.fixture(scope="session")
def engine() -> Engine:
    migrate.upgrade(TEST_URL)
    return get_engine()


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return get_catalog()


@pytest.fixture(autouse=True)
def _fresh_report_memory() -> None:
    """Each test's transaction is rolled back and SQLite reuses the ids it freed, so
    a campaign of one test can have the id of another's: report copies a process
    keeps in memory (app/counts/snapshots.py) must not outlive the test."""
    snapshots.clear_memory()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test.

    Service code may commit: with `create_savepoint` a commit only releases a
    savepoint, so the outer rollback still undoes everything.
    """
    with engine.connect() as conn:
        outer = conn.begin()
        s = Session(bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False)
        try:
            yield s
        finally:
            s.close()
            outer.rollback()


@pytest.fixture
def client(session: Session) -> Iterator[TestClient]:
    """The HTTP client, using the test's session with the same commit discipline.

    Each request runs in its own savepoint, as each production request runs in its
    own transaction: a failed request undoes its own work, not the test's setup.
    """
    from app.main import app

    def override() -> Iterator[Session]:
        nested = session.begin_nested()
        try:
            yield session
        except BaseException:
            nested.rollback()
            raise
        else:
            nested.commit()

    app.dependency_overrides[get_session] = override
    app.dependency_overrides[scrape_session] = lambda: session
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c
    app.dependency_overrides.clear()


@pytest.fixture
def reader(request: pytest.FixtureRequest) -> str | None:
    """`client` reads the campaign API (GET /api/v1/campaigns/…) with a read-only API key
    of the whole tree: the live internal results of every campaign, published or not (a
    test of the figures, not of access). Other requests go as they were: a read key
    would be refused on submissions. A test without `client` writes nothing here (its
    threads may need the database to themselves)."""
    if "client" not in request.fixturenames:
        return None
    session = request.getfixturevalue("session")
    return read_with_key(session, request.getfixturevalue("client"), only_reads=True)


@pytest.fixture
def place(session: Session, catalog: Catalog) -> dict[str, Any]:
    """A province with a department counter `k-1`, an outside counter `k-out`, open campaign C-2026."""
    province = make_unit(session, "P")
    dept = make_unit(session, "P-S01", "department", province)
    outside = make_unit(session, "Q")
    make_counter(session, "k-1", dept)
    make_counter(session, "k-out", outside)
    make_campaign(session, catalog, "C-2026", [province])
    return {"province": province, "dept": dept}
