"""A database that is away or busy is a fast 503 with Retry-After, never a 500 or a hang."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from app.core.db import get_session, make_engine, session_factory
from app.questionnaires.catalog import Catalog
from tests import concurrency
from tests.answers import body


@pytest.fixture
def committed_place(engine: Any, catalog: Catalog) -> Iterator[str]:
    with concurrency.committed_place(engine, catalog) as tag:
        yield tag


def _client_on(engine: Engine) -> Iterator[TestClient]:
    from app.main import app

    def sessions() -> Iterator[Session]:
        with session_factory(engine)() as s:
            try:
                yield s
            except BaseException:
                s.rollback()
                raise
            else:
                s.commit()

    app.dependency_overrides[get_session] = sessions
    try:
        with TestClient(app, raise_server_exceptions=False) as c:
            yield c
    finally:
        app.dependency_overrides.clear()


@pytest.fixture
def client_without_database() -> Iterator[TestClient]:
    # A real driver failing to connect: nothing listens on port 1.
    dead = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none")
    yield from _client_on(dead)
    dead.dispose()


def test_api_answers_503_with_retry_after_when_the_database_is_down(
    client_without_database: TestClient, catalog: Catalog
) -> None:
    r = client_without_database.post("/api/v1/submissions", json=body(catalog))
    assert r.status_code == 503
    assert r.headers["Retry-After"].isdigit()
    assert r.json()["error"] == "busy"
    assert "try again" in r.json()["detail"]
    # Reads too: a dashboard polling the indices is told to come back, not "internal".
    r = client_without_database.get("/api/v1/campaigns/ANY/indices")
    assert r.status_code == 503
    assert "Retry-After" in r.headers


def test_respondent_page_says_try_again_in_vietnamese_and_english(
    client_without_database: TestClient,
) -> None:
    r = client_without_database.get("/s/some-counter")
    assert r.status_code == 503
    assert "Hệ thống đang bận" in r.text
    assert "chưa được gửi" in r.text
    assert "Retry-After" in r.headers
    r = client_without_database.get("/s/some-counter?lang=en")
    assert "The service is busy" in r.text


def test_healthz_answers_while_the_database_is_down(client_without_database: TestClient) -> None:
    assert client_without_database.get("/healthz").status_code == 200


def test_a_request_waiting_on_a_held_counter_lock_gives_up_with_503(
    engine: Engine, catalog: Catalog, committed_place: str
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks and lock_timeout are PostgreSQL's")
    url = engine.url.render_as_string(hide_password=False)
    impatient = make_engine(
        url, connect_args={"options": "-c lock_timeout=300 -c statement_timeout=5000"}
    )
    holder = engine.connect()
    try:
        # Another transaction holds the campaign's counter row, as a stuck request would.
        holder.execute(
            text(
                "SELECT 1 FROM campaign_unit cu JOIN campaign c ON c.id = cu.campaign_id "
                "WHERE c.code = :c FOR UPDATE"
            ),
            {"c": f"C-{committed_place}"},
        )
        for client in _client_on(impatient):
            start = time.monotonic()
            r = client.post(
                "/api/v1/submissions", json=body(catalog, counter=f"k-{committed_place}")
            )
            waited = time.monotonic() - start
            assert r.status_code == 503, r.text
            assert r.headers["Retry-After"].isdigit()
            assert waited < 3, waited
            assert client.get("/healthz").status_code == 200
        # Nothing of the refused response was kept.
        n = holder.execute(
            text(
                "SELECT count(*) FROM submission s JOIN campaign c ON c.id = s.campaign_id "
                "WHERE c.code = :c"
            ),
            {"c": f"C-{committed_place}"},
        ).scalar_one()
        assert n == 0
    finally:
        holder.rollback()
        holder.close()
        impatient.dispose()
