"""Filtered reports beside what an analyst would do instead: DuckDB over Parquet.

    .venv/bin/python -m bench.filtered --database URL   # a database bench.indices --keep left

Used by bench/indices.py at each size: the campaign's responses are exported to a
Parquet file with one column per question (scale items TINYINT, choices VARCHAR,
multiple choices VARCHAR[], the Vietnam day and the channel), then for each filter
case the service's commune report (cold: no copy in the process, a new session)
is timed beside one DuckDB query that computes the same answer counts per commune
(every `question=value` tally key and `n`; the service also computes the moments of
the composite intervals and alpha, and every figure, so the comparison favours
DuckDB). For the `gender` case the counts are checked equal.
"""

import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from sqlalchemy import Engine, select

from app.campaigns.models import Campaign
from app.core.clock import VIETNAM
from app.core.db import session_scope
from app.counts import columns
from app.questionnaires.catalog import Catalog, Questionnaire
from app.reporting import indices
from app.reporting.figures import keyspace
from app.units.models import Unit

# name -> filters (the cases: each single filter, one month, two + a date range)
CASES: dict[str, indices.Filters] = {
    "gender": indices.Filters(gender="female"),
    "age_band": indices.Filters(age_band="35_49"),
    "respondent_type": indices.Filters(respondent_type="citizen"),
    "service_field": indices.Filters(service_field="land"),
    "channel": indices.Filters(channel="kiosk"),
    "month": indices.Filters(date_from=date(2026, 6, 1), date_to=date(2026, 6, 30)),
    "two+dates": indices.Filters(
        gender="female", age_band="35_49", date_from=date(2026, 3, 1), date_to=date(2026, 8, 31)
    ),
}


def export_parquet(engine: Engine, campaign_id: int, q: Questionnaire, path: Path) -> int:
    """The campaign's counted responses, one column per question; returns the rows."""
    scale = [c for c, x in q.questions.items() if x.kind == "scale"]
    single = [c for c, x in q.questions.items() if x.kind == "single"]
    multi = [c for c, x in q.questions.items() if x.kind == "multi"]
    data: dict[str, list[Any]] = {
        c: [] for c in ["unit_id", "channel", "day", *scale, *single, *multi]
    }
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute(
            "SELECT unit_id, channel, submitted_at, answers::text FROM submission "
            "WHERE campaign_id = %s AND excluded_at IS NULL",
            (campaign_id,),
        )
        while rows := cur.fetchmany(50_000):
            for unit_id, channel, at, text in rows:
                a = orjson.loads(text)
                data["unit_id"].append(unit_id)
                data["channel"].append(channel)
                data["day"].append(at.astimezone(VIETNAM).date())
                for c in (*scale, *single, *multi):
                    data[c].append(a.get(c))
    finally:
        raw.close()
    types = {"unit_id": pa.int32(), "channel": pa.string(), "day": pa.date32()}
    types |= dict.fromkeys(scale, pa.int8()) | dict.fromkeys(single, pa.string())
    types |= dict.fromkeys(multi, pa.list_(pa.string()))
    table = pa.table({c: pa.array(v, type=types[c]) for c, v in data.items()})
    pq.write_table(table, path)
    return table.num_rows


def duckdb_sql(q: Questionnaire, f: indices.Filters) -> str:
    """One query: per commune, how many matching responses gave each answer."""
    scale = [c for c, x in q.questions.items() if x.kind == "scale"]
    single = [c for c, x in q.questions.items() if x.kind == "single"]
    multi = [c for c, x in q.questions.items() if x.kind == "multi"]
    where = [f"{n} = '{getattr(f, n)}'" for n in indices.FILTER_QUESTIONS if getattr(f, n)]
    where += [f"channel = '{f.channel}'"] if f.channel else []
    where += [f"day >= DATE '{f.date_from}'"] if f.date_from else []
    where += [f"day <= DATE '{f.date_to}'"] if f.date_to else []
    cond = " AND ".join(where) or "TRUE"
    cast = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" for c in [*scale, *single])
    parts = [
        "SELECT unit_id, k || '=' || v AS key FROM (UNPIVOT (SELECT unit_id, "
        f"{cast} FROM r) ON {', '.join([*scale, *single])} INTO NAME k VALUE v)",
        *(f"SELECT unit_id, '{c}=' || unnest({c}) FROM r" for c in multi),
        "SELECT unit_id, 'n' FROM r",
    ]
    return (
        f"WITH r AS (SELECT * FROM read_parquet($path) WHERE {cond}) "
        f"SELECT unit_id, key, count(*) FROM ({' UNION ALL '.join(parts)}) GROUP BY ALL"
    )


