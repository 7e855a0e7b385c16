"""Resetting a password in headless Chromium (issue 15 item 20): the admin makes a
one-time link on the accounts page; the user opens it in their own browser, picks a
new password and is signed in; their old browser session has ended."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, make_account
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            make_account(s, "admin@sonv", "admin")
            make_account(s, "lan@sonv", "coordinator")
            s.commit()
        yield server


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _context(browser: Browser, live: Live, viewport: dict[str, int]) -> BrowserContext:
    return browser.new_context(viewport=viewport, base_url=live.url)  # type: ignore[arg-type]


def _sign_in(page: Page, login: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", password)
    page.click("button:has-text('Đăng nhập')")


def test_admin_makes_a_link_and_the_user_sets_a_new_password(browser: Browser, live: Live) -> None:
    user: Page = _context(browser, live, PHONE).new_page()
    _sign_in(user, "lan@sonv")
    expect(user.locator("h1")).to_have_text("Đợt khảo sát")

    admin = _context(browser, live, DESKTOP).new_page()
    _sign_in(admin, "admin@sonv")
    admin.goto("/dash/users")
    admin.locator("tr", has_text="lan@sonv").locator("button:has-text('Đặt lại mật khẩu')").click()
    notice = admin.locator("#reset-link")
    expect(notice).to_contain_text("dùng được một lần")
    link = admin.locator("#reset-link input").input_value()
    assert "/login/reset?token=" in link
    admin.screenshot(path="var/reset-admin.png")

    user.reload()  # the old session has ended
    expect(user).to_have_url(f"{live.url}/login?next=%2Fdash")
    fresh = _context(browser, live, PHONE).new_page()
    fresh.goto(link)
    expect(fresh.locator("h1")).to_have_text("Đặt mật khẩu mới")
    assert "token" not in fresh.url  # out of the address bar and the history
    fresh.click("header >> text=English")  # the language switch keeps the link working
    expect(fresh.locator("h1")).to_have_text("Choose a new password")
    fresh.click("header >> text=Tiếng Việt")
    width = fresh.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]
    fresh.fill("input[name=new]", "mật khẩu mới rất dài")
    fresh.fill("input[name=repeat]", "mật khẩu mới rất dài")
    fresh.screenshot(path="var/reset-user.png")
    fresh.click("button:has-text('Lưu')")
    expect(fresh.locator("h1")).to_have_text("Đợt khảo sát")

    fresh.goto(link)  # once only
    expect(fresh.locator("[role=alert]")).to_contain_text("không còn dùng được")
