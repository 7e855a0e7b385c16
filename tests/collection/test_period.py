"""A response dated outside its campaign's period is refused, on every path in."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.collection.models import Submission
from app.collection.paper import import_paper
from app.collection.service import CLOCK_SKEW, in_period
from app.core import messages
from app.core.clock import VIETNAM
from app.core.errors import Invalid
from app.questionnaires.catalog import Catalog
from tests.answers import body
from tests.collection.test_paper_import import form, sheet


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def campaign(session: Session) -> Campaign:
    return session.scalars(select(Campaign).where(Campaign.code == "C-2026")).one()


def shift_period(session: Session, starts: date, ends: date) -> None:
    c = campaign(session)
    c.starts_on, c.ends_on = starts, ends
    session.flush()


def test_the_period_is_vietnam_calendar_days_with_the_clock_skew() -> None:
    starts, ends = date(2026, 3, 1), date(2026, 3, 31)
    midnight_first = datetime.combine(starts, time(), VIETNAM)
    midnight_after = datetime.combine(date(2026, 4, 1), time(), VIETNAM)
    assert in_period(midnight_first, starts, ends)
    # 23:59 on 31 March in Hà Nội is 16:59 UTC: inside, whatever the offset written.
    assert in_period(datetime(2026, 3, 31, 16, 59, tzinfo=UTC), starts, ends)
    # A kiosk a few minutes fast or slow around midnight is not refused...
    assert in_period(midnight_first - CLOCK_SKEW + timedelta(seconds=1), starts, ends)
    assert in_period(midnight_after + CLOCK_SKEW - timedelta(seconds=1), starts, ends)
    # ...but a day out is.
    assert not in_period(midnight_first - timedelta(hours=2), starts, ends)
    assert not in_period(midnight_after + timedelta(hours=2), starts, ends)


def test_the_api_refuses_a_response_dated_before_the_period(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    today = datetime.now(VIETNAM).date()
    shift_period(session, today - timedelta(days=5), today + timedelta(days=5))
    early = datetime.combine(today - timedelta(days=9), time(10), VIETNAM)
    b = body(
        catalog,
        started_at=(early - timedelta(minutes=4)).isoformat(),
        submitted_at=early.isoformat(),
    )
    r = client.post("/api/v1/submissions", json=b)
    assert r.status_code == 422, r.text
    [problem] = r.json()["fields"]
    assert problem["loc"] == "submitted_at"
    assert problem["code"] == "period"
    starts = (today - timedelta(days=5)).isoformat()
    ends = (today + timedelta(days=5)).isoformat()
    assert problem["msg"] == f"is outside the period of campaign 'C-2026' ({starts} to {ends})"
    assert stored(session) == 0
    # Dated today it is taken.
    assert client.post("/api/v1/submissions", json=body(catalog)).status_code == 201


def test_a_batch_refuses_the_out_of_period_item_alone(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    today = datetime.now(VIETNAM).date()
    shift_period(session, today - timedelta(days=2), today + timedelta(days=30))
    old = datetime.combine(today - timedelta(days=40), time(9), VIETNAM).isoformat()
    items = [body(catalog), body(catalog, started_at=None, submitted_at=old), body(catalog)]
    r = client.post("/api/v1/submissions/batch", json={"submissions": items})
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 422, 201]
    assert results[1]["fields"][0]["loc"] == "submitted_at"
    assert results[1]["fields"][0]["code"] == "period"
    assert stored(session) == 2


def test_a_paper_import_names_each_line_dated_outside_the_period(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    shift_period(session, date(2026, 3, 1), date(2026, 3, 31))
    rows = [
        form(catalog, "001"),  # 2026-03-02
        {**form(catalog, "002"), "date": "2026-02-28"},
        {**form(catalog, "003"), "date": "2026-04-01"},
    ]
    with pytest.raises(Invalid) as exc:
        import_paper(session, catalog, "C-2026", sheet(catalog, rows), "forms.csv")
    got = {(f.loc, f.code) for f in exc.value.fields}
    assert got == {("line 3, column date", "period"), ("line 4, column date", "period")}
    vi = {f.loc: f for f in exc.value.fields}["line 3, column date"]
    assert vi.key == "outside_period"
    assert "01/03/2026 – 31/03/2026" in messages.text(vi.key, "vi", **vi.params)
    assert stored(session) == 0  # nothing partial


def test_a_counter_page_outside_the_period_says_so_in_both_languages(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    today = datetime.now(VIETNAM).date()
    # Open, but its period has not begun: the citizen is told when it starts.
    shift_period(session, today + timedelta(days=3), today + timedelta(days=30))
    vi = client.get("/s/k-1", params={"lang": "vi"})
    assert vi.status_code == 409
    assert "Khảo sát chưa bắt đầu" in vi.text
    assert (today + timedelta(days=3)).strftime("%d/%m/%Y") in vi.text
    # Open, but its period is over: it has ended, not "not open yet".
    shift_period(session, today - timedelta(days=30), today - timedelta(days=1))
    en = client.get("/s/k-1/form", params={"lang": "en"})
    assert en.status_code == 409
    assert "The survey has ended" in en.text
    vi = client.get("/s/k-1/form", params={"lang": "vi"})
    assert "Đợt khảo sát đã kết thúc" in vi.text
