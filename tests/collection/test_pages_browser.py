"""The respondent pages in headless Chromium, at phone and kiosk sizes.

Drives the real pages the way a respondent does: with and without JavaScript, in
both languages, through the late-case branch, the kiosk idle reset, and a network
drop while sending.
"""

import json
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from playwright.sync_api import (
    Browser,
    Locator,
    Page,
    Route,
    ViewportSize,
    expect,
    sync_playwright,
)
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.campaigns.models import QuotaPolicy
from app.collection import admission
from app.collection.models import Submission
from app.core.config import get_settings
from app.core.db import session_scope
from app.questionnaires import quality
from app.questionnaires.catalog import get_catalog
from app.units.models import Counter
from tests.answers import body
from tests.factories import make_campaign, make_counter, make_unit
from tests.live import CHROMIUM, CHROMIUM_ARGS, Live, live_server, need_chromium

PHONE: ViewportSize = {"width": 390, "height": 844}
KIOSK: ViewportSize = {"width": 1280, "height": 800}
SIZES: dict[str, ViewportSize] = {"phone": PHONE, "kiosk": KIOSK}
# Short kiosk timers so the idle and thank-you resets happen within a test.
KIOSK_TIMERS = {"KIOSK_IDLE_SECONDS": 2, "KIOSK_WARN_SECONDS": 2, "KIOSK_RESTART_SECONDS": 2}


@pytest.fixture(scope="module")
def live() -> Iterator[Live]:
    need_chromium()
    settings = get_settings()
    before = {k: getattr(settings, k) for k in KIOSK_TIMERS}
    for k, v in KIOSK_TIMERS.items():
        setattr(settings, k, v)
    try:
        with live_server() as server:
            yield server
    finally:
        for k, v in before.items():
            setattr(settings, k, v)


@pytest.fixture(scope="module")
def browser(live: Live) -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


NewPage = Callable[..., Page]


@pytest.fixture
def new_page(browser: Browser, live: Live) -> Iterator[NewPage]:
    contexts = []
    errors: list[str] = []

    def make(size: str = "phone", js: bool = True) -> Page:
        context = browser.new_context(
            viewport=SIZES[size], java_script_enabled=js, base_url=live.url
        )
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.set_default_timeout(10_000)
        return page

    yield make
    for c in contexts:
        c.close()
    assert errors == [], f"script errors on the page: {errors}"


def stored(live: Live, response_id: str) -> Submission | None:
    with Session(live.engine) as s:
        return s.get(Submission, uuid.UUID(response_id))


def count(live: Live, response_id: str) -> int:
    with Session(live.engine) as s:
        n = s.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.id == uuid.UUID(response_id))
        )
        return int(n or 0)


def fill(scope: Page | Locator, late: bool = False) -> None:
    """Answer every question visible in `scope`: 'Satisfied' on the scale, the first
    option elsewhere, 'late' or 'on time' for the return date."""
    for fs in scope.locator("fieldset.q").all():
        if not fs.is_visible():
            continue
        kind = fs.get_attribute("class") or ""
        code = (fs.get_attribute("id") or "")[2:]
        if "scale" in kind:
            fs.locator("label.s4").click()
        elif code == "timeliness":
            fs.locator(f"label:has(input[value={'late' if late else 'on_time'}])").click()
        elif ("single" in kind or "multi" in kind) and not fs.locator("input:checked").count():
            fs.locator("label.o").first.click()


def finish_with_js(page: Page, late: bool = False) -> str:
    """Answer group by group with Next, then Send; returns the response id."""
    response_id = page.input_value("input[name=id]")
    for _ in range(20):
        step = page.locator("section.step.on")
        fill(step, late)
        if page.locator("[data-send]").is_visible():
            page.click("[data-send]")
            return response_id
        page.click("[data-next]")
    raise AssertionError("never reached the last group")


def reach(page: Page, question: str) -> None:
    """Answer part after part with Next until `question`'s part is on screen."""
    for _ in range(20):
        if page.locator(f"section.step.on #q-{question}").count():
            return
        fill(page.locator("section.step.on"))
        page.click("[data-next]")
    raise AssertionError(f"never reached {question}")


def wait_for(check: Callable[[], bool], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.2)


