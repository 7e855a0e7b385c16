"""Paper-form import at 10⁶ rows: time and peak memory beside a plain COPY.

    .venv/bin/python -m bench.paper_import --sizes 100000,1000000

For each size, a CSV of that many valid forms (22 criteria and the perception
questions, over 1,190 communes) is written to a temporary file; then, each in its
own process so that its peak resident memory (ru_maxrss) is its own:

- `sipas`: `import_paper` on the open file, as `sipas submissions import` runs it
  (streamed in chunks of 5,000 rows, checked like a submission, quotas counted);
- `copy`: the baseline, the same file sent by `COPY … FROM STDIN (FORMAT csv)`
  into a table of text columns in 64 KiB pieces: the floor for moving those bytes
  into PostgreSQL.

Both run in a fresh database on the server of --pg, dropped afterwards.
"""

import argparse
import csv
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from bench.common import add_pg_argument
from bench.indices import create_campaign_tree


def write_csv(path: Path, n: int) -> None:
    from app.questionnaires.catalog import get_catalog

    q = get_catalog().get("sipas-2017", 1)
    assert q is not None
    fixed = {
        "respondent_type": "citizen",
        "service_field": "land",
        "submission_place": "one_stop",
        "info_channels": "commune_authority;internet",
        "trips": "1",
        "timeliness": "on_time",
        "harassment": "no",
        "extra_payment": "no",
        "expectations": "shorter_time",
        "gender": "female",
        "age_band": "35_49",
    }
    columns = ["form", "date", "unit", *q.scale_items, *fixed]
    # Inside the period of create_campaign_tree's campaign (this calendar year) and
    # never in the future.
    filled = date(datetime.now(UTC).year, 1, 1).isoformat()
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(columns)
        for i in range(n):
            p, x = i % 34, (i // 34) % 35
            scale = [str(1 + (i * 7 + k) % 5) for k in range(len(q.scale_items))]
            w.writerow([f"F{i:07d}", filled, f"P{p:02d}-X{x:02d}", *scale, *fixed.values()])


def child(kind: str, url: str, path: str) -> None:
    """Run one measured import in this process and print its figures as JSON."""
    from sqlalchemy import text

    from app.core.db import make_engine, session_scope

    engine = make_engine(url)
    started = time.perf_counter()
    rows = 0
    if kind == "sipas":
        from app.collection.paper import import_paper
        from app.questionnaires.catalog import get_catalog

        with session_scope(engine) as s, open(path, "rb") as f:
            rows = import_paper(s, get_catalog(), "BENCH", f, "bench.csv").created
    else:
        with open(path, "rb") as f:
            header = f.readline().decode().strip().split(",")
            columns = ", ".join(f'"{c}" text' for c in header)
            with engine.begin() as conn:
                conn.execute(text(f"CREATE UNLOGGED TABLE IF NOT EXISTS copy_base ({columns})"))
                raw = conn.connection.driver_connection
                with raw.cursor() as cur:  # type: ignore[union-attr]
                    with cur.copy("COPY copy_base FROM STDIN (FORMAT csv)") as copy:
                        while piece := f.read(1 << 16):
                            copy.write(piece)
                    rows = cur.rowcount
                conn.execute(text("DROP TABLE copy_base"))
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"kind": kind, "rows": rows, "seconds": seconds, "peak_mib": peak_mib}))


def run(kind: str, url: str, path: Path) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.paper_import", "--child", kind, url, str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    figures: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated row counts")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    add_pg_argument(ap)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    from app.core import migrate
    from app.core.db import make_engine
    from tests.dbutil import fresh_database

    print("rows       sipas s  copy s  ratio  sipas rows/s  sipas peak MiB  copy peak MiB")
    for n in (int(s) for s in args.sizes.split(",")):
        with (
            fresh_database(args.pg, prefix="sipas_bench") as url,
            tempfile.TemporaryDirectory() as tmp,
        ):
            migrate.upgrade(url)
            engine = make_engine(url)
            create_campaign_tree(engine)
            engine.dispose()
            path = Path(tmp) / "forms.csv"
            write_csv(path, n)
            base = run("copy", url, path)
            ours = run("sipas", url, path)
            assert ours["rows"] == n, ours
            print(
                f"{n:<10,} {ours['seconds']:7.1f} {base['seconds']:7.1f} "
                f"{ours['seconds'] / base['seconds']:6.1f} {n / ours['seconds']:13,.0f} "
                f"{ours['peak_mib']:15.0f} {base['peak_mib']:14.0f}  ({path.stat().st_size / 2**20:.0f} MiB file)",
                flush=True,
            )


if __name__ == "__main__":
    main()
