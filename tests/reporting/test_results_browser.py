"""The analyst's pages in headless Chromium, over the demo's data, at 320 px and at
desktop size, in Vietnamese and English: the results page's level, comparison,
filters and downloads, and the comments page's search and hide.

Screenshots go to var/screenshots/analyst-*.png.
"""

from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.orm import Session

from app.demo import CAMPAIGN, PREVIOUS, build_previous, build_tree, load_submissions
from app.questionnaires.catalog import get_catalog
from tests.factories import PASSWORD, make_account
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
SIZES = {"phone": {"width": 320, "height": 640}, "desktop": {"width": 1366, "height": 900}}
RESULTS = f"/dash/campaigns/{CAMPAIGN}/results"
COMMENTS = f"/dash/campaigns/{CAMPAIGN}/comments"


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            catalog = get_catalog()
            campaign, pairs = build_tree(s, catalog)
            previous = build_previous(s, catalog, pairs)
            load_submissions(s, catalog, campaign, pairs, 1500, 4, extras=True)
            load_submissions(s, catalog, previous, pairs, 700, 4, extras=True)
            make_account(s, "lan@sonv", "coordinator")
            s.commit()
        yield server


def _browse(live: Live, size: str) -> Iterator[Page]:
    errors: list[str] = []
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport=SIZES[size],  # type: ignore[arg-type]
            base_url=live.url,
            accept_downloads=True,
        )
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.set_default_timeout(15_000)
        page.goto("/login")
        page.fill("input[name=login]", "lan@sonv")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        expect(page.locator("h1")).to_have_text("Đợt khảo sát")
        yield page
        browser.close()
    # A rejected filter answers 422 on purpose (the page says what is wrong).
    errors = [e for e in errors if "status of 422" not in e]
    assert errors == [], f"errors in the browser: {errors}"


@pytest.fixture
def phone(live: Live) -> Iterator[Page]:
    yield from _browse(live, "phone")


@pytest.fixture
def desktop(live: Live) -> Iterator[Page]:
    yield from _browse(live, "desktop")


def _no_sideways_scroll(page: Page, width: int) -> None:
    scrolled = page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, f"{page.url} scrolls sideways ({scrolled} px > {width} px)"


def test_results_on_the_desktop_in_both_languages(desktop: Page, tmp_path: Path) -> None:
    page = desktop
    page.goto(f"{RESULTS}?lang=vi")
    # The demo's scope: the centre, departments and communes, each its own league.
    expect(page.locator("#league-department")).to_contain_text("Sở, ban, ngành")
    expect(page.locator("#league-commune")).to_be_visible()
    page.select_option("select[name=compare]", PREVIOUS)
    page.click("button:has-text('Xem kết quả')")
    expect(page.locator("#results-department thead")).to_contain_text("Thay đổi")
    expect(page.locator("#results-department tbody td", has_text="bậc").first).to_be_visible()
    page.screenshot(path=SHOTS / "analyst-results-desktop-vi.png", full_page=True)
    _no_sideways_scroll(page, SIZES["desktop"]["width"])

    page.locator("details summary").click()
    page.select_option("select[name=gender]", "female")
    page.select_option("select[name=channel]", "kiosk")
    page.click("button:has-text('Xem kết quả')")
    expect(page.locator("main")).to_contain_text("đã lọc")
    expect(page.locator("select[name=gender]")).to_have_value("female")
    expect(page.locator("select[name=compare]")).to_have_value(PREVIOUS)

    with page.expect_download() as got:
        page.click("a.btn:has-text('Excel (.xlsx)')")
    book = tmp_path / "r.xlsx"
    got.value.save_as(book)
    names = " ".join(
        str(c)
        for ws in openpyxl.load_workbook(book)
        for r in ws.iter_rows(values_only=True)
        for c in r
    )
    assert "Sở Tư pháp" in names
    with page.expect_download() as got:
        page.click("a.btn:has-text('SPSS (.sav)')")
    assert got.value.suggested_filename == f"{CAMPAIGN}-microdata.sav"
    with page.expect_download() as got:
        page.click("a.btn:has-text('Báo cáo PDF')")
    pdf = tmp_path / "r.pdf"
    got.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")

    page.fill("input[name=date_from]", "2026-05-09")
    page.fill("input[name=date_to]", "2026-05-01")
    page.click("button:has-text('Xem kết quả')")
    expect(page.locator(".problems")).to_contain_text("Đến ngày")
    expect(page.locator(".problems")).to_contain_text("ngày cuối trước ngày đầu")

    page.goto(f"{RESULTS}?lang=en&level=commune&compare={PREVIOUS}")
    expect(page.locator("select[name=level]")).to_have_value("commune")
    expect(page.locator("#results thead")).to_contain_text("Change")
    expect(page.locator("a.btn:has-text('PDF report')")).to_be_visible()
    page.screenshot(path=SHOTS / "analyst-results-desktop-en.png", full_page=True)
    _no_sideways_scroll(page, SIZES["desktop"]["width"])


def test_results_and_comments_at_320_px_in_both_languages(phone: Page) -> None:
    page = phone
    width = SIZES["phone"]["width"]
    for lang in ("vi", "en"):
        page.goto(f"{RESULTS}?lang={lang}&compare={PREVIOUS}")
        expect(page.locator("#league-commune")).to_be_visible()
        page.screenshot(path=SHOTS / f"analyst-results-320-{lang}.png", full_page=True)
        _no_sideways_scroll(page, width)
        page.goto(f"{COMMENTS}?lang={lang}")
        expect(page.locator("ol.comments li").first).to_be_visible()
        page.screenshot(path=SHOTS / f"analyst-comments-320-{lang}.png", full_page=True)
        _no_sideways_scroll(page, width)


def test_a_coordinator_finds_and_hides_an_abusive_comment(desktop: Page) -> None:
    page = desktop
    page.goto(f"{COMMENTS}?lang=vi")
    page.fill("input[name=q]", "do an hai")  # typed without marks
    page.click("form.comment-search button:has-text('Tìm')")
    found = page.locator("ol.comments li")
    expect(found.first).to_contain_text("Đồ ăn hại")
    count = found.count()
    first = found.first
    first.locator("input[name=reason]").fill("Lời lẽ xúc phạm")
    first.locator("button:has-text('Ẩn (phản cảm)')").click()
    expect(page.locator("p.ok")).to_have_text("Đã ẩn ý kiến.")
    expect(page.locator("ol.comments li")).to_have_count(count - 1)
    expect(page.locator("input[name=q]")).to_have_value("do an hai")  # the search is kept
    page.select_option("select[name=state]", "hidden")
    page.click("form.comment-search button:has-text('Tìm')")
    expect(page.locator("ol.comments li").first).to_contain_text("Lời lẽ xúc phạm")
    page.screenshot(path=SHOTS / "analyst-comments-desktop-vi.png", full_page=True)
    page.locator("ol.comments li").first.locator("a.btn:has-text('Xem phiếu')").click()
    expect(page.locator("h2").first).to_contain_text("Phiếu")
    expect(page.locator("main")).to_contain_text("Đồ ăn hại")
    page.click("text=Về danh sách ý kiến")
    expect(page.locator("h1")).to_contain_text(CAMPAIGN)
