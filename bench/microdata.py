"""Microdata export benchmark: time and peak memory of each format, beside a plain
COPY of the same rows, side by side in one run.

    .venv/bin/python -m bench.microdata [--size 1000000] [--pg URL]

A throwaway PostgreSQL database gets the indices benchmark's tree (34 provinces ×
35 communes) and `--size` demo responses. Each export then runs in a fresh child
process (so its peak resident memory is its own): SPSS, Stata, CSV and XLSX through
app/reporting/microdata.py, and the baseline, `COPY (SELECT id, unit_id, channel,
submitted_at, answers FROM submission …) TO STDOUT` streamed to a file, which is
what a DBA would hand an analyst (no labels, answers as JSON text).
Target (issue 17): every export of 10⁶ responses under 500 MB.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.campaigns.models import Campaign
from app.core import migrate
from app.core.db import make_engine, session_scope
from app.demo import load_submissions
from app.questionnaires.catalog import get_catalog
from app.units.models import Counter, Unit
from bench.common import add_pg_argument
from bench.indices import create_campaign_tree, load_without_indexes
from tests.dbutil import fresh_database

FORMATS = ("sav", "dta", "csv", "xlsx")


def child(url: str, fmt: str, out: Path) -> None:
    """One export in this process; prints seconds, peak MB and file MB as JSON."""
    t0 = time.perf_counter()
    engine = make_engine(url)
    if fmt == "copy":
        with engine.connect() as conn:
            campaign_id = conn.execute(select(Campaign.id).where(Campaign.code == "BENCH")).one()[0]
            raw = conn.connection.driver_connection
            with raw.cursor() as cur, out.open("wb") as f:  # type: ignore[union-attr]
                sql = (
                    "COPY (SELECT id, unit_id, channel, submitted_at, answers FROM submission "
                    f"WHERE campaign_id = {int(campaign_id)}) TO STDOUT WITH CSV HEADER"
                )
                with cur.copy(sql) as copy:
                    for block in copy:
                        f.write(block)
    else:
        from app.reporting import microdata

        with session_scope(engine) as s:
            campaign = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()
            q = get_catalog().get("sipas-2017", 1)
            assert q is not None
            path = microdata.export(s, campaign, q, fmt, "vi")  # type: ignore[arg-type]
            path.replace(out)
    seconds = time.perf_counter() - t0
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"seconds": seconds, "peak_mb": peak_mb, "file_mb": out.stat().st_size / 1e6}))


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_pg_argument(ap)
    ap.add_argument("--size", type=int, default=1_000_000)
    ap.add_argument("--child", nargs=3, metavar=("URL", "FORMAT", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return
    results: dict[str, Any] = {"size": args.size}
    with fresh_database(args.pg, prefix="sipas_bench_micro") as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        create_campaign_tree(engine)
        t0 = time.perf_counter()

        def load() -> None:
            with session_scope(engine) as s:
                campaign = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()
                pairs = s.execute(
                    select(Unit, Counter)
                    .join(Counter, Counter.unit_id == Unit.id)
                    .where(Unit.kind == "commune")
                ).all()
                load_submissions(
                    s, get_catalog(), campaign, [(u, c) for u, c in pairs], args.size, seed=1
                )

        load_without_indexes(engine, load)
        results["load_s"] = time.perf_counter() - t0
        engine.dispose()
        out_dir = Path("var/bench-microdata")
        out_dir.mkdir(parents=True, exist_ok=True)
        for fmt in ("copy", *FORMATS):
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "bench.microdata",
                    "--child",
                    url,
                    fmt,
                    str(out_dir / f"m.{fmt}"),
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            results[fmt] = json.loads(done.stdout.strip().splitlines()[-1])
            print(fmt, results[fmt], flush=True)
        base = results["copy"]["seconds"]
        for fmt in FORMATS:
            results[fmt]["time_ratio_to_copy"] = results[fmt]["seconds"] / base
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
