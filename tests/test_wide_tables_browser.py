"""Every wide table of the dashboard and the public pages on a 320 px phone, over the
demo as `sipas demo` builds it, signed in with the accounts it prints: scrolled to its
right end, each row's name (and in a league, its rank) is still on the screen, in
Vietnamese and English.

Screenshots go to var/screenshots/wide-*.png (scrolled to the right end).
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.collection.models import Submission
from app.demo import (
    CAMPAIGN,
    PREVIOUS,
    build_previous,
    build_tree,
    demo_accounts,
    load_submissions,
    publish_previous,
)
from app.questionnaires.catalog import get_catalog
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

SHOTS = Path(__file__).resolve().parents[1] / "var" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
PHONE = {"width": 320, "height": 640}
D = f"/dash/campaigns/{CAMPAIGN}"

# For each table on the page: scroll its box to the right end, then measure, for the
# head, the first body rows and the foot, the sticky cells (the first; in a league,
# the rank and the unit) and the row's last cell.
MEASURE = """() => [...document.querySelectorAll('main table')]
  .filter(t => !t.closest('.sr-only') && t.offsetParent !== null)
  .map(t => {
    const box = t.scrollWidth > t.clientWidth ? t : t.parentElement;
    const scrolls = box.scrollWidth > box.clientWidth + 1;
    box.scrollLeft = box.scrollWidth;
    const keep = t.classList.contains('keep2') ? 2 : 1;
    const rows = [t.tHead && t.tHead.rows[0], ...[...t.tBodies].flatMap(b => [...b.rows].slice(0, 3)),
                  t.tFoot && t.tFoot.rows[0]].filter(r => r && r.cells.length > 1);
    const rect = c => { const r = c.getBoundingClientRect(); return [r.left, r.right]; };
    return {id: t.id || t.className || 'table', scrolls, keep,
            rows: rows.map(r => ({kept: [...r.cells].slice(0, keep).map(rect),
                                  header: [...r.cells].findIndex(c => c.scope === 'row'),
                                  last: rect(r.cells[r.cells.length - 1]),
                                  text: r.cells[keep - 1].innerText}))};
  })"""


SHOW_FIRST = """() => { const t = [...document.querySelectorAll('main table')]
  .find(t => !t.closest('.sr-only') && t.offsetParent !== null); if (t) t.scrollIntoView(); }"""


@pytest.fixture(scope="module")
def live() -> Iterator[tuple[Live, dict[str, str], str]]:
    need_chromium()
    with live_server() as server:
        catalog = get_catalog()
        with Session(server.engine) as s:
            campaign, pairs = build_tree(s, catalog)
            previous = build_previous(s, catalog, pairs)
            load_submissions(s, catalog, campaign, pairs, 1200, 6, extras=True)
            load_submissions(s, catalog, previous, pairs, 600, 6, extras=True)
            assert publish_previous(s, catalog, previous) == 1
            people = {p.login: p.password for p in demo_accounts(s)}
            rid = str(
                s.scalars(
                    select(Submission.id).where(Submission.campaign_id == campaign.id)
                ).first()
            )
            s.commit()
        yield server, people, rid


def _browse(live: Live, login: str, password: str) -> Iterator[Page]:
    errors: list[str] = []
    with sync_playwright() as p:
        browser: Browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE, base_url=live.url)  # type: ignore[arg-type]
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.set_default_timeout(15_000)
        page.goto("/login")
        page.fill("input[name=login]", login)
        page.fill("input[name=password]", password)
        page.click("button:has-text('Đăng nhập')")
        expect(page.locator("h1")).to_have_text("Đợt khảo sát")
        yield page
        browser.close()
    assert errors == [], f"errors in the browser: {errors}"


def _check(page: Page, path: str, shot: str) -> list[dict[str, Any]]:
    """Open `path`; every table, scrolled to its right end, keeps its names on screen."""
    response = page.goto(path)
    assert response is not None
    assert response.status == 200, path
    width = PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, f"{path} scrolls"
    tables: list[dict[str, Any]] = page.evaluate(MEASURE)
    assert tables, f"no table on {path}"
    for t in tables:
        for row in t["rows"]:
            # The row's name (its row header, if it has one) is among the cells that stay.
            assert row["header"] < t["keep"], f"{path} #{t['id']}: the name scrolls away"
            for left, right in row["kept"]:
                assert 0 <= left <= right <= width + 0.5, (
                    f"{path} #{t['id']}: {row['text']!r} is off the screen "
                    f"({left:.0f}–{right:.0f} px) once the table is scrolled"
                )
            if t["keep"] == 2:  # the name is beside the rank (or checkbox), not under it
                assert row["kept"][1][0] >= row["kept"][0][1] - 0.5, (path, t["id"], row)
            if t["scrolls"]:  # the right end was reached: the last column is on screen too
                assert row["last"][1] <= width + 0.5, (path, t["id"], row)
    page.evaluate(SHOW_FIRST)
    page.screenshot(path=SHOTS / f"wide-{shot}.png")
    return tables


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_coordinators_wide_tables_keep_the_unit_on_a_phone(
    live: tuple[Live, dict[str, str], str], lang: str
) -> None:
    server, people, rid = live
    for page in _browse(server, "dieuphoi@demo", people["dieuphoi@demo"]):
        results = _check(page, f"{D}/results?lang={lang}&compare={PREVIOUS}", f"results-{lang}")
        leagues = {t["id"]: t for t in results}
        assert leagues["results-commune"]["scrolls"]  # the case this is about
        assert leagues["results-commune"]["keep"] == 2
        names = [r["text"] for r in leagues["results-department"]["rows"]]
        assert any("DEMO-S" in n for n in names), names
        commune = f"{D}/results?lang={lang}&level=commune"
        _check(page, commune, f"results-commune-{lang}")
        _check(page, f"{D}?lang={lang}", f"progress-{lang}")
        _check(page, f"{D}/responses?lang={lang}&state=all", f"responses-{lang}")
        _check(page, f"{D}/responses/{rid}?lang={lang}", f"response-{lang}")
        _check(page, f"{D}/settings?lang={lang}", f"settings-{lang}")
        _check(page, f"{D}/publish?lang={lang}", f"publish-{lang}")
        _check(page, f"/dash?lang={lang}", f"campaigns-{lang}")
        _check(page, f"/dash/counters?lang={lang}", f"counters-{lang}")
        _check(page, f"/dash/campaigns/{PREVIOUS}/publish?lang={lang}", f"editions-{lang}")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_an_admins_and_the_publics_wide_tables_keep_the_name_on_a_phone(
    live: tuple[Live, dict[str, str], str], lang: str
) -> None:
    server, people, _ = live
    for page in _browse(server, "quantri@demo", people["quantri@demo"]):
        _check(page, f"/dash/users?lang={lang}", f"users-{lang}")
        _check(page, f"/dash/audit?lang={lang}", f"audit-{lang}")
        public = _check(page, f"/results/{PREVIOUS}?lang={lang}", f"public-results-{lang}")
        assert all(t["keep"] == 2 for t in public)
        _check(page, f"/results/{PREVIOUS}/units/DEMO-S02?lang={lang}", f"public-unit-{lang}")
