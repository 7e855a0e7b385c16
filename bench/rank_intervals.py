"""Rank-interval benchmark: the full report rebuilt with rank intervals against the same
rebuild with the bootstrap skipped, side by side.

    .venv/bin/python -m bench.rank_intervals [--size 100000] [--pg URL] [--replicates 1000]

A throwaway PostgreSQL database gets bench/indices.py's campaign (1,224 units: 34
provinces × 35 communes) and `--size` demo responses, folded once (timed: the fold
now also counts the composite-interval moments). Then, median of five runs each, the
commune report (1,190 communes in one league: every indicator, medians, ranks) is
rebuilt from the tallies and stored, as after an exclusion:

- without: rank intervals replaced by the rank itself (no bootstrap)
- with: RANK_REPLICATES replicates (default 1,000) of the league

and the ratio with / without is printed (target: at most 2).
"""

import argparse
import json
import time
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import select

from analysis.ranking import RankIntervals
from app.campaigns.models import Campaign
from app.core import migrate
from app.core.config import get_settings
from app.core.db import make_engine, session_scope
from app.counts import snapshots
from app.counts.tally import fold_campaign, vacuum_after_bulk_fold
from app.demo import load_submissions
from app.questionnaires.catalog import get_catalog
from app.reporting import indices
from app.units.models import Counter, Unit
from bench.common import add_pg_argument
from bench.indices import create_campaign_tree, load_without_indexes, timed
from tests.dbutil import fresh_database

ROOT = Path(__file__).resolve().parent.parent


def no_bootstrap(values: Any, se: Any, ranks: Any, **_: Any) -> RankIntervals:
    r = np.asarray(ranks, dtype=np.int64)
    return RankIntervals(r, r)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_pg_argument(ap)
    ap.add_argument("--size", type=int, default=100_000)
    ap.add_argument("--replicates", type=int, default=get_settings().RANK_REPLICATES)
    args = ap.parse_args()
    get_settings().RANK_REPLICATES = args.replicates
    with fresh_database(args.pg, prefix="sipas_bench") as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        catalog = get_catalog()
        q = catalog.get("sipas-2017", 1)
        assert q is not None
        create_campaign_tree(engine)
        with session_scope(engine) as s:
            campaign = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()

        def load() -> None:
            with session_scope(engine) as s:
                pairs = s.execute(
                    select(Unit, Counter)
                    .join(Counter, Counter.unit_id == Unit.id)
                    .where(Unit.kind == "commune")
                ).all()
                load_submissions(
                    s, catalog, s.merge(campaign), [(u, c) for u, c in pairs], args.size, seed=1
                )

        load_without_indexes(engine, load)
        t0 = time.perf_counter()
        with session_scope(engine) as s:
            fold_campaign(s, s.merge(campaign), q)
        fold_s = time.perf_counter() - t0
        vacuum_after_bulk_fold(engine)

        def rebuild() -> dict[str, Any]:
            with session_scope(engine) as s:
                snapshots.forget(s, campaign.id)
            snapshots.clear_memory()
            with session_scope(engine) as s:
                return indices.report(s, catalog, "BENCH", level="commune").body

        rebuild()  # warm caches for both sides alike
        with_s, body = timed(rebuild, 5)
        real = indices.rank_intervals
        indices.rank_intervals = no_bootstrap  # type: ignore[assignment]
        try:
            without_s, _ = timed(rebuild, 5)
        finally:
            indices.rank_intervals = real
        widths = [u["rank_interval"][1] - u["rank_interval"][0] for u in body["units"] if u["rank"]]
        row = {
            "responses": args.size,
            "listed": len(body["units"]),
            "ranked": len(widths),
            "replicates": args.replicates,
            "fold_s": fold_s,
            "rebuild_without_s": without_s,
            "rebuild_with_s": with_s,
            "ratio": with_s / without_s,
            "median_interval_width": float(np.median(widths)) if widths else None,
        }
        print(
            f"{args.size} responses, {row['ranked']} ranked communes, {args.replicates} "
            f"replicates: rebuild without {without_s * 1000:.0f} ms, with "
            f"{with_s * 1000:.0f} ms (ratio {row['ratio']:.2f}); median interval width "
            f"{row['median_interval_width']} places; fold {fold_s:.1f} s",
            flush=True,
        )
        engine.dispose()
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "rank_intervals.json").write_text(json.dumps(row, indent=2))


if __name__ == "__main__":
    main()
