"""An interviewer's phone (320 px) in the field: sign in, pick a village, fill two
households' forms without network, and see them stored when the network returns."""

import json

from playwright.sync_api import ViewportSize, expect, sync_playwright
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import Account
from app.collection.models import Submission
from app.questionnaires.catalog import get_catalog
from tests.collection.test_households import household_campaign
from tests.collection.test_pages_browser import finish_with_js, wait_for
from tests.factories import PASSWORD, make_account, make_unit
from tests.live import CHROMIUM, CHROMIUM_ARGS, live_server, need_chromium

NARROW: ViewportSize = {"width": 320, "height": 640}


def test_an_interviewer_fills_forms_offline_in_a_village_and_they_arrive_online() -> None:
    need_chromium()
    with live_server() as live, sync_playwright() as p:
        with Session(live.engine) as s:
            province = make_unit(s, "LS", name="Tỉnh Lạng Sơn")
            commune = make_unit(s, "LS-X1", "commune", province, name="Xã Hoàng Đồng")
            t1 = make_unit(s, "LS-T1", "village", commune, name="Thôn Bản Ngõ")
            t2 = make_unit(s, "LS-T2", "village", commune, name="Thôn Khòn Pát")
            household_campaign(s, get_catalog(), "LS-HO", [t1, t2])
            make_account(s, "thu@ls", "interviewer", commune)
            s.commit()

        def stored() -> list[Submission]:
            with Session(live.engine) as s:
                return list(s.scalars(select(Submission)).all())

        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=NARROW, base_url=live.url, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/login")
        page.fill("input[name=login]", "thu@ls")
        page.fill("input[name=password]", PASSWORD)
        page.click("button.primary")
        page.wait_for_url("**/s/interview")
        expect(page.locator("#v-LS-T1")).to_contain_text("Thôn Bản Ngõ")
        expect(page.locator("#v-LS-T2")).to_be_visible()
        # Nothing wider than the phone.
        assert page.evaluate("document.documentElement.scrollWidth") <= 320
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")
        page.wait_for_function(
            "caches.open('sipas-v1').then(c => c.match('/s/village/LS-T2/form')).then(Boolean)"
        )

        # No network for the API (the pages still come, as from the phone's cache).
        context.route("**/api/v1/submissions**", lambda route: route.abort("internetdisconnected"))
        page.click("#v-LS-T1 a.primary")
        page.wait_for_url("**/s/village/LS-T1/form")
        expect(page.locator("#interview-mode")).to_be_visible()
        first = finish_with_js(page)
        expect(page.locator("#done .queued")).to_be_visible()
        page.click("#next-household")
        page.wait_for_url("**/s/village/LS-T1/form")
        second = finish_with_js(page)
        assert second != first
        expect(page.locator("#done .queued")).to_be_visible()
        queue = json.loads(page.evaluate("localStorage.getItem('sipas.queue')"))
        assert [(b["unit"], b["channel"], "counter" in b) for b in queue] == [
            ("LS-T1", "interview", False)
        ] * 2
        assert stored() == []

        context.unroute("**/api/v1/submissions**")
        page.evaluate("window.dispatchEvent(new Event('online'))")
        wait_for(lambda: len(stored()) == 2, 60)
        wait_for(lambda: page.evaluate("localStorage.getItem('sipas.queue')") == "[]", 20)
        # Online: the next village's form goes at once.
        page.goto("/s/interview")
        page.click("#v-LS-T2 a.primary")
        page.wait_for_url("**/s/village/LS-T2/form")
        finish_with_js(page)
        expect(page.locator("#done .queued")).to_be_hidden()
        wait_for(lambda: len(stored()) == 3, 20)
        with Session(live.engine) as s:
            thu = s.scalar(select(Account.id).where(Account.login == "thu@ls"))
        rows = stored()
        assert {str(r.id) for r in rows} >= {first, second}
        assert {(r.channel, r.interviewer_id, r.counter_id) for r in rows} == {
            ("interview", thu, None)
        }
        context.close()
        browser.close()
