"""The fold after a bulk load: this checkout's fold beside an earlier one, same data.

    .venv/bin/python -m bench.fold --sizes 100000,1000000 [--baseline main] [--rounds 1]

For each size, a throwaway PostgreSQL database gets the campaign of bench.indices
(1,190 communes) and that many demo responses (COPY, as a bulk load does; the
trigger queues each one for the fold). Then, `--rounds` times each, alternating:

- `baseline`: the fold of `app/counts/tally.py` as it is at git revision
  `--baseline` (default `main`), loaded beside this checkout's as a module;
- `fold`: this checkout's `fold_campaign`, as the first report after the load runs it.

Before each, the tallies and moment vectors are emptied and every response queued
again (then VACUUM ANALYZE), so both fold the same backlog from the same state. The
tallies and vectors the two write are compared and must be identical (the run stops
otherwise). Also printed: `read`, one pass of `SELECT … answers …` over the same rows
through a server-side cursor, the floor of any fold that reads every answer; the
size of `submission` before and after (a fold that rewrote rows would grow it).
"""

import argparse
import hashlib
import importlib.util
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Engine, func, select, text

from bench.common import add_pg_argument
from bench.indices import create_campaign_tree, load_without_indexes
from tests.dbutil import fresh_database

ROOT = Path(__file__).resolve().parent.parent


def _size(engine: Engine) -> int:
    with engine.connect() as c:
        return int(c.scalar(text("SELECT pg_total_relation_size('submission')")) or 0)


def _read(engine: Engine) -> tuple[float, int]:
    started = time.perf_counter()
    n = 0
    with engine.connect() as c:
        rows = c.execution_options(yield_per=20_000).execute(
            text("SELECT campaign_id, unit_id, channel, answers, submitted_at FROM submission")
        )
        for part in rows.partitions():
            n += len(part)
    return time.perf_counter() - started, n


def baseline_module(revision: str) -> ModuleType:
    """`app/counts/tally.py` at `revision`, imported as its own module."""
    source = subprocess.run(
        ["git", "show", f"{revision}:app/counts/tally.py"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = Path(tempfile.mkdtemp(prefix="sipas-bench-")) / "baseline_tally.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("baseline_tally", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_tally"] = module
    spec.loader.exec_module(module)
    return module


def requeue(engine: Engine) -> None:
    """Empty the tallies and queue every response again, as after a bulk load."""
    with engine.begin() as c:
        c.exec_driver_sql("DELETE FROM tally")
        c.exec_driver_sql("DELETE FROM tally_moments")
        c.exec_driver_sql("DELETE FROM fold_queue")
        c.exec_driver_sql(
            "INSERT INTO fold_queue (submission_id, campaign_id) "
            "SELECT id, campaign_id FROM submission"
        )
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
        for table in ("fold_queue", "tally", "tally_moments"):
            c.exec_driver_sql(f"VACUUM ANALYZE {table}")


def fingerprint(engine: Engine) -> tuple[int, str]:
    """How many tally rows, and a digest of every tally and moment vector."""
    digest = hashlib.sha256()
    rows = 0
    with engine.connect() as c:
        for r in c.execute(
            text(
                "SELECT campaign_id, unit_id, key, n FROM tally ORDER BY campaign_id, unit_id, key"
            )
        ):
            digest.update(repr(tuple(r)).encode())
            rows += 1
        for r in c.execute(
            text(
                "SELECT campaign_id, unit_id, layout, data FROM tally_moments "
                "ORDER BY campaign_id, unit_id"
            )
        ):
            digest.update(repr(tuple(r)).encode())
    return rows, digest.hexdigest()


def timed_fold(engine: Engine, fold_campaign: Any, q: Any, n: int) -> float:
    from app.campaigns.models import Campaign
    from app.core.db import session_scope

    requeue(engine)
    started = time.perf_counter()
    with session_scope(engine) as s:
        campaign = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()
        folded = fold_campaign(s, campaign, q)
    took = time.perf_counter() - started
    assert folded == n, folded
    return took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated response counts")
    ap.add_argument("--baseline", default="main", help="git revision of the fold to compare")
    ap.add_argument("--rounds", type=int, default=1, help="folds of each, alternating")
    add_pg_argument(ap)
    args = ap.parse_args()

    from app.campaigns.models import Campaign
    from app.core import migrate
    from app.core.db import make_engine, session_scope
    from app.counts.models import FoldQueue
    from app.counts.tally import fold_campaign, vacuum_after_bulk_fold
    from app.demo import load_submissions
    from app.questionnaires.catalog import get_catalog
    from app.units.models import Counter, Unit

    old = baseline_module(args.baseline)
    catalog = get_catalog()
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    print(
        f"responses   baseline ({args.baseline}) s  fold s  ratio  ms/response (baseline, fold)"
        "  read s  size before  size after  queue after  tally rows",
        flush=True,
    )
    for n in (int(s) for s in args.sizes.split(",")):
        with fresh_database(args.pg, prefix="sipas_bench") as url:
            migrate.upgrade(url)
            engine = make_engine(url)
            create_campaign_tree(engine)

            def load(n: int = n, engine: Engine = engine) -> None:
                with session_scope(engine) as s:
                    campaign = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()
                    pairs = s.execute(
                        select(Unit, Counter)
                        .join(Counter, Counter.unit_id == Unit.id)
                        .where(Unit.kind == "commune")
                    ).all()
                    load_submissions(s, catalog, campaign, [(u, c) for u, c in pairs], n, seed=1)

            load_without_indexes(engine, load)
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                c.exec_driver_sql("VACUUM ANALYZE submission")
            before = _size(engine)
            read_s, read_n = _read(engine)
            assert read_n == n
            base_s: list[float] = []
            new_s: list[float] = []
            for _ in range(args.rounds):
                base_s.append(timed_fold(engine, old.fold_campaign, q, n))
                want = fingerprint(engine)
                new_s.append(timed_fold(engine, fold_campaign, q, n))
                got = fingerprint(engine)
                if got != want:
                    raise SystemExit(f"tallies differ at {n}: baseline {want}, fold {got}")
            b, f = min(base_s), min(new_s)
            vacuum_after_bulk_fold(engine)
            after = _size(engine)
            with session_scope(engine) as s:
                left = s.scalar(select(func.count()).select_from(FoldQueue))
            print(
                f"{n:<11,} {b:19.1f} {f:7.1f} {f / b:6.2f} "
                f"{1000 * b / n:16.3f} {1000 * f / n:6.3f} {read_s:9.1f} "
                f"{before / 2**20:8.0f} MiB {after / 2**20:7.0f} MiB {left:11,} {want[0]:11,}",
                flush=True,
            )
            engine.dispose()


if __name__ == "__main__":
    main()
