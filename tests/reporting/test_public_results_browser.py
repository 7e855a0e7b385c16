"""The public results page in headless Chromium on a 320 px phone: a published
edition's league table, one agency's page a journalist can link to, in Vietnamese
and English, with no script, no third-party request and under 50 KB a page."""

from collections.abc import Iterator

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import set_status
from app.questionnaires.catalog import get_catalog
from app.units.models import Unit
from tests.answers import body, valid_answers
from tests.factories import make_counter, make_unit, publish
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

PHONE = {"width": 320, "height": 640}
PAGE_BYTES = 50_000


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        catalog = get_catalog()
        with Session(server.engine) as s:
            province = s.scalars(select(Unit).where(Unit.code == "BP")).one()
            dept = make_unit(s, "BP-S02", "department", province, name="Sở Tư pháp tỉnh BP")
            make_counter(s, "b-s02", dept)
            s.commit()
        for counter, level, n in (("b-web", 5, 3), ("b-s02", 3, 3)):
            for _ in range(n):
                sent = body(catalog, counter=counter, answers=valid_answers(catalog, level=level))
                r = httpx.post(f"{server.url}/api/v1/submissions", json=sent)
                assert r.status_code == 201, r.text
        with Session(server.engine) as s:
            c = s.scalars(select(Campaign).where(Campaign.code == "B-2026")).one()
            c.min_sample = 2
            set_status(s, c, CampaignStatus.closed)
            publish(s, catalog, "B-2026")
            s.commit()
        yield server


@pytest.fixture
def page(live: Live) -> Iterator[Page]:
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, base_url=live.url)  # type: ignore[arg-type]
        pg = context.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        pg.set_default_timeout(10_000)
        yield pg
        browser.close()
    assert errors == [], f"errors in the browser: {errors}"


def _light(page: Page, live: Live, path: str) -> None:
    """Open `path`: one request to our own origin, under 50 KB, no sideways scroll."""
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url))
    response = page.goto(path)
    assert response is not None
    assert response.status == 200
    assert all(url.startswith(live.url) for url in asked), asked
    assert len(response.body()) <= PAGE_BYTES
    assert page.locator("script").count() == 0
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} scrolls sideways ({width} px)"


def _on_screen(cell: Locator) -> None:
    """The cell is inside the 320 px screen, not behind a sideways scroll."""
    box = cell.bounding_box()
    assert box is not None
    assert box["x"] + box["width"] <= PHONE["width"]


def test_a_journalist_reads_the_league_table_and_links_to_one_agency(
    page: Page, live: Live
) -> None:
    _light(page, live, "/results/B-2026?lang=vi")
    assert page.evaluate("document.documentElement.lang") == "vi"
    expect(page.locator("header")).to_contain_text("Bản công bố số 1")
    rows = page.locator("#kind-department tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("100,00")  # the best first, as Vietnamese writes it
    _on_screen(rows.first.locator("td").last)
    page.screenshot(path="var/public-results-vi-320.png", full_page=True)
    page.click("text=Sở Tư pháp tỉnh BP")
    expect(page).to_have_url(f"{live.url}/results/B-2026/units/BP-S02?edition=1&lang=vi")
    _light(page, live, page.url.removeprefix(live.url))
    expect(page.locator("main")).to_contain_text("Hạng 2/2")
    page.screenshot(path="var/public-unit-vi-320.png", full_page=True)
    page.screenshot(path="var/public-unit-vi-320-top.png")

    _light(page, live, "/results/B-2026/units/BP-S02?lang=en")
    assert page.evaluate("document.documentElement.lang") == "en"
    expect(page.locator("main")).to_contain_text("Ranked 2 of 2 in the Department league")
    page.screenshot(path="var/public-unit-en-320.png", full_page=True)
    _light(page, live, "/results/B-2026?lang=en")
    expect(page.locator("header")).to_contain_text("Edition 1")
    _on_screen(page.locator("#kind-department tbody tr").first.locator("td").last)
    page.screenshot(path="var/public-results-en-320.png", full_page=True)
    xlsx = page.locator("a:has-text('Excel workbook')").get_attribute("href")
    assert xlsx is not None
    got = httpx.get(f"{live.url}{xlsx}")
    assert got.status_code == 200
    assert "e1" in got.headers["content-disposition"]
