"""The coordinator's pages of a sipas-2023 household campaign (the demo's DEMO-H2026)
in headless Chromium at 320 px and at desktop size, in Vietnamese and English: the
results table has an aspect heading over each aspect's groups, scrolls inside itself
rather than widening the page (eleven node columns), and the unit page charts aspects
and groups.

Screenshots go to var/screenshots/tree-*.png.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect, sync_playwright
from sqlalchemy.orm import Session

from app.demo import HOUSEHOLD, build_household, build_tree, load_submissions
from app.questionnaires.catalog import get_catalog
from tests.factories import PASSWORD, make_account
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
SIZES = {"phone": {"width": 320, "height": 640}, "desktop": {"width": 1366, "height": 900}}
HEADS = {
    "vi": ["Xây dựng, tổ chức thực hiện chính sách công", "Cung ứng dịch vụ hành chính công"],
    "en": ["Making and implementing public policy", "Delivery of public administrative services"],
}
CHART = {"vi": "Lĩnh vực và nhóm tiêu chí", "en": "Aspects and groups of criteria"}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            catalog = get_catalog()
            _, pairs = build_tree(s, catalog)
            home, homes = build_household(s, catalog, pairs)
            load_submissions(s, catalog, home, homes, 800, 6)
            make_account(s, "hoa@sonv", "coordinator")
            s.commit()
        yield server


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_household_campaign_reads_as_a_tree(live: Live, size: str, lang: str) -> None:
    errors: list[str] = []
    width = SIZES[size]["width"]
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=SIZES[size], base_url=live.url).new_page()  # type: ignore[arg-type]
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(15_000)
        page.goto("/login")
        page.fill("input[name=login]", "hoa@sonv")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        expect(page.locator("h1")).to_have_text("Đợt khảo sát")

        page.goto(f"/dash/campaigns/{HOUSEHOLD}/results?lang={lang}")
        heads = page.locator("#results tr.tree-heads th")
        expect(heads).to_have_text(HEADS[lang])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        table = page.locator("#results")
        # The table scrolls in place; scrolled to its right end, the last group's column
        # is on the screen and each row's rank and unit are still beside it.
        page.locator("#results thead").scroll_into_view_if_needed()
        table.evaluate("t => { t.scrollLeft = t.scrollWidth }")
        last = page.locator("#results thead tr:nth-child(2) th").nth(-2)
        expect(last).to_have_text("II_E")
        expect(last).to_be_in_viewport()
        expect(page.locator("#results tbody th").first).to_be_in_viewport()
        page.screenshot(path=SHOTS / f"tree-results-{size}-{lang}.png", full_page=True)

        page.goto(f"/dash/campaigns/{HOUSEHOLD}/units/DEMO-X06?lang={lang}")
        expect(page.locator("h3", has_text=CHART[lang])).to_be_visible()
        expect(page.locator("figure.chart text.lbl.aspect").first).to_have_text(HEADS[lang][0])
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=SHOTS / f"tree-unit-{size}-{lang}.png", full_page=True)
        browser.close()
    assert errors == [], f"errors in the browser: {errors}"
