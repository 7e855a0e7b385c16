"""POST /api/v1/submissions: idempotent, validated, nothing partial stored."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.campaigns.models import CampaignStatus, CounterCampaign
from app.collection import kiosks
from app.collection.models import Submission
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_campaign


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def fields(r: Any) -> dict[str, str]:
    return {f["loc"]: f["msg"] for f in r.json()["fields"]}


def test_new_then_identical_retry_then_conflict(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    b = body(catalog)
    first = client.post("/api/v1/submissions", json=b)
    assert first.status_code == 201, first.text
    receipt = first.json()
    assert receipt["id"] == b["id"]
    assert (receipt["campaign"], receipt["unit"]) == ("C-2026", "P-S01")
    again = client.post("/api/v1/submissions", json=b)
    assert again.status_code == 200
    assert again.json() == receipt
    # The same instant written with another UTC offset is the same body.
    shifted = dict(
        b,
        submitted_at=datetime.fromisoformat(b["submitted_at"])
        .astimezone(UTC)
        .astimezone(datetime.now().astimezone().tzinfo)
        .isoformat(),
    )
    assert client.post("/api/v1/submissions", json=shifted).status_code == 200
    changed = dict(b, answers=valid_answers(catalog, level=2))
    conflict = client.post("/api/v1/submissions", json=changed)
    assert conflict.status_code == 409
    assert conflict.json()["error"] == "conflict"
    assert stored(session) == 1
    assert client.get(f"/api/v1/submissions/{b['id']}").json() == receipt
    assert client.get(f"/api/v1/submissions/{uuid.uuid4()}").status_code == 404


def test_stored_row_records_timing_channel_and_answers(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    b = body(catalog, channel="web", answers=valid_answers(catalog, comment="", trips=None))
    assert client.post("/api/v1/submissions", json=b).status_code == 201
    row = session.get_one(Submission, uuid.UUID(b["id"]))
    assert row.channel == "web"
    assert row.unit_id == place["dept"].id
    assert row.started_at is not None
    assert (row.submitted_at - row.started_at).total_seconds() == pytest.approx(180, abs=1)
    assert "comment" not in row.answers  # empty text is "not answered"
    assert row.answers["info_channels"] == ["commune_authority", "internet"]


@pytest.mark.parametrize(
    ("answers", "loc", "msg"),
    [
        ({"XX9": 3}, "answers.XX9", "unknown question 'XX9' in sipas-2017 v1"),
        ({"TC1": 6}, "answers.TC1", "6 is not on the scale"),
        ({"TC1": "4"}, "answers.TC1", "'4' is not on the scale"),
        ({"TC1": True}, "answers.TC1", "True is not on the scale"),
        ({"TC2": None}, "answers.TC2", "an answer is required"),
        ({"timeliness": "sometimes"}, "answers.timeliness", "'sometimes' is not an option"),
        (
            {"late_notified": "yes"},
            "answers.late_notified",
            "must not be answered unless timeliness is late",
        ),
        ({"timeliness": "late"}, "answers.late_apology", "an answer is required"),
        (
            {"expectations": ["shorter_time", "facilities", "information", "other"]},
            "answers.expectations",
            "4 options chosen; at most 3 allowed",
        ),
        ({"info_channels": []}, "answers.info_channels", "an answer is required"),
        ({"info_channels": "internet"}, "answers.info_channels", "expected a list of option codes"),
        ({"comment": "x" * 1001}, "answers.comment", "1001 characters; at most 1000"),
    ],
)
def test_invalid_answers_are_named(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    place: dict[str, Any],
    answers: dict[str, Any],
    loc: str,
    msg: str,
) -> None:
    b = body(
        catalog,
        answers=valid_answers(catalog, **answers)
        if "XX9" not in answers
        else {**valid_answers(catalog), **answers},
    )
    r = client.post("/api/v1/submissions", json=b)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid"
    assert msg in fields(r)[loc]
    assert stored(session) == 0


def test_every_bad_field_is_listed_at_once(
    client: TestClient, catalog: Catalog, place: dict[str, Any]
) -> None:
    answers = valid_answers(catalog, TC1=9, HL=None, gender="robot")
    r = client.post("/api/v1/submissions", json=body(catalog, answers=answers))
    assert set(fields(r)) == {"answers.TC1", "answers.HL", "answers.gender"}


def test_campaign_counter_and_time_rules(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    cases = [
        (body(catalog, counter="nope"), "counter", "unknown counter 'nope'"),
        (
            body(catalog, counter="k-out"),
            "counter",
            "no open campaign with sipas-2017 v1 covers unit 'Q'",
        ),
        (
            body(catalog, campaign="C-2026", counter="k-out"),
            "counter",
            "outside the scope of campaign 'C-2026'",
        ),
        (body(catalog, campaign="NOPE"), "campaign", "unknown campaign 'NOPE'"),
        (body(catalog, version=3), "questionnaire", "unknown questionnaire sipas-2017 v3"),
        (
            body(
                catalog,
                started_at=(now + timedelta(hours=2)).isoformat(),
                submitted_at=(now + timedelta(hours=3)).isoformat(),
            ),
            "started_at",
            "is in the future",
        ),
        (
            body(
                catalog,
                started_at=now.isoformat(),
                submitted_at=(now - timedelta(minutes=5)).isoformat(),
            ),
            "started_at",
            "is after submitted_at",
        ),
    ]
    for b, loc, msg in cases:
        r = client.post("/api/v1/submissions", json=b)
        assert r.status_code == 422, (loc, r.text)
        assert msg in fields(r).get(loc, ""), (loc, r.json())
    assert stored(session) == 0


def test_closed_campaign_refuses(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    make_campaign(session, catalog, "C-OLD", [place["province"]], status=CampaignStatus.closed)
    r = client.post("/api/v1/submissions", json=body(catalog, campaign="C-OLD"))
    assert fields(r)["campaign"] == "campaign 'C-OLD' is closed, not open for responses"


def test_where_open_campaigns_overlap_a_counter_feeds_one_of_them_never_neither(
    client: TestClient, catalog: Catalog, session: Session, place: dict[str, Any]
) -> None:
    # Opened side by side without the overlap check (as before it existed).
    make_campaign(session, catalog, "C-DEPT", [place["dept"]])
    r = client.post("/api/v1/submissions", json=body(catalog))
    assert r.status_code == 201  # was 422 "ambiguous"
    assert r.json()["campaign"] == "C-2026"  # the one already collecting there
    ok = client.post("/api/v1/submissions", json=body(catalog, campaign="C-DEPT"))
    assert ok.json()["campaign"] == "C-DEPT"
    # The coordinator's choice for the counter decides for clients that name none.
    session.add(
        CounterCampaign(
            counter_id=kiosks.get_counter(session, "k-1").id,
            campaign_id=campaigns.get_campaign(session, "C-DEPT").id,
            assigned_at=datetime.now(UTC),
        )
    )
    session.flush()
    assert client.post("/api/v1/submissions", json=body(catalog)).json()["campaign"] == "C-DEPT"
    # The counter's page serves the same campaign's form.
    assert 'data-campaign="C-DEPT"' in client.get("/s/k-1/form").text


def test_malformed_bodies(client: TestClient, catalog: Catalog, place: dict[str, Any]) -> None:
    r = client.post(
        "/api/v1/submissions", json=body(catalog, id="not-a-uuid", channel="fax", extra=1)
    )
    assert r.status_code == 422
    assert {"id", "channel", "extra"} <= set(fields(r))
    naive = client.post(
        "/api/v1/submissions", json=body(catalog, submitted_at="2026-11-22T08:00:00")
    )
    assert "submitted_at" in fields(naive)
    r = client.post(
        "/api/v1/submissions", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["error"] == "invalid"


def test_oversized_body_is_413(
    client: TestClient, catalog: Catalog, session: Session, place: dict[str, Any]
) -> None:
    big = body(catalog, answers=valid_answers(catalog, comment="x" * 70_000))
    r = client.post("/api/v1/submissions", json=big)
    assert r.status_code == 413
    assert r.json()["error"] == "too_large"

    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"id": "' + b"x" * 40_000
        yield b"y" * 40_000 + b'"}'

    streamed = client.post(
        "/api/v1/submissions", content=chunks(), headers={"content-type": "application/json"}
    )
    assert streamed.status_code == 413
    assert stored(session) == 0


def test_speeding_and_straight_lining_are_flagged_not_rejected(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    fast = body(catalog, started_at=(now - timedelta(seconds=20)).isoformat())
    same = body(catalog)  # valid_answers() gives every criterion the same 4
    mixed = body(catalog, answers=valid_answers(catalog) | {"TC1": 5})
    for b in (fast, same, mixed):
        assert client.post("/api/v1/submissions", json=b).status_code == 201
    flags = {}
    for name, b in (("fast", fast), ("same", same), ("mixed", mixed)):
        row = session.get(Submission, uuid.UUID(b["id"]))
        assert row is not None
        flags[name] = row.quality_flags
    assert flags == {
        "fast": ["speeding", "straight_lining"],
        "same": ["straight_lining"],
        "mixed": [],
    }
