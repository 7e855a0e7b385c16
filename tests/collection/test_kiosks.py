"""Kiosks that never lose a response (issue 15 §9) and single-use enrolment (§10)."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign, CampaignStatus
from app.collection import kiosks
from app.collection.models import Submission
from app.core.config import get_settings
from app.questionnaires.catalog import Catalog
from app.units.models import KioskDevice
from tests.answers import body
from tests.factories import make_account
from tests.signin import sign_in

# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


def _at(catalog: Catalog, when: datetime, **over: Any) -> dict[str, Any]:
    return body(
        catalog,
        started_at=(when - timedelta(minutes=3)).isoformat(),
        submitted_at=when.isoformat(),
        campaign="C-2026",
        **over,
    )


def _enrolled(client: TestClient, session: Session, counter: str = "k-1") -> KioskDevice:
    done = kiosks.enrol(session, counter, "Tablet 1")
    assert client.get("/kiosk/enrol", params={"token": done.token}).status_code == 200
    return done.device


def _closed(session: Session, days_ago: float) -> Campaign:
    """C-2026 closed `days_ago` days ago."""
    c = campaigns.get_campaign(session, "C-2026")
    campaigns.set_status(session, c, CampaignStatus.closed)
    c.closed_at = datetime.now(UTC) - timedelta(days=days_ago)
    session.flush()
    return c


def _stored(session: Session, sid: str) -> Submission | None:
    return session.get(Submission, uuid.UUID(sid), populate_existing=True)


def test_a_queue_finished_before_the_close_is_accepted_within_the_grace_as_late_sync(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    _enrolled(client, session)
    c = _closed(session, days_ago=3)
    assert c.closed_at is not None
    # Finished the morning the campaign closed, while the tablet was offline.
    queued = [_at(catalog, c.closed_at - timedelta(hours=5, minutes=i)) for i in range(3)]
    r = client.post("/api/v1/submissions/batch", json={"submissions": queued})
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 201, 201], r.text
    assert all(x["receipt"]["late_sync"] for x in results)
    assert results[0]["receipt"]["campaign"] == "C-2026"
    row = _stored(session, queued[0]["id"])
    assert row is not None
    assert row.late_sync
    # Sent again (the acknowledgement was lost): the same receipt, nothing doubled.
    again = client.post("/api/v1/submissions", json=queued[0])
    assert again.status_code == 200
    assert again.json()["late_sync"] is True
    # Counted like any other response: progress and the indices include them.
    assert campaigns.scope(session, c)[0].collected == 3
    indices = client.get("/api/v1/campaigns/C-2026/indices").json()
    assert indices["units"][0]["n"] == 3
    # The coordinator sees them on the progress page and in review.
    make_account(session, "coord", "coordinator", place["province"])
    sign_in(client, "coord")
    assert (
        "3 phiếu được gửi bù sau khi đợt khảo sát đóng" in client.get("/dash/campaigns/C-2026").text
    )
    review = client.get("/dash/campaigns/C-2026/responses", params={"state": "all"}).text
    assert review.count("Gửi bù sau khi đóng") == 3
    # A response finished after the close is not a late sync: the campaign is closed.
    after = client.post("/api/v1/submissions", json=_at(catalog, c.closed_at + timedelta(hours=1)))
    assert after.status_code == 422
    assert after.json()["fields"][0]["code"] == "not_open"


def test_a_late_sync_needs_what_any_offline_replay_needs(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    c = _closed(session, days_ago=1)
    assert c.closed_at is not None
    # A stranger back-dating a response into the closed campaign is refused.
    r = client.post("/api/v1/submissions", json=_at(catalog, c.closed_at - timedelta(hours=1)))
    assert r.status_code == 403
    assert r.json()["error"] == "token_required"
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_beyond_the_grace_a_late_sync_is_refused_with_its_own_error_and_the_count_reported(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    place: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    device = _enrolled(client, session)
    c = _closed(session, days_ago=8)
    assert c.closed_at is not None
    late = [_at(catalog, c.closed_at - timedelta(hours=2, minutes=i)) for i in range(2)]
    r = client.post(
        "/api/v1/submissions/batch",
        json={"submissions": late},
        headers={"Sipas-Queue-Length": "4"},
    )
    results = r.json()["results"]
    assert [(x["status"], x["error"]) for x in results] == [(409, "late_sync_expired")] * 2
    assert "mở lại đợt khảo sát" in results[0]["detail"]  # the respondent's language
    client.cookies.set("sipas_lang", "en")
    assert session.scalar(select(func.count()).select_from(Submission)) == 0
    one = client.post("/api/v1/submissions", json=late[0])
    assert one.status_code == 409
    assert one.json()["error"] == "late_sync_expired"
    # The tablet said it holds 4 more besides these two, which it keeps.
    session.refresh(device)
    assert device.queue_length == 6
    assert device.queue_reported_at is not None
    # The coordinator sees which tablet holds them, on progress and on the tablets list.
    make_account(session, "coord", "coordinator", place["province"])
    kiosk_cookie = client.cookies.get(kiosks.KIOSK_COOKIE)
    client.cookies.set("sipas_lang", "vi")
    sign_in(client, "coord")
    progress = client.get("/dash/campaigns/C-2026").text
    assert "Có máy tính bảng còn giữ phiếu chưa gửi" in progress
    assert "Tablet 1 tại quầy k-1: 6 phiếu" in progress
    assert '<span class="pill warn">6</span>' in client.get("/dash/tablets").text
    client.cookies.set(kiosks.KIOSK_COOKIE, kiosk_cookie or "")
    # A longer grace (the setting) lets them in.
    monkeypatch.setattr(get_settings(), "LATE_SYNC_GRACE_DAYS", 10)
    ok = client.post(
        "/api/v1/submissions/batch", json={"submissions": late}, headers={"Sipas-Queue-Length": "0"}
    )
    assert [x["status"] for x in ok.json()["results"]] == [201, 201]
    session.refresh(device)
    assert device.queue_length == 0


def test_an_enrolment_link_works_once_then_refuses_a_second_browser(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    done = kiosks.enrol(session, "k-1", "Tablet 1")
    first = client.get("/kiosk/enrol", params={"token": done.token})
    assert first.status_code == 200
    assert "This tablet" not in first.text  # Vietnamese by default
    cookie = client.cookies.get(kiosks.KIOSK_COOKIE)
    assert cookie
    assert cookie != done.token
    client.cookies.clear()
    client.cookies.set("sipas_lang", "en")
    second = client.get("/kiosk/enrol", params={"token": done.token})
    assert second.status_code == 409
    assert "already opened, as “Tablet 1”" in second.text
    assert "sipas_kiosk" not in second.headers.get("set-cookie", "")
    # The second browser is no kiosk and cannot replay old responses for the counter.
    old = _at(catalog, datetime.now(UTC) - timedelta(hours=2))
    client.cookies.set(kiosks.KIOSK_COOKIE, done.token)
    assert client.post("/api/v1/submissions", json=old).status_code == 403
    # The first one can.
    client.cookies.set(kiosks.KIOSK_COOKIE, cookie)
    assert client.post("/api/v1/submissions", json=old).status_code == 201


def test_an_enrolment_link_expires(
    client: TestClient, session: Session, place: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "KIOSK_ENROL_MINUTES", 15)
    made = datetime.now(UTC) - timedelta(minutes=16)
    done = kiosks.enrol(session, "k-1", "Tablet 1", now=made)
    assert done.expires_at == made + timedelta(minutes=15)
    client.cookies.set("sipas_lang", "en")
    r = client.get("/kiosk/enrol", params={"token": done.token})
    assert r.status_code == 410
    assert "works for 15 minutes" in r.text
    assert "sipas_kiosk" not in r.headers.get("set-cookie", "")
    fresh = kiosks.enrol(session, "k-1", "Tablet 1", now=datetime.now(UTC) - timedelta(minutes=14))
    ok = client.get("/kiosk/enrol", params={"token": fresh.token})
    assert ok.status_code == 200
    assert "This tablet is now Tablet 1 at Counter k-1 (Unit P-S01)." in ok.text


def test_revoking_a_tablet_stops_its_replays(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    device = _enrolled(client, session)
    old = [_at(catalog, datetime.now(UTC) - timedelta(hours=2, minutes=i)) for i in range(2)]
    assert client.post("/api/v1/submissions", json=old[0]).status_code == 201
    kiosks.revoke(session, device.id)
    refused = client.post("/api/v1/submissions", json=old[1])
    assert refused.status_code == 403
    assert refused.json()["error"] == "token_required"


def _link(html: str) -> str:
    found = re.search(r'<code class="secret">[^<]*?(/kiosk/enrol\?token=[^<]+)</code>', html)
    assert found is not None, html
    return found.group(1)


def test_a_coordinator_enrols_renames_and_revokes_tablets_from_the_dashboard(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    make_account(session, "coord", "coordinator", place["province"])
    make_account(session, "viewer", "viewer", place["province"])
    other = kiosks.enrol(session, "k-out", "Tablet elsewhere")  # outside the area
    csrf = sign_in(client, "coord")
    page = client.get("/dash/tablets")
    assert page.status_code == 200
    assert "Tablet elsewhere" not in page.text
    assert 'value="k-out"' not in page.text  # only counters in the area are offered
    made = client.post("/dash/tablets", data={"csrf": csrf, "counter": "k-1", "label": "Quầy 1"})
    assert made.status_code == 201
    assert "trong 15 phút" in made.text
    link = _link(made.text)
    device = session.scalar(select(KioskDevice).where(KioskDevice.label == "Quầy 1"))
    assert device is not None
    assert "Chờ mở đường dẫn" in client.get("/dash/tablets").text
    # The tablet opens the link (another client: the coordinator stays signed in).
    with TestClient(client.app) as tablet:
        confirmed = tablet.get(link)
        assert "Máy tính bảng này giờ là Quầy 1 tại Counter k-1 (Unit P-S01)." in confirmed.text
        tablet_cookie = tablet.cookies.get(kiosks.KIOSK_COOKIE)
    rename = client.post(
        f"/dash/tablets/{device.id}/rename",
        data={"csrf": csrf, "label": "Quầy 1, sảnh A"},
        follow_redirects=False,
    )
    assert rename.status_code == 303
    listing = client.get("/dash/tablets").text
    assert 'value="Quầy 1, sảnh A"' in listing
    assert "Đang dùng" in listing
    # Outside the area: as if it did not exist.
    assert (
        client.post(f"/dash/tablets/{other.device.id}/revoke", data={"csrf": csrf}).status_code
        == 404
    )
    revoke = client.post(
        f"/dash/tablets/{device.id}/revoke", data={"csrf": csrf}, follow_redirects=False
    )
    assert revoke.status_code == 303
    assert "Đã thu hồi" in client.get("/dash/tablets").text
    # Its replays stop.
    client.cookies.set(kiosks.KIOSK_COOKIE, tablet_cookie or "")
    old = _at(catalog, datetime.now(UTC) - timedelta(hours=2))
    assert client.post("/api/v1/submissions", json=old).status_code == 403
    actions = [e.action for e in accounts.audit_log(session)]
    assert {"kiosk.enrol", "kiosk.rename", "kiosk.revoke"} <= set(actions)
    # A viewer reads, but cannot enrol.
    client.cookies.clear()
    viewer_csrf = sign_in(client, "viewer")
    assert client.get("/dash/tablets").status_code == 200
    refused = client.post(
        "/dash/tablets", data={"csrf": viewer_csrf, "counter": "k-1", "label": "X"}
    )
    assert refused.status_code == 403


def test_a_tablet_reporting_the_same_queue_is_written_again_only_after_a_minute(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    device = _enrolled(client, session)
    now = datetime.now(UTC)

    def send(queue: str) -> None:
        r = client.post(
            "/api/v1/submissions",
            json=_at(catalog, now - timedelta(seconds=5)),
            headers={"Sipas-Queue-Length": queue},
        )
        assert r.status_code == 201

    send("3")
    session.refresh(device)
    first = device.queue_reported_at
    assert (device.queue_length, first is not None) == (3, True)
    # The same count moments later: the stored report (and its time) stands.
    send("3")
    session.refresh(device)
    assert (device.queue_length, device.queue_reported_at) == (3, first)
    # A different count is written at once.
    send("1")
    session.refresh(device)
    assert device.queue_length == 1
    assert first is not None
    assert device.queue_reported_at is not None
    assert device.queue_reported_at >= first
    # The same count again, its report over a minute old: written, with the new time.
    device.queue_reported_at = now - timedelta(minutes=2)
    session.flush()
    send("1")
    session.refresh(device)
    assert device.queue_length == 1
    assert device.queue_reported_at > now - timedelta(minutes=1)