@pytest.mark.parametrize(
    ("lang", "size", "words"),
    [
        ("vi", "phone", ("Bắt đầu", "Phần 1/17", "Xin cảm ơn!")),
        ("en", "kiosk", ("Start", "Part 1 of 17", "Thank you!")),
    ],
)
def test_full_questionnaire_with_javascript(
    new_page: NewPage, live: Live, lang: str, size: str, words: tuple[str, str, str]
) -> None:
    page = new_page(size)
    page.goto(f"/s/b-web?lang={lang}")
    page.get_by_role("link", name=words[0]).click()
    expect(page.locator(".progress span")).to_have_text(words[1])
    assert page.locator("section.step.on").count() == 1  # one group per screen
    url = page.url
    response_id = finish_with_js(page)
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#done h1")).to_have_text(words[2])
    expect(page.locator("#done .queued")).to_be_hidden()
    assert page.url == url  # no page load on the way
    row = stored(live, response_id)
    assert row is not None
    assert row.channel == "web"
    assert row.answers["TC1"] == 4
    assert row.answers["HL"] == 4
    assert row.answers["timeliness"] == "on_time"
    assert "late_notified" not in row.answers
    assert row.started_at is not None
    assert row.started_at <= row.submitted_at


@pytest.mark.parametrize(("lang", "size"), [("vi", "phone"), ("en", "kiosk")])
def test_full_questionnaire_without_javascript_with_the_late_branch(
    new_page: NewPage, live: Live, lang: str, size: str
) -> None:
    page = new_page(size, js=False)
    page.goto(f"/s/b-web?lang={lang}")
    page.click("#start")
    response_id = page.input_value("input[name=id]")
    assert page.locator("section.step").count() == 17  # all groups on one page
    expect(page.locator("#q-late_notified")).to_be_hidden()
    fill(page, late=True)
    expect(page.locator("#q-late_notified")).to_be_visible()  # shown by CSS, no script
    page.click("[data-send]")
    page.wait_for_url("**/s/b-web/thanks")
    assert page.locator("h1").inner_text() == ("Xin cảm ơn!" if lang == "vi" else "Thank you!")
    row = stored(live, response_id)
    assert row is not None
    assert row.answers["timeliness"] == "late"
    assert "late_notified" in row.answers
    assert "late_apology" in row.answers


def test_validation_errors_beside_the_question(new_page: NewPage, live: Live) -> None:
    page = new_page("phone")
    page.goto("/s/b-web/form")
    page.click("[data-next]")
    error = page.locator("#e-respondent_type")
    expect(error).to_have_text("Vui lòng trả lời câu hỏi này.")
    expect(page.locator(".progress span")).to_have_text("Phần 1/17")  # not moved on
    page.locator("#q-respondent_type label.o").first.click()
    expect(error).to_be_hidden()  # cleared as soon as it is answered
    # Without JavaScript the server says the same, beside the same question.
    plain = new_page("phone", js=False)
    plain.goto("/s/b-web/form")
    plain.locator("#q-TC1 label.s5").click()
    plain.click("[data-send]")
    expect(plain.locator("#e-respondent_type")).to_have_text("Vui lòng trả lời câu hỏi này.")
    expect(plain.locator(".summary")).to_be_visible()
    assert plain.locator("#q-TC1 input[value='5']").is_checked()  # answers kept


def test_late_branch_with_javascript(new_page: NewPage, live: Live) -> None:
    page = new_page("phone")
    page.goto("/s/b-web/form")
    reach(page, "timeliness")
    follow_up = page.locator("#q-late_notified")
    expect(follow_up).to_be_hidden()
    page.locator("#q-timeliness label:has(input[value=late])").click()
    expect(follow_up).to_be_visible()
    follow_up.locator("label:has(input[value=yes])").click()
    page.locator("#q-timeliness label:has(input[value=on_time])").click()
    expect(follow_up).to_be_hidden()
    page.locator("#q-timeliness label:has(input[value=late])").click()
    assert not follow_up.locator("input:checked").count()  # a hidden answer is cleared
    response_id = finish_with_js(page, late=True)
    expect(page.locator("#done")).to_be_visible()
    row = stored(live, response_id)
    assert row is not None
    assert row.answers["late_notified"] == "yes"


