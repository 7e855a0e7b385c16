"""The API documentation works on a network without internet (issue 15 item 21).

Every request that leaves the app is aborted, as on an offline government network;
Swagger UI (`/docs`) and ReDoc (`/redoc`) must still render the operations.
"""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, Route, expect, sync_playwright

from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        yield server


@pytest.fixture
def offline(live: Live) -> Iterator[tuple[Page, list[str]]]:
    blocked: list[str] = []

    def outside(route: Route) -> None:
        if route.request.url.startswith(live.url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort("internetdisconnected")

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live.url)
        context.route("**/*", outside)
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(15_000)
        yield page, blocked
        assert errors == [], f"errors in the page: {errors}"
        browser.close()


def test_swagger_ui_renders_offline(offline: tuple[Page, list[str]]) -> None:
    page, blocked = offline
    page.goto("/docs")
    submit = page.locator(".opblock-post:has-text('/api/v1/submissions')").first
    expect(submit).to_be_visible()
    assert page.locator(".opblock").count() > 20
    page.screenshot(path="var/docs-offline.png")
    assert blocked == []


def test_redoc_renders_offline(offline: tuple[Page, list[str]]) -> None:
    page, blocked = offline
    page.goto("/redoc")
    expect(page.locator("h2:has-text('Create Submission')")).to_be_visible()
    assert page.locator("[data-section-id^='operation/']").count() > 20
    page.screenshot(path="var/redoc-offline.png")
    assert blocked == []
