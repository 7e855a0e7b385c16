"""The questionnaires page in headless Chromium, on a 320 px phone and a kiosk screen,
in Vietnamese and English: a refused upload lists its mistakes by sheet, row and
column; a correct one is previewed as the citizen's form and saved as a version."""

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy.orm import Session

from app.questionnaires.catalog import get_catalog
from app.questionnaires.xlsform import to_xlsform
from tests.factories import PASSWORD, make_account
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

PHONE = {"width": 320, "height": 640}
KIOSK = {"width": 1280, "height": 800}
WORDS = {
    "vi": ("Đăng nhập", "trang survey, dòng", "cột relevant", "Lưu thành phiên bản", "Đã lưu"),
    "en": ("Sign in", "survey, row", "column relevant", "Save as version", "Saved"),
}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            make_account(s, "admin@sonv", "admin")
            s.commit()
        yield server


@pytest.fixture
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _files(tmp_path: Path, slug: str) -> tuple[Path, Path]:
    q = get_catalog().get("ward-offices", 1)
    assert q is not None
    wb = load_workbook(io.BytesIO(to_xlsform(q.model)))
    wb["settings"]["A2"] = slug
    good = tmp_path / f"{slug}.xlsx"
    wb.save(good)
    ws = wb["survey"]
    head = [c.value for c in ws[1]]
    for r in range(2, ws.max_row + 1):
        if ws.cell(r, 2).value == "GY3":
            ws.cell(r, head.index("relevant") + 1).value = "selected(${nobody}, 'yes')"
    bad = tmp_path / f"{slug}-bad.xlsx"
    wb.save(bad)
    return good, bad


WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))
  .slice(0, 5)"""


def _fits(page: Page, width: int) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    assert wide <= width, f"{wide} px wide on a {width} px screen: {page.evaluate(WIDEST)}"


@pytest.mark.parametrize(("lang", "viewport"), [("vi", PHONE), ("en", PHONE), ("vi", KIOSK)])
def test_upload_refused_then_previewed_and_saved(
    browser: Browser, live: Live, tmp_path: Path, lang: str, viewport: dict[str, int]
) -> None:
    sign_in, where, column, save, saved = WORDS[lang]
    context = browser.new_context(viewport=viewport, base_url=live.url)  # type: ignore[arg-type]
    page = context.new_page()
    page.goto(f"/login?lang={lang}")
    page.fill("input[name=login]", "admin@sonv")
    page.fill("input[name=password]", PASSWORD)
    page.click(f"button:has-text('{sign_in}')")
    page.goto(f"/dash/questionnaires?lang={lang}")
    slug = f"ward-{lang}-{viewport['width']}"
    good, bad = _files(tmp_path, slug)
    page.set_input_files("input[name=file]", str(bad))
    page.click("form[enctype] button")
    problems = page.locator("#problems")
    expect(problems).to_contain_text(where)
    expect(problems).to_contain_text(column)
    _fits(page, viewport["width"])
    page.screenshot(path=f"/tmp/xlsform-refused-{lang}-{viewport['width']}.png", full_page=True)

    page.set_input_files("input[name=file]", str(good))
    page.click("form[enctype] button")
    expect(page.locator("#preview")).to_contain_text(slug)
    expect(page.locator("#q-GY3 legend")).to_be_visible()
    _fits(page, viewport["width"])
    page.screenshot(path=f"/tmp/xlsform-preview-{lang}-{viewport['width']}.png", full_page=True)
    page.click(f"#save:has-text('{save}')")
    expect(page.locator("#saved")).to_contain_text(saved)
    expect(page.locator("table")).to_contain_text(slug)
    context.close()
