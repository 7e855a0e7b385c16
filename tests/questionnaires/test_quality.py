"""Quality flags that need context (bursts per device, repeated dossiers) and rate limits."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.collection import admission, kiosks
from app.collection.models import Submission
from app.core.config import get_settings
from app.questionnaires.catalog import Catalog
from tests.answers import body


def _at(catalog: Catalog, when: datetime, **over: Any) -> dict[str, Any]:
    return body(
        catalog,
        started_at=(when - timedelta(minutes=3)).isoformat(),
        submitted_at=when.isoformat(),
        **over,
    )


def _flags(session: Session, b: dict[str, Any]) -> list[str]:
    row = session.get(Submission, uuid.UUID(b["id"]))
    assert row is not None
    session.refresh(row)
    # The test answers are all "4": straight-lining is set on every row, not asked here.
    return [f for f in row.quality_flags if f != "straight_lining"]


def _enrol(client: TestClient, session: Session, counter: str = "k-1") -> int:
    done = kiosks.enrol(session, counter, "Tablet 1")
    client.get("/kiosk/enrol", params={"token": done.token})
    return done.device.id


def test_responses_from_one_tablet_seconds_apart_are_flagged_as_a_burst(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    device = _enrol(client, session)
    first = _at(catalog, now - timedelta(minutes=10))
    second = _at(catalog, now - timedelta(minutes=10) + timedelta(seconds=5))
    later = _at(catalog, now - timedelta(minutes=2))
    for b in (first, second, later):
        assert client.post("/api/v1/submissions", json=b).status_code == 201
    assert [_flags(session, b) for b in (first, second, later)] == [[], ["burst"], []]
    row = session.get(Submission, uuid.UUID(first["id"]))
    assert row is not None
    assert row.device_id == device
    # A queue replayed in one batch is judged the same way.
    q1, q2 = (
        _at(catalog, now - timedelta(hours=2)),
        _at(catalog, now - timedelta(hours=2, seconds=-3)),
    )
    client.post("/api/v1/submissions/batch", json={"submissions": [q1, q2]})
    assert [_flags(session, q1), _flags(session, q2)] == [[], ["burst"]]


def test_phones_without_a_tablet_are_never_a_burst(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    a, b = _at(catalog, now), _at(catalog, now + timedelta(seconds=1))
    client.post("/api/v1/submissions", json=a)
    client.post("/api/v1/submissions", json=b)
    assert _flags(session, b) == []


def test_a_dossier_answered_twice_is_flagged_and_its_code_never_stored(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    a = _at(catalog, now - timedelta(minutes=3), dossier="000.00.12.H58-261122-0001")
    b = _at(catalog, now, dossier=" 000.00.12.h58-261122-0001 ")
    c = _at(catalog, now, dossier="000.00.12.H58-261122-0002")
    for x in (a, b, c):
        assert client.post("/api/v1/submissions", json=x).status_code == 201
    assert [_flags(session, x) for x in (a, b, c)] == [[], ["repeated_dossier"], []]
    rows = session.scalars(select(Submission)).all()
    assert all("261122" not in str(vars(r)) for r in rows)
    assert len({r.dossier_hash for r in rows}) == 2
    too_long = client.post("/api/v1/submissions", json=_at(catalog, now, dossier="x" * 65))
    assert too_long.status_code == 422
    assert too_long.json()["fields"][0]["loc"] == "dossier"


def test_live_responses_are_rate_limited_per_counter_and_per_tablet(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    place: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "RATE_PER_MINUTE", 3)
    now = datetime.now(UTC)
    codes = [
        client.post("/api/v1/submissions", json=_at(catalog, now)).status_code for _ in range(4)
    ]
    assert codes == [201, 201, 201, 429]
    refused = client.post("/api/v1/submissions", json=_at(catalog, now))
    assert refused.json()["error"] == "rate_limited"
    assert refused.headers["Retry-After"] == "60"
    assert "this counter" in refused.json()["detail"]
    # An offline queue from an hour ago, with its form's token, is not live traffic:
    # it goes in (without a token it is refused, see test_admission.py).
    counter = kiosks.get_counter(session, "k-1")
    token = admission.issue(session, counter.id, None, now - timedelta(hours=1, minutes=5))
    old = _at(catalog, now - timedelta(hours=1), form_token=token)
    assert client.post("/api/v1/submissions", json=old).status_code == 201
    # An enrolled tablet at the same counter has its own limit.
    _enrol(client, session)
    assert client.post("/api/v1/submissions", json=_at(catalog, now)).status_code == 201
    batch = client.post(
        "/api/v1/submissions/batch",
        json={"submissions": [_at(catalog, now + timedelta(seconds=i)) for i in range(3)]},
    )
    # The tablet has room for two more: those are stored, the third alone waits.
    assert batch.status_code == 200
    assert [r["status"] for r in batch.json()["results"]] == [201, 201, 429]
    assert batch.json()["results"][2]["error"] == "rate_limited"
    from_tablet = session.scalars(select(Submission.id).where(Submission.device_id.is_not(None)))
    assert len(from_tablet.all()) == 3


def test_a_tablets_live_responses_seconds_apart_are_a_burst_and_count_towards_its_limit(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    place: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The live path asks for the tablet's rate and its burst neighbours in one turn."""
    monkeypatch.setattr(get_settings(), "RATE_PER_MINUTE", 2)
    now = datetime.now(UTC)
    _enrol(client, session)
    first = _at(catalog, now - timedelta(seconds=40))
    second = _at(catalog, now - timedelta(seconds=30))  # 10 s later: nobody is that fast
    third = _at(catalog, now)
    codes = [client.post("/api/v1/submissions", json=b).status_code for b in (first, second)]
    assert codes == [201, 201]
    assert [_flags(session, b) for b in (first, second)] == [[], ["burst"]]
    refused = client.post("/api/v1/submissions", json=third)
    assert refused.status_code == 429
    assert refused.json()["error"] == "rate_limited"
    assert "this kiosk" in refused.json()["detail"]
