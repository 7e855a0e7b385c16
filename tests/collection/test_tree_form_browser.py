"""sipas-2023's citizen form in headless Chromium at 320 px and kiosk size, both
languages: the eligibility end, the 4-level scales, the 39 items, and a full send.
Screenshots go to $SCREENSHOTS (default: a temporary folder) for a person to look at."""

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, ViewportSize, expect, sync_playwright
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.collection.models import Submission
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

SIZES: dict[str, ViewportSize] = {
    "320": {"width": 320, "height": 640},
    "kiosk": {"width": 1280, "height": 800},
}
SHOTS = Path(os.environ.get("SCREENSHOTS") or tempfile.mkdtemp(prefix="sipas-2023-"))


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:  # the service refuses it until reports are built
            s.execute(
                update(Campaign).where(Campaign.code == "B-2026").values(questionnaire="sipas-2023")
            )
            s.commit()
        yield server


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def open_form(browser: Browser, live: Live, size: str, lang: str) -> Page:
    context = browser.new_context(viewport=SIZES[size], base_url=live.url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.set_default_timeout(10_000)
    page.goto(f"/s/b-web/form?lang={lang}")
    page.errors = errors  # type: ignore[attr-defined]
    return page


def stored(live: Live) -> int:
    with Session(live.engine) as s:
        return int(s.scalar(select(func.count()).select_from(Submission)) or 0)


def fill(step: Locator) -> None:
    """'Adult', a middle-high level on every scale, the first option elsewhere."""
    for fs in step.locator("fieldset.q").all():
        if not fs.is_visible() or fs.locator("input:checked").count():
            continue
        kind = fs.get_attribute("class") or ""
        if (fs.get_attribute("id") or "") == "q-adult":
            fs.locator("label:has(input[value=yes])").click()
        elif "scale" in kind and fs.locator(".rate").count():
            fs.locator("label.s4").click()
        elif "scale" in kind:
            fs.locator(".opts.levels label.o").nth(2).click()
        elif "single" in kind or "multi" in kind:
            fs.locator("label.o").first.click()


def no_overflow(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width  # type: ignore[index]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("vi", ("Xin cảm ơn", "dành cho người từ đủ 18 tuổi")),
        ("en", ("Thank you", "aged 18 and over")),
    ],
)
def test_a_minor_is_thanked_politely_and_nothing_is_sent(
    browser: Browser, live: Live, lang: str, words: tuple[str, str]
) -> None:
    page = open_form(browser, live, "320", lang)
    before = stored(live)
    no_overflow(page)
    page.screenshot(path=str(SHOTS / f"eligibility-{lang}-320.png"), full_page=True)
    page.locator("#q-adult label:has(input[value=no])").click()
    page.click("[data-next]")
    card = page.locator("#ended-adult")
    expect(card).to_be_visible()
    expect(card).to_contain_text(words[0])
    expect(card).to_contain_text(words[1])
    expect(page.locator("#survey")).to_be_hidden()
    page.screenshot(path=str(SHOTS / f"ended-{lang}-320.png"), full_page=True)
    assert stored(live) == before
    assert page.errors == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(("lang", "size"), [("en", "320"), ("vi", "320"), ("vi", "kiosk")])
def test_an_adult_fills_every_part_and_sends(
    browser: Browser, live: Live, lang: str, size: str
) -> None:
    page = open_form(browser, live, size, lang)
    rid = page.input_value("input[name=id]")
    seen: set[str] = set()
    for _ in range(40):
        step = page.locator("section.step.on")
        code = (step.get_attribute("id") or "")[2:]
        no_overflow(page)
        if code in ("c1", "c7", "I_A", "II_E", "c10") and code not in seen:
            page.screenshot(path=str(SHOTS / f"{code}-{lang}-{size}.png"), full_page=True)
        seen.add(code)
        fill(step)
        if page.locator("[data-send]").is_visible():
            page.click("[data-send]")
            break
        page.click("[data-next]")
    expect(page.locator("#done")).to_be_visible()
    assert {"c1", "c3", "c8", "I_C", "II_A", "c10", "other_views"} <= seen
    with Session(live.engine) as s:
        row = s.get(Submission, uuid.UUID(rid))
        assert row is not None
        assert row.answers["adult"] == "yes"
        assert row.answers["C1_economy"] == 3  # the third of four levels
        assert row.answers["P01"] == 4
        assert row.answers["S39"] == 4
    assert page.errors == []  # type: ignore[attr-defined]
