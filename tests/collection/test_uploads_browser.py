"""Paper forms and counters uploaded from the dashboard in headless Chromium: download
the template, fill it in, see every problem by line and column, confirm, and find the
new counter's survey link on the counters list."""

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.collection.models import Submission
from app.questionnaires.catalog import get_catalog
from app.units.models import Unit
from tests.answers import valid_answers
from tests.factories import PASSWORD, make_account
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            bp = s.scalars(select(Unit).where(Unit.code == "BP")).one()
            make_account(s, "an@bp", "coordinator", bp)
            s.commit()
        yield server


@pytest.fixture
def page(live: Live) -> Iterator[Page]:
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(
            viewport={"width": 1280, "height": 900}, base_url=live.url, accept_downloads=True
        )
        pg = context.new_page()
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.set_default_timeout(10_000)
        pg.goto("/login")
        pg.fill("input[name=login]", "an@bp")
        pg.fill("input[name=password]", PASSWORD)
        pg.click("button:has-text('Đăng nhập')")
        pg.wait_for_url("**/dash")
        yield pg
        browser.close()
    assert errors == [], errors


def _filled(template: bytes, forms: list[tuple[str, dict[str, object]]]) -> bytes:
    """The CSV template with one copied unit row per form, saved as Vietnamese Excel does."""
    rows = list(csv.reader(io.StringIO(template.decode("utf-8-sig")), delimiter=";"))
    header, unit_row = rows[0], next(r for r in rows[1:] if r[2] == "BP-S01")
    out = [header]
    for number, answers in forms:
        row = list(unit_row)
        row[0], row[1] = number, "2026-03-02"
        for i, code in enumerate(header[4:], 4):
            v = answers.get(code, "")
            row[i] = "|".join(map(str, v)) if isinstance(v, list) else str(v)
        out.append(row)
    buf = io.StringIO()
    csv.writer(buf, delimiter=";", lineterminator="\r\n").writerows(out)
    return ("\ufeff" + buf.getvalue()).encode()


def _stored(live: Live) -> int:
    with Session(live.engine) as s:
        return s.scalar(select(func.count()).select_from(Submission)) or 0


def test_paper_forms_from_template_to_import(page: Page, live: Live) -> None:
    page.goto("/dash/campaigns/B-2026")
    page.get_by_role("link", name="Phiếu giấy").click()
    with page.expect_download() as got:
        page.get_by_role("link", name="CSV cho Excel tiếng Việt").click()
    template = Path(got.value.path()).read_bytes()
    catalog = get_catalog()
    bad = _filled(
        template,
        [
            ("1", valid_answers(catalog)),
            ("2", valid_answers(catalog, HL=7)),
            ("1", valid_answers(catalog)),
        ],
    )
    page.set_input_files(
        "input[name=file]", {"name": "phieu.csv", "mimeType": "text/csv", "buffer": bad}
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    problems = page.locator(".problems")
    expect(problems).to_contain_text("dòng 3, cột HL")
    expect(problems).to_contain_text("dòng 4, cột form")
    expect(page.get_by_role("button", name="Xác nhận và nhập")).to_have_count(0)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "paper-upload-problems.png"), full_page=True)
    assert _stored(live) == 0

    good = _filled(template, [("1", valid_answers(catalog)), ("2", valid_answers(catalog))])
    page.set_input_files(
        "input[name=file]", {"name": "phieu.csv", "mimeType": "text/csv", "buffer": good}
    )
    page.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator(".preview")).to_contain_text("không có lỗi")
    page.screenshot(path=str(SHOTS / "paper-upload-preview.png"), full_page=True)
    assert _stored(live) == 0
    page.get_by_role("button", name="Xác nhận và nhập").click()
    expect(page.locator(".ok")).to_contain_text("Đã nhập: thêm mới 2")
    assert _stored(live) == 2


def test_counters_from_a_file_then_on_the_counters_list(page: Page, live: Live) -> None:
    page.get_by_role("link", name="Đơn vị và quầy").click()
    counters = "Mã quầy;Tên quầy;Mã đơn vị\r\nbp-new;Quầy mới;BP-S01\r\n".encode()
    form = page.locator("section", has_text="Nhập quầy")
    form.locator("input[name=file]").set_input_files(
        {"name": "quay.csv", "mimeType": "text/csv", "buffer": counters}
    )
    form.get_by_role("button", name="Kiểm tra tệp").click()
    expect(page.locator(".preview")).to_contain_text("thêm mới 1")
    page.get_by_role("button", name="Xác nhận và nhập").click()
    expect(page.locator(".ok")).to_contain_text("Đã nhập: thêm mới 1")
    page.get_by_role("navigation", name="Trình đơn chính").get_by_role(
        "link", name="Quầy", exact=True
    ).click()
    row = page.locator("#counter-bp-new")
    expect(row).to_contain_text("Quầy mới")
    expect(row.get_by_role("link", name=f"{live.url}/s/bp-new")).to_be_visible()
    page.screenshot(path=str(SHOTS / "counters-list.png"), full_page=True)
