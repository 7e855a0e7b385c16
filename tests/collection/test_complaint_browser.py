"""The thank-you screen at 320 px says what happens with the answers and where to
complain, with the campaign's hotline and link, in both languages, with and without
the script; a kiosk shows them as text to note down."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.core.config import ROOT
from app.questionnaires.catalog import get_catalog
from tests.collection.test_pages_browser import _overflow, fill, finish_with_js
from tests.factories import make_campaign, make_counter, make_unit
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

SHOTS = ROOT / "var" / "screenshots"
PHONE = "0292 3821 821"
LINK = "https://dichvucong.cantho.gov.vn/phan-anh-kien-nghi/gui-phan-anh"
WORDS = {
    "vi": ("Xin cảm ơn!", "Phiếu được tổng hợp ẩn danh", "gọi đường dây nóng"),
    "en": ("Thank you!", "counted anonymously", "call the hotline"),
}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            p = make_unit(s, "HC", name="Thành phố Cần Thơ")
            make_counter(s, "hc-web", p)
            make_counter(s, "hc-kiosk", p).kiosk = True
            c = make_campaign(s, get_catalog(), "HC-2026", [p])
            campaigns.set_complaint_contact(s, c, PHONE, LINK)
            s.commit()
        yield server


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _page(browser: Browser, live: Live, js: bool, width: int = 320) -> Page:
    context = browser.new_context(
        viewport={"width": width, "height": 640 if width == 320 else 800},
        java_script_enabled=js,
        base_url=live.url,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("js", [True, False], ids=["script", "no-script"])
def test_the_thank_you_screen_says_where_to_complain_at_320_px(
    browser: Browser, live: Live, lang: str, js: bool
) -> None:
    page = _page(browser, live, js)
    try:
        page.goto(f"/s/hc-web/form?lang={lang}")
        if js:
            finish_with_js(page)
            done = page.locator("#done")
        else:
            fill(page)
            page.click("[data-send]")
            page.wait_for_url("**/s/hc-web/thanks")
            done = page.locator(".thanks")
        expect(done).to_be_visible()
        title, what, call = WORDS[lang]
        expect(done.locator("h1")).to_have_text(title)
        expect(done).to_contain_text(what)
        expect(done).to_contain_text(call)
        phone = done.get_by_role("link", name=PHONE)
        expect(phone).to_have_attribute("href", "tel:02923821821")
        expect(done.get_by_role("link", name=LINK)).to_have_attribute("href", LINK)
        # The long link wraps inside the screen; the phone link is a finger's size.
        assert _overflow(page, 320) == []
        assert phone.bounding_box()["height"] >= 44  # type: ignore[index]
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SHOTS / f"thanks-complaint-{lang}-{'js' if js else 'nojs'}-320.png"),
            full_page=True,
        )
    finally:
        page.context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_kiosk_shows_the_contact_as_text_and_no_link_out(
    browser: Browser, live: Live, lang: str
) -> None:
    page = _page(browser, live, js=True, width=1280)
    try:
        page.goto(f"/s/hc-kiosk/form?lang={lang}")
        finish_with_js(page)
        done = page.locator("#done")
        expect(done).to_contain_text(WORDS[lang][2])
        expect(done.locator("strong", has_text=PHONE)).to_be_visible()
        expect(done.locator("strong", has_text=LINK)).to_be_visible()
        assert done.locator("a").count() == 0
    finally:
        page.context.close()
