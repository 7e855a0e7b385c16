"""A tablet is enrolled once and says so; responses refused as too late stay on it."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.models import CampaignStatus
from app.collection import kiosks
from app.questionnaires.catalog import get_catalog
from app.units.models import KioskDevice, Unit
from tests.answers import body
from tests.collection.test_pages_browser import KIOSK, wait_for
from tests.factories import make_campaign
from tests.live import CHROMIUM, CHROMIUM_ARGS, live_server, need_chromium

SHOTS = Path(__file__).resolve().parent.parent.parent / "var" / "screenshots"


def test_enrolled_tablet_confirms_and_keeps_responses_refused_as_too_late() -> None:
    need_chromium()
    SHOTS.mkdir(parents=True, exist_ok=True)
    with live_server() as live, sync_playwright() as p:
        with Session(live.engine) as s:
            enrolled = kiosks.enrol(s, "b-web", "Tablet 1")
            device_id = enrolled.device.id
            province = s.scalar(select(Unit).where(Unit.code == "BP"))
            assert province is not None
            # Last year's campaign over the same counters, closed eight days ago.
            old = make_campaign(s, get_catalog(), "B-2025", [province], CampaignStatus.draft)
            old.status = CampaignStatus.closed
            old.closed_at = datetime.now(UTC) - timedelta(days=8)
            closed_at = old.closed_at
            s.commit()

        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=KIOSK, base_url=live.url, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"/kiosk/enrol?token={enrolled.token}")
        confirmation = page.locator("p.enrolled")
        expect(confirmation).to_have_text(
            "Máy tính bảng này giờ là Tablet 1 tại Counter b-web (Unit BP-S01)."
        )
        assert confirmation.bounding_box()["width"] <= KIOSK["width"]  # type: ignore[index]
        page.screenshot(path=str(SHOTS / "kiosk-enrolled.png"))

        # A second browser opening the same link is told so, and is no tablet.
        other = browser.new_context(viewport=KIOSK, base_url=live.url)
        second = other.new_page()
        answer = second.goto(f"/kiosk/enrol?token={enrolled.token}")
        assert answer is not None
        assert answer.status == 409
        expect(second.locator("h1")).to_have_text("Đường dẫn đã được dùng")
        assert not [c for c in other.cookies() if c["name"] == kiosks.KIOSK_COOKIE]
        other.close()

        page.get_by_role("link", name="Mở phiếu khảo sát").click()
        page.wait_for_url("**/s/b-web")
        # Two responses finished before B-2025 closed, still queued eight days later.
        queued = [
            body(
                get_catalog(),
                counter="b-web",
                campaign="B-2025",
                started_at=(closed_at - timedelta(hours=2, minutes=5 + i)).isoformat(),
                submitted_at=(closed_at - timedelta(hours=2, minutes=i)).isoformat(),
            )
            for i in range(2)
        ]
        page.evaluate(f"localStorage.setItem('sipas.queue', {json.dumps(json.dumps(queued))})")
        page.reload()
        note = page.locator("#held")
        expect(note).to_be_visible()
        expect(note).to_contain_text("Máy này còn giữ 2 phiếu chưa gửi được")
        expect(note).to_contain_text("báo cán bộ điều phối")
        page.screenshot(path=str(SHOTS / "kiosk-held.png"))
        held = json.loads(page.evaluate("localStorage.getItem('sipas.held')"))
        assert [h["id"] for h in held] == [b["id"] for b in queued]
        assert page.evaluate("localStorage.getItem('sipas.queue')") == "[]"
        assert page.evaluate("localStorage.getItem('sipas.rejected')") in (None, "[]")

        def reported() -> int | None:
            with Session(live.engine) as s:
                device = s.get(KioskDevice, device_id)
                return device.queue_length if device else None

        wait_for(lambda: reported() == 2, 10)
        context.close()
        browser.close()
