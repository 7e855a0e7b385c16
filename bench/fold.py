"""The fold after a bulk load, beside reading the same rows once.

    .venv/bin/python -m bench.fold --sizes 100000,1000000

For each size, a throwaway PostgreSQL database gets the campaign of bench.indices
(1,190 communes) and that many demo responses (COPY, as a bulk load does; the
trigger queues each one for the fold), then:

- `fold`: `fold_campaign`, as the first report after the load runs it;
- `read`: the baseline, `SELECT … answers … FROM submission` streamed through a
  server-side cursor and decoded by psycopg: the floor for a fold, which has to
  read every response's answers once;
- the size of `submission` (table, TOAST and indexes) before and after the fold:
  a fold that rewrote rows would grow it.
"""

import argparse
import time

from sqlalchemy import Engine, func, select, text

from bench.common import add_pg_argument
from bench.indices import create_campaign_tree, load_without_indexes
from tests.dbutil import fresh_database


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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", default="100000,1000000", help="comma-separated response counts")
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

    catalog = get_catalog()
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    print("responses   fold s  read s  ratio  ms/response  size before  size after  queue after")
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
            started = time.perf_counter()
            with session_scope(engine) as s:
                campaign = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()
                folded = fold_campaign(s, campaign, q)
            fold_s = time.perf_counter() - started
            assert folded == n, folded
            vacuum_after_bulk_fold(engine)
            after = _size(engine)
            with session_scope(engine) as s:
                left = s.scalar(select(func.count()).select_from(FoldQueue))
            print(
                f"{n:<11,} {fold_s:6.1f} {read_s:7.1f} {fold_s / read_s:6.1f} "
                f"{1000 * fold_s / n:12.3f} {before / 2**20:9.0f} MiB {after / 2**20:7.0f} MiB "
                f"{left:11,}",
                flush=True,
            )
            engine.dispose()


if __name__ == "__main__":
    main()
