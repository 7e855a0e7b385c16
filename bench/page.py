"""Respondent page weight and time to interactive under a slow 3G profile.

Runs the real app (SQLite, seeded with one open campaign) and, side by side, a
baseline: the same questionnaire as bare HTML (no CSS, no script), served gzipped
by a minimal FastAPI app. Each page is loaded cold in Debian's headless Chromium
with the network throttled to 400 kbit/s each way and a 400 ms round trip
(WebPageTest's "3G Slow"); we record bytes transferred (compressed, all requests)
and the time from navigation start until the page is usable (our script's
`sipas-ready` mark; for pages without script, the load event).

    python -m bench.page [--runs 3]
"""

import argparse
import html
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from playwright.sync_api import Browser, sync_playwright
from starlette.middleware.gzip import GZipMiddleware

from app.questionnaires.catalog import Questionnaire, get_catalog
from tests.live import CHROMIUM, CHROMIUM_ARGS, _free_port

SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}
BUDGET_BYTES = 30 * 1024
BUDGET_MS = 2000


def bare_form(q: Questionnaire) -> str:
    """The questionnaire as the plainest possible HTML form: the baseline."""
    out = [
        "<!doctype html><html lang=vi><meta charset=utf-8><title>SIPAS</title><form method=post>"
    ]
    scale = [(o.code, o.label["vi"]) for o in q.model.scale.options]
    scale.append((q.not_applicable, q.model.scale.not_applicable.label["vi"]))
    for section in q.model.sections:
        out.append(f"<h2>{html.escape(section.title['vi'])}</h2>")
        for qu in section.questions:
            out.append(f"<fieldset><legend>{html.escape(qu.text['vi'])}</legend>")
            if qu.kind == "text":
                out.append(f"<textarea name={qu.code}></textarea>")
            else:
                kind = "checkbox" if qu.kind == "multi" else "radio"
                opts = (
                    scale if qu.kind == "scale" else [(o.code, o.label["vi"]) for o in qu.options]
                )
                for code, label in opts:
                    out.append(
                        f"<label><input type={kind} name={qu.code} value={code}>"
                        f"{html.escape(label)}</label>"
                    )
            out.append("</fieldset>")
    out.append("<button>Gửi phiếu</button></form></html>")
    return "".join(out)


@contextmanager
def serve(app: Any) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)


def measure(browser: Browser, url: str, scripted: bool) -> tuple[int, float]:
    """Cold load of `url` under slow 3G: (bytes transferred, ms until usable)."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    cdp.send("Network.emulateNetworkConditions", SLOW_3G)
    sizes: dict[str, float] = {}
    cdp.on(
        "Network.loadingFinished",
        lambda e: sizes.__setitem__(e["requestId"], e["encodedDataLength"]),
    )
    page.goto(url, wait_until="load")
    if scripted:
        page.wait_for_function("performance.getEntriesByName('sipas-ready').length > 0")
        ms = page.evaluate("performance.getEntriesByName('sipas-ready')[0].startTime")
    else:
        ms = page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
    page.wait_for_timeout(300)  # late requests (the service worker's) still count
    context.close()
    return int(sum(sizes.values())), float(ms)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()

    from tests.live import live_server

    baseline = FastAPI()
    page_html = bare_form(get_catalog().get("sipas-2017", 1) or exit("no sipas-2017 v1"))
    baseline.get("/form", response_class=HTMLResponse)(lambda: page_html)
    baseline.add_middleware(GZipMiddleware, minimum_size=500)

    with live_server() as live, serve(baseline) as base:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            rows = []
            for name, url, scripted in (
                ("welcome", f"{live.url}/s/b-web", True),
                ("questionnaire", f"{live.url}/s/b-web/form", True),
                ("thank-you (no script)", f"{live.url}/s/b-web/thanks", False),
                ("baseline: bare HTML form", f"{base}/form", False),
            ):
                runs = [measure(browser, url, scripted) for _ in range(args.runs)]
                size = statistics.median(r[0] for r in runs)
                ms = statistics.median(r[1] for r in runs)
                rows.append((name, size, ms))
            browser.close()
    base_size, base_ms = rows[-1][1], rows[-1][2]
    print(f"slow 3G (400 kbit/s, 400 ms RTT), cold cache, median of {args.runs} runs")
    print(f"{'page':28} {'bytes':>8} {'ms':>7} {'bytes/base':>10} {'ms/base':>8}  budget")
    for name, size, ms in rows:
        ok = "ok" if size <= BUDGET_BYTES and ms <= BUDGET_MS else "OVER"
        print(f"{name:28} {size:8.0f} {ms:7.0f} {size / base_size:10.2f} {ms / base_ms:8.2f}  {ok}")


if __name__ == "__main__":
    main()