def test_kiosk_idle_warns_then_resets_and_discards(new_page: NewPage, live: Live) -> None:
    page = new_page("kiosk")
    page.goto("/s/b-kiosk")
    assert page.locator("html.kiosk").count() == 1
    assert page.locator("main a").count() == 1  # Start is the only way on; no links out
    page.click("#start")
    response_id = page.input_value("input[name=id]")
    page.locator("#q-respondent_type label.o").first.click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_be_visible(timeout=6000)
    # "Continue" keeps the answers and restarts the clock.
    dialog.get_by_role("button").click()
    expect(dialog).to_be_hidden()
    assert page.locator("#q-respondent_type input:checked").count() == 1
    expect(dialog).to_be_visible(timeout=6000)
    page.wait_for_url("**/s/b-kiosk", timeout=8000)  # back to the start screen
    page.click("#start")
    assert page.locator("input:checked").count() == 0
    assert page.input_value("input[name=id]") != response_id
    assert count(live, response_id) == 0


def test_kiosk_thank_you_returns_to_start(new_page: NewPage, live: Live) -> None:
    page = new_page("kiosk")
    page.goto("/s/b-kiosk/form")
    response_id = finish_with_js(page)
    expect(page.locator("#done")).to_be_visible()
    page.wait_for_url("**/s/b-kiosk", timeout=8000)
    row = stored(live, response_id)
    assert row is not None
    assert row.channel == "kiosk"
    page.go_back()  # no way back into the finished response
    assert page.locator("input:checked").count() == 0


def test_offline_response_is_kept_and_stored_exactly_once(new_page: NewPage, live: Live) -> None:
    page = new_page("phone")
    page.goto("/s/b-web/form")
    page.context.set_offline(True)
    response_id = finish_with_js(page)
    expect(page.locator("#done .queued")).to_be_visible()
    assert "gửi khi có mạng" in page.locator("#done .queued").inner_text()
    assert count(live, response_id) == 0
    page.context.set_offline(False)
    wait_for(lambda: count(live, response_id) == 1)
    wait_for(lambda: page.evaluate("localStorage.getItem('sipas.queue')") == "[]", 10)
    page.goto("/s/b-web")  # another load flushes again: nothing left to send
    page.wait_for_timeout(500)
    assert count(live, response_id) == 1


def _min_contrast(page: Page) -> float:
    return float(
        page.evaluate(
            """() => {
      const lum = c => { const [r,g,b] = c.match(/[\\d.]+/g).slice(0,3).map(Number).map(v => {
        v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
        return 0.2126*r + 0.7152*g + 0.0722*b; };
      const bg = el => { for (; el; el = el.parentElement) { const c = getComputedStyle(el).backgroundColor;
        if (!/rgba\\(.*, 0\\)$/.test(c) && c !== 'transparent') return c; } return 'rgb(255,255,255)'; };
      let worst = 21;
      for (const el of document.querySelectorAll('body *')) {
        if (!el.offsetParent || ![...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())) continue;
        const a = lum(getComputedStyle(el).color), b = lum(bg(el));
        worst = Math.min(worst, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
      }
      return worst; }"""
        )
    )


@pytest.mark.parametrize("size", ["phone", "kiosk"])
def test_accessibility_basics(new_page: NewPage, live: Live, size: str) -> None:
    page = new_page(size)
    page.goto("/s/b-web/form")
    page.locator("#q-respondent_type label.o").first.click()  # a checked option too
    page.click("[data-next]")  # and error messages (the other questions are unanswered)
    expect(page.locator("#e-service_field")).to_be_visible()
    # Every choice has a name a screen reader reads out; every group a legend.
    for box in page.locator("input[type=radio], input[type=checkbox]").all()[:60]:
        assert box.evaluate("e => e.labels.length") == 1
    assert page.locator("fieldset.q").count() == page.locator("fieldset.q > legend").count()
    # Targets at least 48 px.
    for target in page.locator(".step.on .o .box:visible, .nav button:visible, .lang").all():
        b = target.bounding_box()
        assert b is not None
        assert min(b["height"], b["width"]) >= 48, b
    assert _min_contrast(page) >= 4.5
    # Keyboard: focus lands on an option and is visibly outlined.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate(
        "() => getComputedStyle(document.activeElement.closest('label,a,button') "
        "|| document.activeElement).outlineStyle"
    )
    assert outline != "none"


