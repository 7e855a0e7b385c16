"""The results page of a sipas-2023 campaign compared with a sipas-2017 one, in headless
Chromium at 320 px and at kiosk size, in Vietnamese and English: the change column
shows the service aspect's change and the page says what is not comparable and why,
without scrolling sideways on a phone. Screenshots: var/screenshots/compare-versions-*.png.
"""

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy.orm import Session

from app.campaigns.models import CampaignStatus
from app.campaigns.service import CampaignIn, create_campaign, set_status
from app.questionnaires.catalog import get_catalog
from tests.answers import valid_answers
from tests.factories import PASSWORD, make_account, make_counter, make_unit
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
SIZES = {"phone": {"width": 320, "height": 640}, "kiosk": {"width": 1280, "height": 800}}
SERVICE = [f"S{i}" for i in range(24, 40)]
POLICY = [f"P{i:02d}" for i in range(1, 24)]


def _campaign(s: Session, code: str, slug: str) -> Any:
    c = create_campaign(
        s,
        get_catalog(),
        CampaignIn(
            code=code,
            name=f"Campaign {code}",
            starts_on=date(2026, 1, 1),
            ends_on=date(max(date.today().year, 2026), 12, 31),
            questionnaire=slug,
            version=1,
            units=["P"],
            min_sample=2,
        ),
    )
    set_status(s, c, CampaignStatus.open)
    return c


def _send(live: Live, slug: str, counter: str, answers: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    items = [
        {
            "id": str(uuid.uuid4()),
            "questionnaire": slug,
            "version": 1,
            "counter": counter,
            "channel": "kiosk",
            "started_at": (now - timedelta(minutes=10)).isoformat(),
            "submitted_at": now.isoformat(),
            "answers": a,
        }
        for a in answers
    ]
    r = httpx.post(f"{live.url}/api/v1/submissions/batch", json={"submissions": items})
    assert r.status_code == 200, r.text[:300]
    assert [x["status"] for x in r.json()["results"]] == [201] * len(items), r.text[:300]


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        catalog = get_catalog()
        with Session(server.engine) as s:
            p = make_unit(s, "P", name="Tỉnh Lai Châu")
            for code, name in (("A", "Xã Bình Lư"), ("B", "Xã Phong Thổ")):
                make_counter(s, f"k-{code}", make_unit(s, code, "commune", p, name=name))
            make_account(s, "lan@sonv", "admin")
            _campaign(s, "C-2017", "sipas-2017")
            s.commit()
        for counter, level in (("k-A", 5), ("k-A", 3), ("k-B", 4), ("k-B", 5)):
            _send(
                live=server,
                slug="sipas-2017",
                counter=counter,
                answers=[valid_answers(catalog, level)],
            )
        with Session(server.engine) as s:
            from sqlalchemy import select

            from app.campaigns.models import Campaign

            old = s.scalars(select(Campaign).where(Campaign.code == "C-2017")).one()
            old.status = CampaignStatus.closed
            _campaign(s, "H-2026", "sipas-2023")
            s.commit()
        resident = {"adult": "yes", **dict.fromkeys(POLICY, 3)}
        for counter, level in (("k-A", 5), ("k-A", 4), ("k-B", 2), ("k-B", 4)):
            _send(server, "sipas-2023", counter, [{**resident, **dict.fromkeys(SERVICE, level)}])
        yield server


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_page_compares_the_service_aspect_and_says_what_is_not_comparable(
    live: Live, size: str, lang: str
) -> None:
    errors: list[str] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=SIZES[size], base_url=live.url).new_page()  # type: ignore[arg-type]
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(15_000)
        page.goto("/login")
        page.fill("input[name=login]", "lan@sonv")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        expect(page.locator("h1")).to_have_text("Đợt khảo sát")
        page.goto(f"/dash/campaigns/H-2026/results?lang={lang}&level=commune&compare=C-2017")
        section = page.locator("#comparison")
        expect(section).to_be_visible()
        policy = (
            "Phương pháp 2017 không khảo sát sự hài lòng về chính sách công."
            if lang == "vi"
            else "The 2017 method did not measure satisfaction with public policy."
        )
        expect(section).to_contain_text(policy)
        head = "Cung ứng dịch vụ hành chính công" if lang == "vi" else "Delivery of public"
        expect(section).to_contain_text(head)
        # B: 2017 SIPAS 100, 2023 service 50 → −50 points.
        row = page.locator("table.results tbody tr", has_text="Xã Phong Thổ")
        expect(row).to_contain_text("-50,00" if lang == "vi" else "-50.00")
        # The comparison section wraps at any width (the table of sipas-2023's eleven
        # group columns is wider than a kiosk's screen with or without a comparison).
        box = section.bounding_box()
        assert box is not None
        assert box["width"] <= SIZES[size]["width"]
        page.screenshot(path=str(SHOTS / f"compare-versions-{size}-{lang}.png"), full_page=True)
        browser.close()
    assert errors == []
