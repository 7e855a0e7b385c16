"""Indices benchmark: the full report against one plain GROUP BY pass, side by side.

    .venv/bin/python -m bench.indices [--sizes 100000,1000000] [--pg URL]

A throwaway PostgreSQL database gets a campaign over 1,224 units (34 provinces ×
35 communes, one counter each) and grows to each size in turn with the demo
generator (COPY). At each size the responses are folded into the tallies (timed:
the cost moved from reports to ingest), then, median of several runs each:

- baseline: SELECT unit_id, count(*) FROM submission WHERE campaign_id = … GROUP BY unit_id
- cold report: every commune with every indicator, medians, ranks (cache cleared)
- repeated report: the same call again (served from the tally-token cache)
- freshness: one new response through the service, then a report that counts it.
"""

import argparse
import json
import statistics
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app import migrate
from app.catalog import get_catalog
from app.db import make_engine, session_scope
from app.models import CampaignStatus, Counter, Unit
from app.schemas.submissions import SubmissionIn
from app.services import indices
from app.services.campaigns import CampaignIn, create_campaign, set_status
from app.services.demo import load_submissions
from app.services.submissions import record
from app.services.tally import fold_campaign, vacuum_after_bulk_fold
from app.services.units import create_unit
from bench.common import add_pg_argument
from tests.answers import body
from tests.dbutil import fresh_database

ROOT = Path(__file__).resolve().parent.parent


def timed(fn: Any, runs: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_pg_argument(ap)
    ap.add_argument("--sizes", default="100000,1000000")
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    database = fresh_database(args.pg, prefix="sipas_bench")
    url = database.__enter__()
    results: list[dict[str, Any]] = []
    try:
        migrate.upgrade(url)
        engine = make_engine(url)
        catalog = get_catalog()
        q = catalog.get("sipas-2017", 1)
        assert q is not None
        with session_scope(engine) as s:
            country = create_unit(s, code="VN", name="Việt Nam", kind="country")
            pairs = []
            for p in range(34):
                prov = create_unit(
                    s, code=f"P{p:02d}", name=f"Tỉnh {p}", kind="province", parent=country
                )
                for x in range(35):
                    unit = create_unit(
                        s,
                        code=f"P{p:02d}-X{x:02d}",
                        name=f"Xã {p}-{x}",
                        kind="commune",
                        parent=prov,
                    )
                    counter = Counter(code=f"q-{p:02d}-{x:02d}", name="Một cửa", unit_id=unit.id)
                    s.add(counter)
                    pairs.append((unit, counter))
            s.flush()
            campaign = create_campaign(
                s,
                catalog,
                CampaignIn(
                    code="BENCH",
                    name="Benchmark",
                    starts_on=date(datetime.now(UTC).year, 1, 1),
                    ends_on=date(datetime.now(UTC).year, 12, 31),
                    questionnaire="sipas-2017",
                    version=1,
                    units=["VN"],
                ),
            )
            set_status(s, campaign, CampaignStatus.open)
            units = s.query(Unit).count()
        loaded = 0
        for seed, size in enumerate(sizes, start=1):
            t0 = time.perf_counter()
            with session_scope(engine) as s:
                campaign = s.merge(campaign)
                load_submissions(
                    s,
                    catalog,
                    campaign,
                    [(s.merge(u), s.merge(c)) for u, c in pairs],
                    size - loaded,
                    seed,
                )
            load_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            with session_scope(engine) as s:
                folded = fold_campaign(s, s.merge(campaign), q)
            fold_s = time.perf_counter() - t0
            loaded = size
            vacuum_after_bulk_fold(engine)

            campaign_id = campaign.id

            def plain(campaign_id: int = campaign_id) -> int:
                with engine.connect() as c:
                    return len(
                        c.execute(
                            text(
                                "SELECT unit_id, count(*) FROM submission WHERE campaign_id = :c "
                                "GROUP BY unit_id"
                            ),
                            {"c": campaign_id},
                        ).all()
                    )

            def cold() -> indices.Report:
                indices._cache.clear()
                with session_scope(engine) as s:
                    return indices.report(s, catalog, "BENCH", level="commune")

            def warm() -> indices.Report:
                with session_scope(engine) as s:
                    return indices.report(s, catalog, "BENCH", level="commune")

            def plain_answers(campaign_id: int = campaign_id) -> int:
                # The same pass, grouping by one answer too: it has to read every row.
                with engine.connect() as c:
                    return len(
                        c.execute(
                            text(
                                "SELECT unit_id, answers->>'HL', count(*) FROM submission WHERE campaign_id = :c "
                                "GROUP BY 1, 2"
                            ),
                            {"c": campaign_id},
                        ).all()
                    )

            plain()  # warm the buffer cache for both sides alike
            base_s, groups = timed(plain, 5)
            answers_s, _ = timed(plain_answers, 3)
            cold_s, rep = timed(cold, 3)
            warm_s, _ = timed(warm, 10)
            body_now = rep.body
            json_s, _ = timed(lambda body_now=body_now: indices.Report(body_now).json(), 3)
            t0 = time.perf_counter()
            with session_scope(engine) as s:
                b = body(catalog, counter="q-00-00")
                record(s, catalog, SubmissionIn.model_validate(b))
            with session_scope(engine) as s:
                fresh = indices.report(s, catalog, "BENCH", level="commune")
            fresh_s = time.perf_counter() - t0
            seen = {u["unit"]: u["n"] for u in fresh.body["units"]}["P00-X00"]
            before = {u["unit"]: u["n"] for u in rep.body["units"]}["P00-X00"]
            row = {
                "responses": size,
                "units": units,
                "listed": len(rep.body["units"]),
                "groups": groups,
                "load_s": load_s,
                "fold_s": fold_s,
                "folded": folded,
                "baseline_s": base_s,
                "baseline_one_answer_s": answers_s,
                "report_cold_s": cold_s,
                "report_repeated_s": warm_s,
                "json_encode_s": json_s,
                "ratio_cold": cold_s / base_s,
                "submit_then_report_s": fresh_s,
                "new_response_counted": seen == before + 1,
            }
            results.append(row)
            print(
                f"{size:>9} responses: GROUP BY {base_s * 1000:7.1f} ms "
                f"(one answer {answers_s * 1000:7.1f} ms) | full report cold {cold_s * 1000:7.1f} ms "
                f"(ratio {cold_s / base_s:5.2f}) | repeated {warm_s * 1000:6.1f} ms | JSON {json_s * 1000:6.1f} ms | "
                f"submit+report {fresh_s * 1000:6.1f} ms, counted: {row['new_response_counted']} | "
                f"load {load_s:.0f} s, fold {fold_s:.0f} s",
                flush=True,
            )
        engine.dispose()
    finally:
        database.__exit__(None, None, None)
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "indices.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