# A 320 px phone; a 640 px phone at 200 % zoom (320 CSS px drawn on 640 device
# pixels); a 1280 px kiosk at 200 % zoom (640 CSS px).
NARROW: list[tuple[ViewportSize, int]] = [
    ({"width": 320, "height": 640}, 1),
    ({"width": 320, "height": 640}, 2),
    ({"width": 640, "height": 400}, 1),
]


def _overflow(page: Page, width: int) -> list[str]:
    """What sticks out to the right of a `width` px viewport, or makes it scroll."""
    return list(
        page.evaluate(
            """w => { const out = [];
      if (document.documentElement.scrollWidth > w) out.push('scrollWidth ' + document.documentElement.scrollWidth);
      for (const e of document.querySelectorAll('main *, header *')) {
        const r = e.getBoundingClientRect();
        if (r.width && r.right > w + 0.5) out.push((e.id || e.className || e.tagName) + ' ' + Math.round(r.right));
      }
      return out.slice(0, 5); }""",
            width,
        )
    )


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize(("viewport", "scale"), NARROW, ids=["320", "640@200%", "1280@200%"])
def test_every_part_reflows_at_320_px_and_200_percent_zoom(
    browser: Browser, live: Live, lang: str, viewport: ViewportSize, scale: int
) -> None:
    """No sideways scrolling on any page or part, in either language (WCAG 1.4.10):
    the English five-face scale once ran to x = 368 in a 320 px phone."""
    context = browser.new_context(viewport=viewport, device_scale_factor=scale, base_url=live.url)
    try:
        page = context.new_page()
        for path in ("/", "/s/b-web", "/s/b-web/thanks", "/kiosk"):
            page.goto(f"{path}?lang={lang}")
            assert _overflow(page, viewport["width"]) == [], path
        plain = browser.new_context(
            viewport=viewport,
            device_scale_factor=scale,
            base_url=live.url,
            java_script_enabled=False,
        ).new_page()
        # Without the script every part is on the page at once, follow-ups included.
        plain.goto(f"/s/b-web/form?lang={lang}")
        # Answer "late" so the follow-ups show (by CSS alone), and one of each other.
        plain.evaluate(
            """() => { for (const fs of document.querySelectorAll('fieldset.q')) {
          const late = fs.querySelector('input[value=late]');
          (late || fs.querySelector('input[type=radio], input[type=checkbox]') || {}).checked = true; } }"""
        )
        expect(plain.locator("#q-late_notified")).to_be_visible()
        assert plain.locator("section.step").count() == 17
        assert _overflow(plain, viewport["width"]) == []
        # The faces and words of the scale stay 48 px targets.
        smallest = plain.evaluate(
            """() => Math.min(...[...document.querySelectorAll('.o .box')]
          .map(b => b.getBoundingClientRect()).filter(r => r.width)
          .map(r => Math.min(r.width, r.height)))"""
        )
        assert smallest >= 48
        plain.context.close()
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_part_is_longer_than_about_two_phone_screens(
    browser: Browser, live: Live, lang: str
) -> None:
    """Part 1 was 4.9 screens of a 320 x 640 phone (16 fields of activity and ten
    more questions); the questionnaire's `breaks` cut long sections into screens."""
    context = browser.new_context(viewport={"width": 320, "height": 640}, base_url=live.url)
    try:
        page = context.new_page()
        page.goto(f"/s/b-web/form?lang={lang}")
        screens = []
        for n in range(page.locator("section.step").count()):
            if n:
                page.click("[data-next]")
            fill(page.locator("section.step.on"), late=True)  # the late branch shown too
            screens.append(
                page.evaluate("document.documentElement.scrollHeight / window.innerHeight")
            )
            assert _overflow(page, 320) == [], n + 1  # each part as the script shows it
        assert len(screens) == 17
        assert max(screens) <= 2.4, [round(x, 2) for x in screens]
    finally:
        context.close()