def median_time(
    fn: Callable[[], Any], runs: int, before: Callable[[], None] = lambda: None
) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(runs):
        before()
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def measure(
    engine: Engine, catalog: Catalog, q: Questionnaire, workdir: Path, runs: int
) -> dict[str, Any]:
    """Every case: the service's cold filtered report and DuckDB's query, seconds."""
    import duckdb  # bench only (dev extra)

    with session_scope(engine) as s:
        campaign = s.scalars(select(Campaign).where(Campaign.code == "BENCH")).one()
        campaign_id = campaign.id
    path = workdir / "responses.parquet"
    t0 = time.perf_counter()
    rows = export_parquet(engine, campaign_id, q, path)
    export_s = time.perf_counter() - t0
    db = duckdb.connect()
    out: dict[str, Any] = {"parquet_rows": rows, "parquet_export_s": export_s, "cases": {}}

    def ours(f: indices.Filters) -> bytes:
        with session_scope(engine) as s:
            return indices.report(s, catalog, "BENCH", level="commune", filters=f).gz()

    for name, f in CASES.items():

        def service(f: indices.Filters = f) -> bytes:
            return ours(f)

        def cold() -> None:  # as a process that has not served it (freeing is not timed)
            indices._cache.clear()

        def analyst(sql: str = duckdb_sql(q, f)) -> list[Any]:
            return db.execute(sql, {"path": str(path)}).fetchall()

        ours_s, _ = median_time(service, runs, cold)
        duck_s, counts = median_time(analyst, runs)
        out["cases"][name] = {"ours_s": ours_s, "duckdb_s": duck_s, "ratio": ours_s / duck_s}
        if name == "gender":
            out["cases"][name]["counts_agree"] = agree(engine, q, campaign_id, f, counts)
            print(f"  counts agree with DuckDB: {out['cases'][name]['counts_agree']}")
        print(
            f"  filtered {name:>15}: ours {ours_s * 1000:7.0f} ms, DuckDB {duck_s * 1000:7.0f} ms, "
            f"ratio {ours_s / duck_s:5.2f}",
            flush=True,
        )
    return out


def agree(
    engine: Engine, q: Questionnaire, campaign_id: int, f: indices.Filters, duck: list[Any]
) -> bool:
    """Whether DuckDB's (commune, key) counts are the service's, key for key."""
    ks = keyspace(q)
    with session_scope(engine) as s:
        communes = list(s.scalars(select(Unit.id).where(Unit.kind == "commune").order_by(Unit.id)))
        sel = indices.selection(f)
        got = columns.filtered(s, q, campaign_id, communes, ks.index, ks.layout, sel).matrix
    want = np.zeros((len(communes), len(ks.keys)), dtype=np.int64)
    row = {u: i for i, u in enumerate(communes)}
    for unit_id, key, n in duck:
        if key in ks.index:
            want[row[unit_id], ks.index[key]] = n
    checked = [i for i, k in enumerate(ks.keys) if not k.endswith("#")]
    return bool((got[:, checked] == want[:, checked]).all())


def main() -> None:
    """Only the filtered cases, on a database bench/indices.py kept (--keep)."""
    import argparse
    import json
    import tempfile

    from app.core.db import make_engine
    from app.questionnaires.catalog import get_catalog

    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--database", required=True, help="a database bench.indices kept")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    catalog = get_catalog()
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    engine = make_engine(args.database)
    with tempfile.TemporaryDirectory() as work:
        result = measure(engine, catalog, q, Path(work), args.runs)
    out = Path(__file__).resolve().parent / "results"
    out.mkdir(exist_ok=True)
    (out / "filtered.json").write_text(json.dumps(result, indent=2, default=str))


if __name__ == "__main__":
    main()
