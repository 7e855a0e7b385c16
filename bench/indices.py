"""Indices benchmark: the full report against one plain GROUP BY pass, side by side.

    .venv/bin/python -m bench.indices [--sizes 100000,1000000] [--pg URL] [--keep]
    .venv/bin/python -m bench.indices --database URL [--sizes 10000000]

A throwaway PostgreSQL database gets a campaign over 1,224 units (34 provinces ×
35 communes, one counter each) and grows to each size in turn with the demo
generator (COPY, with the secondary indexes built after each load). At each size
the responses are folded into the tallies (timed: the cost moved from reports to
ingest), then, median of several runs each:

- baseline: SELECT unit_id, count(*) FROM submission WHERE campaign_id = … GROUP BY unit_id
- cold report: every commune with every indicator, medians, ranks, as a process that
  has not served it yet gets it (its stored snapshot, up to date): the gzip bytes an
  API client receives
- rebuild: the same report computed from the tallies and stored, as after an
  exclusion or once the freshness window has passed with new responses
- repeated report: the same call again in the same process
- filtered report: the same report for women only (`gender=female`), which has to
  read the matching responses, beside the GROUP BY that reads one answer of each
- every filter the issue names (each single filter, one month, two filters and a
  date range), cold, beside DuckDB's query of the same counts over a Parquet export
  of the same responses (bench/filtered.py): ratio ours ÷ DuckDB
- freshness: one new response through the service, then reports every 50 ms until
  one counts it; with the default window (REPORT_MAX_STALE_SECONDS) and without.

10⁷ responses take about 26 GB and over an hour to load here: `--keep` leaves the
database in place (its URL is printed first), and `--database URL` measures on it
again, growing it to the sizes asked for without reloading what is there.
"""

import argparse
import contextlib
import json
import statistics
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select, text

from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import CampaignIn, create_campaign, set_status
from app.collection.models import Submission
from app.collection.schemas import SubmissionIn
from app.collection.service import record
from app.core import migrate
from app.core.config import get_settings
from app.core.db import make_engine, session_scope
from app.counts import snapshots
from app.counts.tally import fold_campaign, vacuum_after_bulk_fold
from app.demo import load_submissions
from app.questionnaires.catalog import get_catalog
from app.reporting import indices
from app.units.models import Counter, Unit
from app.units.service import create_unit
from bench import filtered as filtered_vs_duckdb
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


def secondary_indexes(engine: Engine) -> list[tuple[str, str]]:
    """Name and definition of each index on `submission` other than its key and
    constraints (the load keeps the key: it skips ids that exist)."""
    with engine.connect() as c:
        return [
            (name, ddl)
            for name, ddl in c.execute(
                text(
                    "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x "
                    "JOIN pg_class i ON i.oid = x.indexrelid "
                    "WHERE x.indrelid = 'submission'::regclass AND NOT x.indisprimary "
                    "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)"
                )
            )
        ]


def load_without_indexes(engine: Engine, load: Any) -> None:
    """Run `load` with the secondary indexes dropped, then build them again.

    A database of 10⁷ responses is too slow to fill through nine indexes of random
    order (hours on this machine); building them once afterwards is how a bulk load
    is done. Only the benchmark's set-up does this: the service never drops indexes.
    """
    indexes = secondary_indexes(engine)
    with engine.begin() as c:
        for name, _ in indexes:
            c.exec_driver_sql(f'DROP INDEX "{name}"')
    load()
    with engine.begin() as c:
        c.exec_driver_sql("SET LOCAL maintenance_work_mem = '1GB'")
        for _, ddl in indexes:
            c.exec_driver_sql(ddl)