def test_kiosk_keeps_working_while_the_server_is_unreachable(browser: Browser) -> None:
    """A kiosk whose network drops finishes responses, returns to its start screen
    from its own cache, and sends everything once the server is back."""
    with live_server() as own:  # its own server, so stopping it disturbs no other test
        # bypass_csp only lets Playwright poll with its own script (our CSP forbids eval).
        context = browser.new_context(viewport=KIOSK, base_url=own.url, bypass_csp=True)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto("/s/b-kiosk")
        page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller")
        page.wait_for_function(
            "caches.open('sipas-v1').then(c => c.keys()).then(k => k.length >= 4)"
        )
        page.click("#start")
        first = finish_with_js(page)
        expect(page.locator("#done")).to_be_visible()
        own.stop()  # the network drops
        page.wait_for_url("**/s/b-kiosk", timeout=8000)
        page.click("#start")  # the form comes from the kiosk's cache
        second = page.input_value("input[name=id]")
        assert second != first
        finish_with_js(page)
        expect(page.locator("#done .queued")).to_be_visible()
        page.wait_for_url("**/s/b-kiosk", timeout=8000)  # and back to the start, offline
        expect(page.locator("#start")).to_be_visible()
        assert count(own, first) == 1
        assert count(own, second) == 0
        own.start()  # back online: the queue is sent on the next try
        page.evaluate("window.dispatchEvent(new Event('online'))")
        wait_for(lambda: count(own, second) == 1)
        context.close()


def test_a_target_filled_while_answering_ends_with_a_polite_message(
    new_page: NewPage, live: Live
) -> None:
    catalog = get_catalog()
    with Session(live.engine) as s:
        unit = make_unit(s, "BQ")
        make_counter(s, "b-full", unit)
        c = make_campaign(s, catalog, "BQ-2026", [unit])
        c.quota_policy = QuotaPolicy.stop
        campaigns.set_targets(s, c, {"BQ": 1})
        s.commit()
    page = new_page("phone")
    page.goto("/s/b-full/form")
    # Someone at the next counter takes the last place while this respondent answers.
    r = httpx.post(f"{live.url}/api/v1/submissions", json=body(catalog, counter="b-full"))
    assert r.status_code == 201
    response_id = finish_with_js(page)
    expect(page.locator("h1")).to_have_text("Xin cảm ơn Ông/Bà")
    expect(page.locator("main")).to_contain_text("đã nhận đủ số phiếu cần thiết")
    assert count(live, response_id) == 0


def test_the_script_sends_the_dossier_code_of_a_result_slip_link(
    new_page: NewPage, live: Live
) -> None:
    page = new_page("phone")
    page.goto("/s/b-web?d=H58-0042")
    page.click("#start")
    response_id = finish_with_js(page)
    # Visible, not only present: the thank-you screen is in the page from the start.
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#done .queued")).to_be_hidden()
    row = stored(live, response_id)
    assert row is not None
    assert row.dossier_hash == quality.dossier_hash("H58-0042")


