"""The request's session through the real `get_session` (no test override): a
submission route commits in its own thread, and what it acknowledges is stored."""

import asyncio
import uuid
from collections.abc import AsyncGenerator, Iterator
from typing import Any, cast

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.collection.models import Submission
from app.core.db import commit_in_route, get_session
from app.questionnaires.catalog import Catalog
from tests import concurrency
from tests.answers import body
from tests.factories import make_unit


@pytest.fixture
def committed_place(engine: Any, catalog: Catalog) -> Iterator[str]:
    with concurrency.committed_place(engine, catalog) as tag:
        yield tag


@pytest.fixture
def real_client() -> Iterator[TestClient]:
    """The app with its own sessions, as in production: every request commits."""
    from app.main import app

    app.dependency_overrides.clear()
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def _count(engine: Any, sid: str) -> int:
    with Session(engine) as s:
        n = s.scalar(
            select(func.count()).select_from(Submission).where(Submission.id == uuid.UUID(sid))
        )
    return int(n or 0)


def test_acknowledged_submission_is_committed_and_replay_gets_the_receipt(
    engine: Any, catalog: Catalog, committed_place: str, real_client: TestClient
) -> None:
    b = body(catalog, counter=f"k-{committed_place}")
    first = real_client.post("/api/v1/submissions", json=b)
    assert first.status_code == 201, first.text
    # Another connection sees it: the route committed before it answered.
    assert _count(engine, b["id"]) == 1
    again = real_client.post("/api/v1/submissions", json=b)
    assert again.status_code == 200
    assert again.json() == first.json()
    assert first.json()["unit"] == f"U-{committed_place}"
    assert first.headers["content-type"] == "application/json"


def test_refused_submission_stores_nothing(
    engine: Any, catalog: Catalog, committed_place: str, real_client: TestClient
) -> None:
    b = body(catalog, counter=f"k-{committed_place}")
    b["answers"]["TC1"] = 9
    r = real_client.post("/api/v1/submissions", json=b)
    assert r.status_code == 422
    assert any(f["loc"] == "answers.TC1" for f in r.json()["fields"])
    assert _count(engine, b["id"]) == 0


def test_batch_through_the_real_session_commits_every_stored_item(
    engine: Any, catalog: Catalog, committed_place: str, real_client: TestClient
) -> None:
    good = body(catalog, counter=f"k-{committed_place}")
    bad = body(catalog, counter=f"k-{committed_place}", channel="fax")
    r = real_client.post("/api/v1/submissions/batch", json={"submissions": [good, bad]})
    assert r.status_code == 200
    assert [x["status"] for x in r.json()["results"]] == [201, 422]
    assert _count(engine, good["id"]) == 1
    assert _count(engine, bad["id"]) == 0


def test_commit_in_route_leaves_a_session_it_did_not_open(session: Session) -> None:
    """A test's session (or any other) is committed by its owner, never by the route."""
    make_unit(session, "NOT-MINE")
    commit_in_route(session)
    assert session.in_transaction()


def test_get_session_rolls_back_on_error_and_skips_a_committed_session() -> None:
    async def run(fail: bool, commit: bool) -> Session:
        gen = cast(AsyncGenerator[Session, None], get_session(None))
        s = await gen.__anext__()
        s.connection()
        if commit:
            commit_in_route(s)
            assert not s.in_transaction()
        if fail:
            with pytest.raises(RuntimeError):
                await gen.athrow(RuntimeError("route failed"))
        else:
            with pytest.raises(StopAsyncIteration):
                await gen.__anext__()
        return s

    for fail, commit in ((False, True), (False, False), (True, False)):
        s = asyncio.run(run(fail, commit))
        # Closed either way: nothing left open, no connection held.
        assert not s.in_transaction()
        assert s.get_bind() is not None