def create_campaign_tree(engine: Engine) -> None:
    """Units (34 provinces × 35 communes, a counter each) and the open campaign BENCH."""
    catalog = get_catalog()
    with session_scope(engine) as s:
        country = create_unit(s, code="VN", name="Việt Nam", kind="country")
        for p in range(34):
            prov = create_unit(
                s, code=f"P{p:02d}", name=f"Tỉnh {p}", kind="province", parent=country
            )
            for x in range(35):
                unit = create_unit(
                    s, code=f"P{p:02d}-X{x:02d}", name=f"Xã {p}-{x}", kind="commune", parent=prov
                )
                s.add(Counter(code=f"q-{p:02d}-{x:02d}", name="Một cửa", unit_id=unit.id))
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


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_pg_argument(ap)
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument(
        "--keep", action="store_true", help="keep the database afterwards and print its URL"
    )
    ap.add_argument(
        "--database",
        help="measure on a database an earlier run kept (--keep), grown to --sizes as needed",
    )
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.database:
        database: Any = contextlib.nullcontext(args.database)
    else:
        database = fresh_database(args.pg, prefix="sipas_bench", keep=args.keep)
    results: list[dict[str, Any]] = []
    with database as url:
        if args.keep:
            print(f"database (kept): {url}", flush=True)
        migrate.upgrade(url)
        engine = make_engine(url)
        catalog = get_catalog()
        q = catalog.get("sipas-2017", 1)
        assert q is not None
        if not args.database:
            create_campaign_tree(engine)
        with session_scope(engine) as s:
            campaign = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()
            units = s.scalar(select(func.count()).select_from(Unit))
            loaded = s.scalars(
                select(func.count())
                .select_from(Submission)
                .where(Submission.campaign_id == campaign.id)
            ).one()
        for size in sizes:
            load_s = 0.0
            if size > loaded:
                t0 = time.perf_counter()

                def load(size: int = size, loaded: int = loaded) -> None:
                    with session_scope(engine) as s:
                        pairs = s.execute(
                            select(Unit, Counter)
                            .join(Counter, Counter.unit_id == Unit.id)
                            .where(Unit.kind == "commune")
                        ).all()
                        load_submissions(
                            s,
                            catalog,
                            s.merge(campaign),
                            [(u, c) for u, c in pairs],
                            size - loaded,
                            seed=loaded + 1,  # new ids when a kept database grows
                        )

                load_without_indexes(engine, load)
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

            def commune_report() -> bytes:
                with session_scope(engine) as s:
                    return indices.report(s, catalog, "BENCH", level="commune").gz()

            def cold() -> bytes:
                snapshots.clear_memory()  # as a new or another worker process
                return commune_report()

            def rebuild(campaign_id: int = campaign_id) -> bytes:
                with session_scope(engine) as s:
                    snapshots.forget(s, campaign_id)
                snapshots.clear_memory()
                return commune_report()

            def warm() -> bytes:
                return commune_report()

            def filtered() -> bytes:
                indices._cache.clear()
                with session_scope(engine) as s:
                    f = indices.Filters(gender="female")
                    return indices.report(s, catalog, "BENCH", level="commune", filters=f).gz()

            def until_counted(window: float, n: int) -> float:
                """Seconds from one acknowledged response to the first report counting it."""
                get_settings().REPORT_MAX_STALE_SECONDS = window
                rebuild()  # the worst moment: a snapshot was just built
                t0 = time.perf_counter()
                with session_scope(engine) as s:
                    record(
                        s, catalog, SubmissionIn.model_validate(body(catalog, counter="q-00-00"))
                    )
                seen = None
                while True:
                    with session_scope(engine) as s:
                        rep = indices.report(s, catalog, "BENCH", level="commune")
                    # Decode (~0.2 s) only a report that is not the one already looked at.
                    if rep.origin != seen and rep.body["units"][0]["n"] == n + 1:
                        return time.perf_counter() - t0
                    seen = rep.origin
                    time.sleep(0.05)

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
            # One run at national scale: it reads every matching response (minutes).
            filtered_s, _ = timed(filtered, 3 if size <= 1_000_000 else 1)
            rebuild_s, _ = timed(rebuild, 3)
            cold_s, gz = timed(cold, 5)
            warm_s, _ = timed(warm, 10)
            with session_scope(engine) as s:
                rep = indices.report(s, catalog, "BENCH", level="commune")
                decoded = rep.body
                json_s, _ = timed(lambda decoded=decoded: indices.Report(decoded).json(), 3)
            first_n = decoded["units"][0]["n"]
            window = get_settings().REPORT_MAX_STALE_SECONDS
            fresh_window_s = until_counted(window, first_n)
            fresh_s = until_counted(0, first_n + 1)
            get_settings().REPORT_MAX_STALE_SECONDS = window
            with tempfile.TemporaryDirectory() as work:
                side = filtered_vs_duckdb.measure(
                    engine, catalog, q, Path(work), 3 if size <= 1_000_000 else 1
                )
            row = {
                "responses": size,
                "units": units,
                "listed": len(decoded["units"]),
                "groups": groups,
                "load_s": load_s,
                "fold_s": fold_s,
                "folded": folded,
                "baseline_s": base_s,
                "baseline_one_answer_s": answers_s,
                "report_cold_s": cold_s,
                "report_gzip_bytes": len(gz),
                "report_rebuild_s": rebuild_s,
                "report_repeated_s": warm_s,
                "json_encode_s": json_s,
                "ratio_cold": cold_s / base_s,
                "ratio_rebuild": rebuild_s / base_s,
                "report_filtered_s": filtered_s,
                "ratio_filtered_to_one_answer": filtered_s / answers_s,
                "window_s": window,
                "counted_within_s_window": fresh_window_s,
                "counted_within_s_exact": fresh_s,
                "filtered_vs_duckdb": side,
            }
            results.append(row)
            print(
                f"{size:>9} responses: GROUP BY {base_s * 1000:7.1f} ms "
                f"(one answer {answers_s * 1000:7.1f} ms) | report cold {cold_s * 1000:7.1f} ms "
                f"(ratio {cold_s / base_s:5.2f}, {len(gz) / 1e6:.1f} MB gzip) | rebuild {rebuild_s * 1000:7.1f} ms "
                f"(ratio {rebuild_s / base_s:5.2f}) | filtered (gender) {filtered_s * 1000:7.0f} ms "
                f"(/ one answer {filtered_s / answers_s:5.2f}) | repeated {warm_s * 1000:6.1f} ms | JSON {json_s * 1000:6.1f} ms | "
                f"new response counted within {fresh_window_s:.2f} s (window {window:g} s), "
                f"{fresh_s:.2f} s (exact) | load {load_s:.0f} s, fold {fold_s:.0f} s",
                flush=True,
            )
        engine.dispose()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "indices.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