def wait_on(page: Page, check: Callable[[], bool], seconds: float = 10) -> None:
    """wait_for, but waiting inside Playwright, so that page.route handlers run."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        page.wait_for_timeout(200)


def _queue(page: Page, items: list[dict[str, object]]) -> None:
    """Put responses in the page's offline queue, as if sent while offline; the next
    page load sends them. ensure_ascii: NUL and lone surrogates travel as escapes."""
    page.evaluate(
        "raw => localStorage.setItem('sipas.queue', JSON.stringify(JSON.parse(raw)))",
        json.dumps(items, ensure_ascii=True),
    )


def _queued_items(
    live: Live, n_bad: int = 0
) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    catalog = get_catalog()
    # An hour old: a replayed queue, not live traffic, so no rate limit applies; each
    # carries the token of the form it was answered on, as the page stores it.
    when = datetime.now(UTC) - timedelta(hours=1)
    at = {"submitted_at": when.isoformat(), "started_at": (when - timedelta(minutes=3)).isoformat()}

    def token() -> str | None:
        with session_scope(live.engine) as s:
            counter_id = s.scalar(select(Counter.id).where(Counter.code == "b-web"))
            assert counter_id is not None
            return admission.issue(s, counter_id, None, when - timedelta(minutes=5))

    good = [
        body(catalog, counter="b-web", channel="web", form_token=token(), **at) for _ in range(2)
    ]
    comments = ["a\x00b", "half a pair \ud800"][:n_bad]
    bad = [
        body(
            catalog,
            counter="b-web",
            channel="web",
            answers={**body(catalog)["answers"], "comment": c},
            form_token=token(),
            **at,
        )
        for c in comments
    ]
    return good, bad


def test_a_bad_queued_response_does_not_block_the_ones_after_it(
    new_page: NewPage, live: Live
) -> None:
    good, bad = _queued_items(live, n_bad=2)
    page = new_page("kiosk")
    page.goto("/s/b-web")
    _queue(page, [good[0], *bad, good[1]])
    page.reload()
    wait_for(lambda: all(count(live, str(b["id"])) == 1 for b in good), 10)
    wait_for(lambda: page.evaluate("localStorage.getItem('sipas.queue')") == "[]", 10)
    rejected = page.evaluate("JSON.parse(localStorage.getItem('sipas.rejected'))")
    assert [(r["id"], r["status"]) for r in rejected] == [(b["id"], 422) for b in bad]
    assert rejected[0]["fields"][0]["loc"] == "answers.comment"
    assert page.evaluate("document.documentElement.dataset.rejected") == "2"


def test_a_batch_refused_as_a_whole_is_sent_one_by_one(new_page: NewPage, live: Live) -> None:
    """A server that refuses the whole batch for one item (a body it cannot read, a
    bug on one item) must not hold back the others: the script sends one at a time,
    sets aside what is judged invalid, and keeps what failed for the server's sake."""
    good, bad = _queued_items(live, n_bad=1)
    hostile = str(bad[0]["id"])

    def refuse_with_the_culprit(route: Route) -> None:
        sent = route.request.post_data or ""
        if hostile in sent:
            route.fulfill(
                status=422, json={"error": "invalid", "detail": "unreadable", "fields": []}
            )
        else:
            route.continue_()

    page = new_page("phone")
    page.goto("/s/b-web")
    page.route("**/api/v1/submissions/batch", refuse_with_the_culprit)
    _queue(page, [good[0], bad[0], good[1]])
    page.reload()
    # Route handlers run only while Playwright is called: wait through the page.
    wait_on(page, lambda: all(count(live, str(b["id"])) == 1 for b in good))
    wait_on(page, lambda: page.evaluate("localStorage.getItem('sipas.queue')") == "[]")
    rejected = page.evaluate("JSON.parse(localStorage.getItem('sipas.rejected'))")
    assert [r["id"] for r in rejected] == [hostile]


@pytest.mark.parametrize(
    "answer",
    [
        {"status": 503, "headers": {"Retry-After": "5"}, "json": {"error": "unavailable"}},
        {"status": 500, "json": {"error": "internal"}},
        {"status": 429, "headers": {"Retry-After": "60"}, "json": {"error": "rate_limited"}},
        "per-item 429",
    ],
)
def test_queued_responses_stay_while_the_server_cannot_take_them(
    new_page: NewPage, live: Live, answer: object
) -> None:
    good, _ = _queued_items(live)
    seen: list[str] = []

    def fail(route: Route) -> None:
        seen.append(route.request.post_data or "")
        if answer == "per-item 429":
            results = [{"id": b["id"], "status": 429, "error": "rate_limited"} for b in good]
            route.fulfill(status=200, json={"results": results})
        else:
            assert isinstance(answer, dict)
            route.fulfill(**answer)

    page = new_page("phone")
    page.goto("/s/b-web")
    page.route("**/api/v1/submissions/batch", fail)
    _queue(page, good)
    page.reload()
    wait_on(page, lambda: len(seen) >= 1)
    page.wait_for_timeout(1000)
    queued = page.evaluate("JSON.parse(localStorage.getItem('sipas.queue'))")
    assert [b["id"] for b in queued] == [b["id"] for b in good]
    assert page.evaluate("localStorage.getItem('sipas.rejected')") is None
    # A 500 is tried item by item once (it may be one item's fault); the rest wait.
    assert len(seen) <= (
        1 + len(good) if answer == {"status": 500, "json": {"error": "internal"}} else 1
    )


