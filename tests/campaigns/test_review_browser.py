"""Reviewing responses in headless Chromium at desktop size (issue 15 item 19): open
a flagged response to read its answers, then exclude two with one reason and one
confirmation."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy.orm import Session

from app.questionnaires.catalog import get_catalog
from tests.answers import body, valid_answers
from tests.factories import PASSWORD, make_account
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            make_account(s, "rev@sonv", "coordinator")
            s.commit()
        yield server


@pytest.fixture
def page(live: Live) -> Iterator[Page]:
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=DESKTOP, base_url=live.url)  # type: ignore[arg-type]
        pg = context.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.set_default_timeout(10_000)
        yield pg
        browser.close()
    assert errors == [], f"errors in the browser: {errors}"


def _fast(live: Live) -> str:
    now = datetime.now(UTC)
    b = body(
        get_catalog(),
        counter="b-web",
        campaign="B-2026",
        started_at=(now - timedelta(seconds=14)).isoformat(),
        submitted_at=now.isoformat(),
        answers=valid_answers(get_catalog(), level=1),
    )
    r = httpx.post(f"{live.url}/api/v1/submissions", json=b)
    assert r.status_code == 201, r.text
    return str(b["id"])


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= DESKTOP["width"], f"{page.url} scrolls sideways ({width} px)"


def test_open_a_response_then_exclude_two_at_once(page: Page, live: Live) -> None:
    ids = [_fast(live) for _ in range(3)]
    page.goto("/login?next=/dash/campaigns/B-2026/responses")
    page.fill("input[name=login]", "rev@sonv")
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Đăng nhập')")
    expect(page.locator("tbody tr")).to_have_count(3)
    for rid in ids:  # each row shows the id the audit log names
        expect(page.locator(f"#r-{rid} code")).to_have_text(rid)
    _fits(page)

    page.click(f"#r-{ids[0]} code")
    expect(page.locator("h2 code")).to_have_text(ids[0])
    assert page.evaluate("document.documentElement.lang") == "vi"
    tc1 = page.locator("#q-TC1")
    expect(tc1.locator("th")).to_contain_text("Nơi ngồi chờ tại Bộ phận tiếp nhận")
    expect(tc1.locator("td")).to_have_text("Rất không hài lòng")
    expect(page.locator(".flag-notes")).to_contain_text("Hoàn thành trong 14 giây")
    box = page.locator("table.answers").bounding_box()
    assert box is not None
    assert box["width"] > 900
    _fits(page)
    page.screenshot(path="var/review-response.png", full_page=False)
    page.click("header >> text=English")
    expect(page.locator("#q-TC1 td")).to_have_text("Very dissatisfied")
    page.click("header >> text=Tiếng Việt")

    page.click("text=Quay lại danh sách")
    page.check(f"#r-{ids[1]} input[type=checkbox]")
    page.check(f"#r-{ids[2]} input[type=checkbox]")
    page.select_option("#bulk select[name=reason_code]", "test")
    page.click("button:has-text('Loại các phiếu đã chọn')")
    expect(page.locator("main")).to_contain_text("Loại 2 phiếu dưới đây khỏi mọi chỉ số")
    expect(page.locator("main tbody tr")).to_have_count(2)
    expect(page.locator("select[name=reason_code]")).to_have_value("test")
    _fits(page)
    page.screenshot(path="var/review-confirm.png")
    page.click("button:has-text('Xác nhận loại 2 phiếu')")

    expect(page.locator("p.ok")).to_have_text("Đã loại 2 phiếu.")
    for rid in ids[1:]:
        expect(page.locator(f"#r-{rid}")).to_have_class("gone")
        expect(page.locator(f"#r-{rid}")).to_contain_text("Phiếu thử hoặc tập huấn")
    expect(page.locator(f"#r-{ids[0]}")).not_to_have_class("gone")
    _fits(page)
    page.screenshot(path="var/review-done.png")
