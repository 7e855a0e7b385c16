"""Printed report benchmark: the PDF of a 100-unit campaign beside two baselines, side
by side in one run.

    .venv/bin/python -m bench.report_pdf [--units 100] [--per-unit 30] [--rounds 2]

A throwaway SQLite database (a temporary file; the figures are the same on
PostgreSQL, the report is read once from its stored snapshot) gets one province
with `--units` communes, a counter each, and `--per-unit` demo responses per commune.
Then, for the same report body, alternating for `--rounds` rounds, best kept:
- ours: app/reporting/printed.py, the whole report (cover, method, league table,
  heat table on a landscape page, one result sheet per ranked unit with its charts);
- typesetting floor: WeasyPrint on the same HTML cut to its league table alone (cover,
  method and table, no heat table, no sheets): what setting any table in WeasyPrint
  costs;
- workbook: the Excel workbook of the same report (app/reporting/workbook.py).
Target (issue 17): a 100-unit report renders in under 30 s.
"""

import argparse
import io
import json
import re
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pypdf
from sqlalchemy import select

from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import CampaignIn, create_campaign, questionnaire_of, set_status
from app.core import migrate
from app.core.db import make_engine, session_scope
from app.demo import load_submissions
from app.questionnaires.catalog import get_catalog
from app.reporting import indices, printed, workbook
from app.units.models import Counter
from app.units.service import create_unit


def build(url: str, units: int, per_unit: int) -> None:
    """One province, `units` communes with a counter each, the open campaign BENCH."""
    catalog = get_catalog()
    engine = make_engine(url)
    with session_scope(engine) as s:
        prov = create_unit(s, code="P", name="Tỉnh Thử nghiệm", kind="province")
        pairs = []
        for x in range(units):
            unit = create_unit(
                s, code=f"X{x:03d}", name=f"Xã Thử nghiệm số {x}", kind="commune", parent=prov
            )
            counter = Counter(code=f"q-{x:03d}", name="Một cửa", unit_id=unit.id)
            s.add(counter)
            pairs.append((unit, counter))
        s.flush()
        year = datetime.now(UTC).year
        campaign = create_campaign(
            s,
            catalog,
            CampaignIn(
                code="BENCH",
                name="Benchmark",
                starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
                questionnaire="sipas-2017",
                version=1,
                units=["P"],
                min_sample=10,  # 30 responses a unit: most units ranked, a sheet each
            ),
        )
        set_status(s, campaign, CampaignStatus.open)
        load_submissions(s, catalog, campaign, pairs, units * per_unit, seed=1, extras=True)
    engine.dispose()


def league_only(html: str) -> str:
    """The report's HTML without its heat tables and result sheets."""
    return re.sub(r'<section class="(heat|sheet)">.*?</section>', "", html, flags=re.S)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--per-unit", type=int, default=30)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()
    results: dict[str, Any] = {"units": args.units, "responses": args.units * args.per_unit}
    with tempfile.TemporaryDirectory(prefix="sipas-bench-pdf-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        migrate.upgrade(url)
        build(url, args.units, args.per_unit)
        engine = make_engine(url)
        catalog = get_catalog()
        with session_scope(engine) as s:
            c = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()
            q = questionnaire_of(catalog, c)
            t0 = time.perf_counter()
            top = indices.report(s, catalog, "BENCH").body
            head = top["units"][0]
            body = indices.report(s, catalog, "BENCH", parent="P").body
            sample = printed.sample_of(s, c)
            results["report_s"] = time.perf_counter() - t0
            results["ranked"] = sum(1 for u in body["units"] if u["rank"] is not None)
            html = printed.html(body, head, c, q, "vi", sample)
            floor = league_only(html)
            best: dict[str, float] = {}
            pages = 0
            sizes: dict[str, int] = {}
            for _ in range(args.rounds):
                for name, make in (
                    ("ours", lambda: printed.render(body, head, c, q, "vi", sample)),
                    ("typesetting_floor", lambda: printed._pdf(floor)),
                    ("workbook", lambda: workbook.workbook(body, q, "vi", as_of=None)),
                ):
                    t = time.perf_counter()
                    data = make()
                    seconds = time.perf_counter() - t
                    best[name] = min(best.get(name, seconds), seconds)
                    sizes[name] = len(data)
                    if name == "ours":
                        pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
                    print(name, f"{seconds:.2f} s", flush=True)
        engine.dispose()
    results.update(
        {
            name: {"seconds": round(best[name], 2), "bytes": sizes[name]}
            for name in ("ours", "typesetting_floor", "workbook")
        }
    )
    results["pages"] = pages
    results["ours_vs_floor"] = round(best["ours"] / best["typesetting_floor"], 1)
    results["ours_vs_workbook"] = round(best["ours"] / best["workbook"], 1)
    results["target_s"] = 30
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