@pytest.mark.parametrize("js", [True, False], ids=["script", "no-script"])
def test_enter_on_an_answer_never_switches_the_language(
    new_page: NewPage, live: Live, js: bool
) -> None:
    """The header's language button was the form's first submit button, so Enter on
    a radio or in a text box switched the whole form to English."""
    page = new_page("phone", js=js)
    page.goto("/s/b-web/form")
    page.locator("#q-respondent_type input[value=citizen]").focus()
    page.keyboard.press("Space")
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "vi"
    assert page.locator("#q-respondent_type input[value=citizen]").is_checked()
    if js:  # Enter means Next: refused, with how many answers are missing
        expect(page.locator("#step-error")).to_have_text(
            "Còn 1 câu trong phần này chưa trả lời hoặc cần sửa."
        )
    else:  # Enter means Send: the server lists what is missing, in Vietnamese
        expect(page.locator(".summary h2")).to_contain_text("Vui lòng xem lại")
    box = page.locator("textarea[name=procedure_name]")
    box.fill("Cấp đổi")
    box.press("Enter")
    page.wait_for_timeout(300)
    assert page.get_attribute("html", "lang") == "vi"
    assert box.input_value() == "Cấp đổi\n"  # a new line, not a submission
    # The switch itself is a link; on a half-filled form it keeps the answers.
    page.click("#lang-switch")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    if js:
        assert page.locator("#q-respondent_type input[value=citizen]").is_checked()


def test_next_refused_says_how_many_answers_are_missing(new_page: NewPage, live: Live) -> None:
    page = new_page("phone")
    page.goto("/s/b-web/form?lang=en")
    page.click("[data-next]")
    expect(page.locator("#step-error")).to_have_text(
        "2 question(s) in this part still need an answer or a correction."
    )
    fill(page.locator("section.step.on"))
    page.click("[data-next]")
    expect(page.locator(".progress span")).to_have_text("Part 2 of 17")
    expect(page.locator("#step-error")).to_be_hidden()


def test_the_language_switch_on_the_thank_you_screen_keeps_the_thank_you(
    new_page: NewPage, live: Live
) -> None:
    page = new_page("phone")
    page.goto("/s/b-web/form")
    finish_with_js(page)
    # Visible, not only its text: the thank-you card is in the page (hidden) from the
    # start, and a switch pressed before the answer arrives posts the form instead.
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#done h1")).to_have_text("Xin cảm ơn!")
    page.click(".bar .lang")
    expect(page.locator("h1")).to_have_text("Thank you!")
    assert page.locator("form#survey").count() == 0  # not an empty questionnaire again
    expect(page.locator("main")).to_contain_text("make a suggestion about your case")


def test_back_after_the_thank_you_page_without_script_stores_nothing_twice(
    new_page: NewPage, live: Live
) -> None:
    page = new_page("phone", js=False)
    page.goto("/s/b-web")
    page.click("#start")
    response_id = page.input_value("input[name=id]")
    fill(page)
    page.click("[data-send]")
    page.wait_for_url("**/s/b-web/thanks")
    expect(page.locator("main")).to_contain_text("Cổng Dịch vụ công quốc gia")
    page.go_back()
    expect(page.locator("h1")).to_have_text("Phiếu này đã được gửi")
    assert page.locator("[data-send]").count() == 0
    page.get_by_role("link", name="Trả lời phiếu mới").click()
    expect(page.locator("#start")).to_be_visible()
    assert count(live, response_id) == 1


def test_every_respondent_on_a_kiosk_starts_in_vietnamese(new_page: NewPage, live: Live) -> None:
    page = new_page("kiosk")
    page.goto("/s/b-kiosk")
    page.click(".lang")  # this respondent reads English
    expect(page.locator("#start")).to_have_text("Start")
    page.click("#start")
    finish_with_js(page)
    expect(page.locator("#done h1")).to_have_text("Thank you!")
    page.wait_for_url("**/s/b-kiosk", timeout=8000)  # the next respondent's start screen
    expect(page.locator("#start")).to_have_text("Bắt đầu")
    page.click("#start")
    expect(page.locator(".progress span")).to_have_text("Phần 1/17")
