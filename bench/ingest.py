"""Ingest benchmark: the real submission API against a bare insert, side by side.

    .venv/bin/python -m bench.ingest [--pg postgresql://postgres@127.0.0.1:5432/test]
                                     [--requests 3000] [--concurrency 16]

Creates a throwaway PostgreSQL database, migrates it, starts both apps under
uvicorn (one worker each, alternately, on this machine), drives each with the same
concurrent async client, and reports requests per second, p50/p99 latency and
the ratio. Then the batch endpoint (batches of 100) in responses per second.
"""

import argparse
import asyncio
import itertools
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from app.campaigns import service as campaigns
from app.collection.models import Submission
from app.core import migrate
from app.core.db import make_engine, session_scope
from app.questionnaires.catalog import get_catalog
from bench.common import add_pg_argument
from tests.answers import body as make_body
from tests.answers import valid_answers
from tests.dbutil import fresh_database
from tests.factories import make_campaign, make_counter, make_unit

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(module: str, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            module,
            "--port",
            str(port),
            "--log-level",
            "warning",
            "--no-access-log",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            httpx.get(f"{base}/openapi.json", timeout=1)
            return proc, base
        except httpx.TransportError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{module} did not start")


async def drive(
    url: str, payloads: list[Any], concurrency: int, expect: set[int]
) -> dict[str, float]:
    latencies: list[float] = []
    queue = list(reversed(payloads))
    errors = 0

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while queue:
            payload = queue.pop()
            t = time.perf_counter()
            r = await client.post(url, json=payload)
            latencies.append(time.perf_counter() - t)
            if r.status_code not in expect:
                errors += 1
                if errors < 3:
                    print("unexpected", r.status_code, r.text[:300])

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        t0 = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    latencies.sort()
    return {
        "requests": len(payloads),
        "seconds": elapsed,
        "rps": len(payloads) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p99_ms": 1000 * latencies[int(0.99 * (len(latencies) - 1))],
        "errors": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_pg_argument(ap)
    ap.add_argument("--requests", type=int, default=3000)
    ap.add_argument(
        "--units", type=int, default=40, help="departments (one counter each) sharing the load"
    )
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2, help="alternate real/baseline this many times")
    args = ap.parse_args()

    database = fresh_database(args.pg, prefix="sipas_bench")
    url = database.__enter__()
    procs = []
    try:
        migrate.upgrade(url)
        catalog = get_catalog()
        engine = make_engine(url)
        # A province's departments, one counter each, all in the campaign's scope, each
        # with a sample target: responses arrive from many counters at once, as they do.
        places: dict[str, tuple[int, int]] = {}
        with session_scope(engine) as s:
            province = make_unit(s, "BENCH")
            departments = []
            for i in range(1, args.units + 1):
                unit = make_unit(s, f"BENCH-{i:03d}", "department", province)
                places[f"bench-{i}"] = (unit.id, make_counter(s, f"bench-{i}", unit).id)
                departments.append(unit)
            campaign = make_campaign(s, catalog, "BENCH-C", departments)
            campaigns.set_targets(
                s, campaign, {f"BENCH-{i:03d}": 10**6 for i in range(1, args.units + 1)}
            )
            campaign_id = campaign.id
        # Each counter here sends hundreds of responses a minute; no real counter does,
        # so the per-counter rate limit is off (its look-up is not part of ingest cost).
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "BENCH_CAMPAIGN": str(campaign_id),
            "BENCH_PLACES": json.dumps(places),
            "ENVIRONMENT": "test",
            "RATE_PER_MINUTE": "0",
        }
        spread = itertools.cycle(list(places))
        answers = valid_answers(catalog)
        real, real_base = start("app.main:app", env)
        base, base_base = start("bench.baseline_app:app", env)
        procs = [real, base]
        warm = [make_body(catalog, counter=next(spread), answers=answers) for _ in range(200)]
        asyncio.run(drive(f"{real_base}/api/v1/submissions", warm, args.concurrency, {201}))
        asyncio.run(
            drive(
                f"{base_base}/insert",
                [make_body(catalog, counter=next(spread), answers=answers) for _ in range(200)],
                args.concurrency,
                {201},
            )
        )
        runs: dict[str, list[dict[str, float]]] = {"api": [], "baseline": [], "batch": []}
        for _ in range(args.rounds):
            runs["api"].append(
                asyncio.run(
                    drive(
                        f"{real_base}/api/v1/submissions",
                        [
                            make_body(catalog, counter=next(spread), answers=answers)
                            for _ in range(args.requests)
                        ],
                        args.concurrency,
                        {201},
                    )
                )
            )
            runs["baseline"].append(
                asyncio.run(
                    drive(
                        f"{base_base}/insert",
                        [
                            make_body(catalog, counter=next(spread), answers=answers)
                            for _ in range(args.requests)
                        ],
                        args.concurrency,
                        {201},
                    )
                )
            )
            n_batches = max(args.requests // args.batch_size, 4)
            batches = [
                {
                    "submissions": [
                        make_body(catalog, counter=next(spread), answers=answers)
                        for _ in range(args.batch_size)
                    ]
                }
                for _ in range(n_batches)
            ]
            b = asyncio.run(
                drive(
                    f"{real_base}/api/v1/submissions/batch",
                    batches,
                    min(args.concurrency, 4),
                    {200},
                )
            )
            b["responses_per_s"] = b["rps"] * args.batch_size
            runs["batch"].append(b)
        with engine.connect() as c:
            stored = c.scalar(select(func.count()).select_from(Submission))
        engine.dispose()
    finally:
        for p in procs:
            p.terminate()
            p.wait(10)
        database.__exit__(None, None, None)

    def best(kind: str, key: str = "rps") -> dict[str, float]:
        return max(runs[kind], key=lambda r: r[key])

    api, baseline, batch = best("api"), best("baseline"), best("batch", "responses_per_s")
    report = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": platform.platform(),
        "cpus": os.cpu_count(),
        "concurrency": args.concurrency,
        "requests": args.requests,
        "api": api,
        "baseline": baseline,
        "batch": batch,
        "rows_stored": stored,
        "ratio_api_to_baseline": api["rps"] / baseline["rps"],
        "batch_vs_single_responses": batch["responses_per_s"] / api["rps"],
    }
    print(
        f"single submissions  {api['rps']:8.0f} req/s  p50 {api['p50_ms']:6.1f} ms  p99 {api['p99_ms']:6.1f} ms"
    )
    print(
        f"baseline insert     {baseline['rps']:8.0f} req/s  p50 {baseline['p50_ms']:6.1f} ms  "
        f"p99 {baseline['p99_ms']:6.1f} ms"
    )
    print(f"ratio api/baseline  {report['ratio_api_to_baseline']:.2f}  (target >= 0.8)")
    print(
        f"batch of {args.batch_size:<4}       {batch['responses_per_s']:8.0f} responses/s  "
        f"p50 {batch['p50_ms']:6.1f} ms per batch  = {report['batch_vs_single_responses']:.1f}x single "
        f"(target >= 10)"
    )
    print(
        f"errors: api {api['errors']}, baseline {baseline['errors']}, batch {batch['errors']}; rows {stored}"
    )
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
