"""Reviewing flagged responses: exclude with a reason, restore, and what the indices count."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import AuditEvent
from app.campaigns.models import CampaignUnit
from app.collection.models import Submission
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_account, make_counter, make_unit
from tests.signin import sign_in

# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


def _speeding(catalog: Catalog, level: int) -> dict[str, Any]:
    now = datetime.now(UTC)
    return body(
        catalog,
        started_at=(now - timedelta(seconds=12)).isoformat(),
        submitted_at=now.isoformat(),
        answers=valid_answers(catalog, level=level),
    )


def _tc1(client: TestClient) -> tuple[float, int]:
    unit = client.get("/api/v1/campaigns/C-2026/indices").json()["units"][0]
    return unit["items"]["TC1"]["value"], unit["n"]


def _sipas(client: TestClient, **params: str) -> dict[str, Any]:
    unit = client.get("/api/v1/campaigns/C-2026/indices", params=params).json()["units"][0]
    return unit["sipas"]


def test_excluding_a_speeding_response_takes_it_out_of_the_indices_and_restore_puts_it_back(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    for _ in range(2):
        client.post("/api/v1/submissions", json=body(catalog, answers=valid_answers(catalog, 5)))
    fast = _speeding(catalog, level=1)
    assert client.post("/api/v1/submissions", json=fast).status_code == 201
    assert _tc1(client) == (
        pytest.approx(200 / 3, abs=1e-9),
        3,
    )  # two satisfied out of three, folded already

    make_account(session, "coord@p", "coordinator", place["province"])
    csrf = sign_in(client, "coord@p")
    listed = client.get("/api/v1/campaigns/C-2026/responses").json()
    assert listed["flag_counts"] == {"speeding": 1, "straight_lining": 3}
    speeding = [r for r in listed["responses"] if "speeding" in r["flags"]]
    assert [r["id"] for r in speeding] == [fast["id"]]
    assert speeding[0]["seconds"] == 12

    url = f"/api/v1/campaigns/C-2026/responses/{fast['id']}"
    no_reason = client.post(f"{url}/exclude", json={"reason": " "}, headers={"x-csrf-token": csrf})
    assert no_reason.status_code == 422
    assert _tc1(client) == (pytest.approx(200 / 3, abs=1e-9), 3)

    done = client.post(
        f"{url}/exclude", json={"reason": "12 seconds"}, headers={"x-csrf-token": csrf}
    )
    assert done.status_code == 200, done.text
    assert _tc1(client) == (100.0, 2)
    # Its composite moments were subtracted too: the SIPAS interval from the stored
    # sums is the one counted afresh from the remaining rows (a filter that keeps all).
    assert _sipas(client) == _sipas(client, date_from="2000-01-01")
    assert _sipas(client)["n"] == 2
    row = session.get(Submission, uuid.UUID(fast["id"]))
    assert row is not None
    session.refresh(row)
    assert (row.excluded_by, row.exclude_reason) == ("coord@p", "12 seconds")
    assert row.answers == fast["answers"]  # the stored response itself never changes
    collected = session.scalar(select(CampaignUnit.collected))
    assert collected == 2
    again = client.post(f"{url}/exclude", json={"reason": "x"}, headers={"x-csrf-token": csrf})
    assert again.status_code == 409

    back = client.post(f"{url}/restore", json={"reason": "checked"}, headers={"x-csrf-token": csrf})
    assert back.status_code == 200
    assert _tc1(client) == (pytest.approx(200 / 3, abs=1e-9), 3)
    actions = list(
        session.execute(select(AuditEvent.actor, AuditEvent.action, AuditEvent.target)).tuples()
    )
    target = f"C-2026/{fast['id']}"
    assert ("coord@p", "response.exclude", target) in actions
    assert ("coord@p", "response.restore", target) in actions


def test_filtered_indices_leave_excluded_responses_out_too(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    client.post("/api/v1/submissions", json=body(catalog, answers=valid_answers(catalog, 5)))
    fast = _speeding(catalog, level=1)
    client.post("/api/v1/submissions", json=fast)
    make_account(session, "c2@p", "coordinator", place["province"])
    csrf = sign_in(client, "c2@p")
    client.post(
        f"/api/v1/campaigns/C-2026/responses/{fast['id']}/exclude",
        json={"reason": "too fast"},
        headers={"x-csrf-token": csrf},
    )
    unit = client.get("/api/v1/campaigns/C-2026/indices?gender=female").json()["units"][0]
    assert (unit["n"], unit["items"]["TC1"]["value"]) == (1, 100.0)


def test_viewers_and_other_areas_cannot_exclude(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    b = _speeding(catalog, level=1)
    client.post("/api/v1/submissions", json=b)
    url = f"/api/v1/campaigns/C-2026/responses/{b['id']}/exclude"
    make_account(session, "viewer@p", "viewer", place["province"])
    csrf = sign_in(client, "viewer@p")
    r = client.post(url, json={"reason": "x"}, headers={"x-csrf-token": csrf})
    assert r.status_code == 403
    client.cookies.clear()
    other = make_unit(session, "P-S02", "department", place["province"])
    make_counter(session, "k-2", other)
    make_account(session, "other@p", "coordinator", other)
    csrf = sign_in(client, "other@p")
    r = client.post(url, json={"reason": "x"}, headers={"x-csrf-token": csrf})
    assert r.status_code in (403, 404)
    assert session.get(Submission, uuid.UUID(b["id"])).excluded_at is None  # type: ignore[union-attr]


def test_review_lists_page_and_filter_in_the_database(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    fast = [_speeding(catalog, level=3) for _ in range(3)]
    for b in fast:
        client.post("/api/v1/submissions", json=b)
    client.post("/api/v1/submissions", json=body(catalog, answers=valid_answers(catalog, 5)))
    make_account(session, "v@p", "viewer", place["province"])
    sign_in(client, "v@p")
    url = "/api/v1/campaigns/C-2026/responses"
    speeding = client.get(url, params={"state": "all", "flag": "speeding"}).json()
    assert speeding["total"] == 3
    assert {r["id"] for r in speeding["responses"]} == {b["id"] for b in fast}
    assert client.get(url, params={"state": "all"}).json()["total"] == 4
    bad = client.get(url, params={"flag": "%"})
    assert bad.status_code == 422
    assert "unknown flag" in bad.json()["detail"]
    page = client.get(
        "/dash/campaigns/C-2026/responses", params={"state": "all", "flag": "speeding"}
    )
    assert page.text.count('<tr id="r-') == 3
