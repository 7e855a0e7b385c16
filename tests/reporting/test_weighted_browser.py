"""The weighted figure in headless Chromium: the settings choice and the results page's
label, at 320 px and at kiosk (tablet) size, in Vietnamese and English.

Screenshots go to var/screenshots/weighted-*.png.
"""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.collection.schemas import SubmissionIn
from app.collection.service import record
from app.questionnaires.catalog import get_catalog
from tests.answers import body, valid_answers
from tests.factories import PASSWORD, make_account, make_campaign, make_counter, make_unit
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
SHOTS.mkdir(parents=True, exist_ok=True)
SIZES = {"phone": {"width": 320, "height": 640}, "kiosk": {"width": 800, "height": 1280}}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    with live_server() as server:
        with Session(server.engine) as s:
            catalog = get_catalog()
            q = catalog.get("sipas-2017", 1)
            assert q is not None
            p = make_unit(s, "WP", name="Tỉnh WP")
            scope = [
                make_unit(
                    s, "WP-TT", "service_centre", p, name="Trung tâm Phục vụ hành chính công"
                ),
                make_unit(s, "WP-S1", "department", p, name="Sở Tư pháp"),
                make_unit(s, "WP-S2", "department", p, name="Sở Xây dựng"),
            ]
            for u in scope:
                make_counter(s, f"wk-{u.code}", u)
            c = make_campaign(s, catalog, "C-WB", scope, min_sample=3)
            campaigns.targets_from_transactions(
                s, c, b"unit,transactions\nWP-TT,200\nWP-S1,400\nWP-S2,400\n", 0.05
            )
            for counter, satisfied, n in (
                ("wk-WP-TT", 8, 16),
                ("wk-WP-S1", 4, 5),
                ("wk-WP-S2", 3, 4),
            ):
                for i in range(n):
                    level = 5 if i < satisfied else 2
                    answers = valid_answers(catalog, level=5, **dict.fromkeys(q.criteria, level))
                    record(
                        s,
                        catalog,
                        SubmissionIn.model_validate(
                            body(catalog, counter=counter, answers=answers)
                        ),
                    )
            make_account(s, "lan@wp", "coordinator")
            s.commit()
        yield server


@pytest.mark.parametrize("size", list(SIZES))
def test_a_coordinator_chooses_weighted_and_sees_the_label(live: Live, size: str) -> None:
    errors: list[str] = []
    width = SIZES[size]["width"]
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=SIZES[size], base_url=live.url).new_page()  # type: ignore[arg-type]
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(15_000)
        page.goto("/login")
        page.fill("input[name=login]", "lan@wp")
        page.fill("input[name=password]", PASSWORD)
        page.click("button:has-text('Đăng nhập')")
        page.goto("/dash/campaigns/C-WB/settings?lang=vi")
        page.check("input[name=aggregate][value=weighted]")
        page.screenshot(path=SHOTS / f"weighted-settings-{size}-vi.png", full_page=True)
        page.click("form:has(input[name=aggregate]) button.primary")
        expect(page.locator("input[name=aggregate][value=weighted]")).to_be_checked()
        for lang, words, value in (
            ("vi", "gia quyền theo số hồ sơ", "72,0"),
            ("en", "weighted by dossiers", "72.0"),
        ):
            page.goto(f"/dash/campaigns/C-WB/results?lang={lang}")
            overall = page.locator("#overall")
            expect(overall).to_contain_text(words)
            expect(overall).to_contain_text(value)
            page.screenshot(path=SHOTS / f"weighted-results-{size}-{lang}.png", full_page=True)
            scrolled = page.evaluate("document.querySelector('#overall').scrollWidth")
            assert scrolled <= width, f"the overall line is {scrolled} px wide at {width} px"
        browser.close()
    assert errors == []
