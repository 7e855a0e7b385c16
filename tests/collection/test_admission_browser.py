"""An enrolled kiosk offline for an hour: its whole queue is stored when it syncs."""

import json
from datetime import UTC, datetime, timedelta

from playwright.sync_api import expect, sync_playwright
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.collection import kiosks
from app.collection.models import Submission
from tests.collection.test_pages_browser import KIOSK, finish_with_js, wait_for
from tests.live import CHROMIUM, CHROMIUM_ARGS, live_server, need_chromium

# Enough for a replayed queue (one batch, every id once); each is a full questionnaire
# answered in the browser, so 30 cost three minutes of every CI run on each backend.
QUEUED = 12


def test_an_enrolled_kiosk_queues_a_dozen_offline_and_syncs_them_an_hour_later() -> None:
    need_chromium()
    with live_server() as live, sync_playwright() as p:
        with Session(live.engine) as s:
            enrolled = kiosks.enrol(s, "b-web", "Tablet 1")
            device_id = enrolled.device.id
            s.commit()

        def stored() -> int:
            with Session(live.engine) as s:
                n = s.scalar(
                    select(func.count())
                    .select_from(Submission)
                    .where(Submission.device_id == device_id)
                )
                return int(n or 0)

        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        # bypass_csp only lets Playwright poll with its own script (our CSP forbids eval).
        context = browser.new_context(viewport=KIOSK, base_url=live.url, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        # The tablet's clock reads an hour ago: every response it finishes is stamped
        # then, so the server receives them an hour after they were given.
        hour_ago = datetime.now(UTC) - timedelta(hours=1)
        page.clock.set_fixed_time(hour_ago)
        page.goto(f"/kiosk/enrol?token={enrolled.token}")
        page.goto("/kiosk")
        page.wait_for_url("**/s/b-web")
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")
        page.wait_for_function(
            "caches.open('sipas-v1').then(c => c.keys()).then(k => k.length >= 4)"
        )
        # The network to the API is cut at the route (Chromium's offline emulation
        # let requests from a page under a service worker through); the pages still
        # load, as they do from the kiosk's cache when everything is down.
        context.route("**/api/v1/submissions**", lambda route: route.abort("internetdisconnected"))
        for _ in range(QUEUED):
            page.goto("/s/b-web/form")
            finish_with_js(page)
            expect(page.locator("#done .queued")).to_be_visible()
        queue = json.loads(page.evaluate("localStorage.getItem('sipas.queue')"))
        assert len(queue) == QUEUED
        assert len({b["id"] for b in queue}) == QUEUED
        assert all(b["submitted_at"].startswith(hour_ago.date().isoformat()) for b in queue)
        assert stored() == 0

        context.unroute("**/api/v1/submissions**")
        # Back online: the queue goes out in one batch.
        page.evaluate("window.dispatchEvent(new Event('online'))")
        wait_for(lambda: stored() == QUEUED, 60)
        wait_for(lambda: page.evaluate("localStorage.getItem('sipas.queue')") == "[]", 20)
        assert page.evaluate("localStorage.getItem('sipas.rejected')") in (None, "[]")
        with Session(live.engine) as s:
            rows = s.scalars(select(Submission).where(Submission.device_id == device_id)).all()
            lag = [r.received_at - r.submitted_at for r in rows]
        assert min(lag) > timedelta(minutes=55)  # really replayed late, not live
        context.close()
        browser.close()
