"""The coordinator's dashboard in headless Chromium at desktop size.

Signs in, creates a campaign over a province's departments, sets a target, opens it,
watches responses arrive, excludes a speeding one and reads the results.
"""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.orm import Session

from app.core import clock
from app.questionnaires.catalog import get_catalog
from tests.answers import body, valid_answers
from tests.factories import PASSWORD, make_account
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

DESKTOP = {"width": 1366, "height": 900}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            make_account(s, "lan@sonv", "coordinator")
            s.commit()
        yield server


@pytest.fixture
def page(live: Live) -> Iterator[Page]:
    errors: list[str] = []
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=DESKTOP, base_url=live.url)  # type: ignore[arg-type]
        pg = context.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.set_default_timeout(10_000)
        yield pg
        browser.close()
    assert errors == [], f"errors in the browser: {errors}"


def _no_sideways_scroll(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"], f"{page.url} scrolls sideways ({width} px)"


def _respond(live: Live, fast: bool = False) -> None:
    now = datetime.now(UTC)
    extra = (
        {"started_at": (now - timedelta(seconds=15)).isoformat(), "submitted_at": now.isoformat()}
        if fast
        else {}
    )
    b = body(
        get_catalog(),
        counter="b-web",
        campaign="BP-DEPTS",
        answers=valid_answers(get_catalog(), level=2 if fast else 5),
        **extra,
    )
    r = httpx.post(f"{live.url}/api/v1/submissions", json=b)
    assert r.status_code == 201, r.text


def test_dashboard_from_sign_in_to_results(page: Page, live: Live) -> None:
    page.goto("/dash")
    expect(page).to_have_url(f"{live.url}/login?next=%2Fdash")
    page.fill("input[name=login]", "lan@sonv")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    expect(page.locator("h1")).to_have_text("Đợt khảo sát")

    page.click("text=Tạo đợt khảo sát")
    page.screenshot(path=SHOTS / "dash-new-campaign.png", full_page=True)
    page.fill("input[name=code]", "BP-DEPTS")
    page.fill("input[name=name]", "SIPAS các sở 2026")
    page.fill("input[name=starts_on]", (clock.today() - timedelta(days=4)).isoformat())
    page.fill("input[name=ends_on]", (clock.today() + timedelta(days=25)).isoformat())
    page.fill("input[name=min_sample]", "1")
    page.select_option("select[name=kind]", "department")
    page.select_option("select[name=parent]", "BP")
    page.click("button:has-text('Tạo')")
    expect(page.locator("p.ok")).to_have_text("Đã lưu.")
    _no_sideways_scroll(page)

    page.fill("input[name='target.BP-S01']", "2")
    page.locator("form[action$='/targets'] button").click()
    expect(page.locator("input[name='target.BP-S01']")).to_have_value("2")
    page.click("button:has-text('Mở khảo sát')")
    # A confirmation first (no JavaScript needed): nothing is open yet.
    expect(page.locator("main p").first).to_contain_text("sẽ bắt đầu gửi phiếu vào đợt này")
    page.screenshot(path=SHOTS / "dash-confirm-open.png", full_page=True)
    page.click("button[name=confirm]")
    # B-2026 already collects at the province's counters: say they now feed BP-DEPTS.
    for counter in ("b-web", "b-kiosk"):
        page.check(f"input[name='feed.{counter}'][value='BP-DEPTS']")
    page.screenshot(path=SHOTS / "dash-open-overlap.png", full_page=True)
    page.locator("form[action$='/status'] button.primary").click()
    expect(page.locator(".head .pill")).to_have_text("Đang mở")

    _respond(live)
    _respond(live, fast=True)
    page.click("nav.tabs >> text=Tiến độ")
    row = page.locator("#progress tbody tr", has_text="BP-S01")
    expect(row.locator("td").nth(1)).to_have_text("2")
    expect(row.locator(".pill")).to_have_text("Đủ")
    expect(row.locator(".bar")).to_have_attribute("aria-label", "100%")
    page.screenshot(path=SHOTS / "dash-progress.png", full_page=True)
    page.click("#progress th >> text=Đã thu")
    expect(page.locator("#progress th[aria-sort]")).to_have_attribute("aria-sort", "descending")
    _no_sideways_scroll(page)

    page.click("nav.tabs >> text=Phiếu cần xem")
    flagged = page.locator("tbody tr", has_text="Làm quá nhanh")
    expect(flagged).to_have_count(1)
    flagged.locator("a:has-text('Xem phiếu')").click()  # see the answers first
    page.select_option("select[name=reason_code]", "speeding")
    page.fill("input[name=note]", "15 giây")
    page.click("button:has-text('Loại phiếu này')")
    expect(page.locator("tbody tr.gone")).to_contain_text("15 giây")
    page.screenshot(path=SHOTS / "dash-responses.png", full_page=True)

    page.click("nav.tabs >> text=Kết quả")
    result = page.locator("#results tbody tr", has_text="BP-S01")
    expect(result.locator("td").nth(1)).to_have_text(
        "1"
    )  # n (after the rank): the excluded response is out
    _no_sideways_scroll(page)
    result.locator("a", has_text="BP-S01").click()
    expect(page.locator("figure.chart svg")).not_to_have_count(0)
    box = page.locator("figure.chart svg").first.bounding_box()
    assert box is not None
    assert box["width"] > 600  # readable at desktop size, not a thumbnail
    _no_sideways_scroll(page)

    page.click("button:has-text('Đăng xuất')")
    page.goto("/dash")
    expect(page).to_have_url(f"{live.url}/login?next=%2Fdash")
