"""The cluster of `scripts/cluster`, measured: what each step of docs/scaling.md buys.

    .venv/bin/python -m bench.cluster [--seconds 20] [--connections 32]

Starts the topology in var/cluster-bench (PostgreSQL primary and streaming replica,
PgBouncer in transaction mode, app processes behind HAProxy), then, each time with
`wrk` sending kiosk submissions (a fresh id each) through HAProxy:

1. ingest with 1 and with 2 app processes: accepted responses per second, the ratio;
2. with 2 apps, a dashboard polling the live indices while ingest runs, its reads
   on the replica (DATABASE_REPLICA_URL) and then on the primary only
   (CLUSTER_REPLICA_READS=0): report latency, ingest rate, where the reads went;
3. the replica's lag behind the primary, sampled twice a second during (2).

Needs Debian's postgresql, pgbouncer, haproxy and wrk (`scripts/cluster install`;
`apt-get install wrk`). Prints one line per run and the load average beside them.
"""

import argparse
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import create_engine, text

from app.access.service import create_api_key
from app.core.config import ROOT
from app.core.db import make_engine, session_scope
from app.questionnaires.catalog import get_catalog
from tests.answers import body
from tests.factories import make_campaign, make_counter, make_unit

SCRIPT = ROOT / "scripts" / "cluster"
DIR = ROOT / "var" / "cluster-bench"
PG_PORT = 15632
HTTP_PORT = 18200

LUA = """
local n = 0
local nonce = "__NONCE__"
local tid = 0
function setup(thread) thread:set("tid", __TID__) __TID__ = __TID__ + 1 end
function init(args) tid = tonumber(wrk.thread:get("tid")) or 0 end
request = function()
  n = n + 1
  local id = string.format("%s-0000-4000-8000-%012x", nonce, n * 64 + tid)
  return wrk.format("POST", "/api/v1/submissions",
    {["Content-Type"] = "application/json"}, (template:gsub("__ID__", id)))
end
"""


def _cluster(*args: str, apps: int = 2, replica_reads: bool = True) -> str:
    env = {
        **os.environ,
        "CLUSTER_DIR": str(DIR),
        "CLUSTER_APPS": str(apps),
        "CLUSTER_PG_PORT": str(PG_PORT),
        "CLUSTER_HTTP_PORT": str(HTTP_PORT),
        "CLUSTER_PYTHON": sys.executable,
        "CLUSTER_REPLICA_READS": "1" if replica_reads else "0",
        "RATE_PER_MINUTE": "0",
    }
    done = subprocess.run([str(SCRIPT), *args], env=env, capture_output=True, text=True)
    if done.returncode:
        sys.exit(f"scripts/cluster {' '.join(args)} failed: {done.stdout}{done.stderr}")
    return done.stdout


def _setup(primary_url: str) -> str:
    """A province, a counter and an open campaign on the primary; a read key."""
    catalog = get_catalog()
    engine = make_engine(primary_url)
    with session_scope(engine) as s:
        province = make_unit(s, "BEN")
        dept = make_unit(s, "BEN-S1", "department", province)
        make_counter(s, "k-bench", dept)
        make_campaign(s, catalog, "C-BENCH", [province], min_sample=5)
        _, key = create_api_key(s, "bench dashboard")
    engine.dispose()
    return key


def _lua_file() -> Path:
    """wrk's script: the kiosk's body with a fresh id per request (a new nonce per
    run, so no run replays another's ids: a replay is cheaper than a new row)."""
    template = body(get_catalog(), counter="k-bench", id="__ID__")
    lua = LUA.replace("__TID__", "_G.tids").replace("__NONCE__", secrets.token_hex(4))
    lua = "_G.tids = 0\ntemplate = " + _lua_string(json.dumps(template)) + "\n" + lua
    path = Path(tempfile.mkstemp(suffix=".lua")[1])
    path.write_text(lua)
    return path


def _lua_string(s: str) -> str:
    return "[==[" + s + "]==]"


def _rows(primary_url: str) -> int:
    engine = create_engine(primary_url)
    with engine.connect() as conn:
        n = conn.execute(text("SELECT count(*) FROM submission")).scalar_one()
    engine.dispose()
    return int(n)


def _wrk(seconds: float, connections: int, primary_url: str) -> dict[str, float]:
    """wrk through HAProxy; `created_per_s` counts the rows the primary gained."""
    script = _lua_file()
    before = _rows(primary_url)
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{int(seconds)}s",
            "--latency",
            "-s",
            str(script),
            f"http://127.0.0.1:{HTTP_PORT}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    script.unlink()
    created = _rows(primary_url) - before
    total = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    p50 = re.search(r"50%\s+(\S+)", out)
    p99 = re.search(r"99%\s+(\S+)", out)
    accepted = total - (int(bad.group(1)) if bad else 0)
    return {
        "accepted_per_s": accepted / seconds,
        "created_per_s": created / seconds,
        "refused": total - accepted,
        "p50": p50.group(1) if p50 else "?",  # type: ignore[dict-item]
        "p99": p99.group(1) if p99 else "?",  # type: ignore[dict-item]
        "socket_errors": errors.group(1) if errors else "none",  # type: ignore[dict-item]
    }


def _poll(key: str, stop: threading.Event, latencies: list[float], statuses: list[int]) -> None:
    with httpx.Client(base_url=f"http://127.0.0.1:{HTTP_PORT}", timeout=60) as c:
        while not stop.is_set():
            t = time.perf_counter()
            r = c.get(
                "/api/v1/campaigns/C-BENCH/indices", headers={"Authorization": f"Bearer {key}"}
            )
            latencies.append(time.perf_counter() - t)
            statuses.append(r.status_code)
            time.sleep(0.2)


def _lag(primary_url: str, stop: threading.Event, samples: list[tuple[float, float]]) -> None:
    """(bytes, seconds) the replica's replay is behind the primary, twice a second."""
    engine = create_engine(primary_url)
    with engine.connect() as conn:
        while not stop.is_set():
            row = conn.execute(
                text(
                    "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),"
                    " extract(epoch FROM coalesce(replay_lag, '0'))"
                    " FROM pg_stat_replication"
                )
            ).first()
            conn.commit()
            if row is not None:
                samples.append((float(row[0] or 0), float(row[1] or 0)))
            time.sleep(0.5)
    engine.dispose()


def _reads(apps: int) -> dict[str, float]:
    found: dict[str, float] = {}
    for i in range(1, apps + 1):
        r = httpx.get(f"http://127.0.0.1:{HTTP_PORT + i}/metrics", timeout=10)
        for reason, source, n in re.findall(
            r'^sipas_replica_reads_total\{reason="([^"]*)",source="([^"]*)"\} (\S+)$',
            r.text,
            re.M,
        ):
            label = source + (f"/{reason}" if reason else "")
            found[label] = found.get(label, 0) + float(n)
    return found


def _ingest_with_reports(
    args: argparse.Namespace, key: str, primary_url: str, replica_reads: bool
) -> dict[str, Any]:
    _cluster("start", apps=2, replica_reads=replica_reads)
    stop = threading.Event()
    latencies: list[float] = []
    statuses: list[int] = []
    lag: list[tuple[float, float]] = []
    threads = [
        threading.Thread(target=_poll, args=(key, stop, latencies, statuses)),
        threading.Thread(target=_lag, args=(primary_url, stop, lag)),
    ]
    for t in threads:
        t.start()
    try:
        ingest = _wrk(args.seconds, args.connections, primary_url)
    finally:
        stop.set()
        for t in threads:
            t.join()
    reads = _reads(2)
    _cluster("stop")
    lat = sorted(latencies) or [0.0]
    return {
        "ingest": ingest,
        "reports": len(lat),
        "report_p50_ms": statistics.median(lat) * 1000,
        "report_p90_ms": lat[int(len(lat) * 0.9)] * 1000,
        "report_non_200": sum(1 for s in statuses if s != 200),
        "reads": reads,
        "lag_bytes_max": max((b for b, _ in lag), default=0),
        "lag_seconds_p50": statistics.median([s for _, s in lag]) if lag else 0,
        "lag_seconds_max": max((s for _, s in lag), default=0),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--connections", type=int, default=32)
    args = ap.parse_args()
    _cluster("destroy")
    out = _cluster("start", apps=1)
    urls = dict(re.findall(r"^(\w+)=(\S+)$", out, re.M))
    primary = urls["DATABASE_URL"]
    key = _setup(primary)
    try:
        one = _wrk(args.seconds, args.connections, primary)
        _cluster("stop")
        _cluster("start", apps=2)
        two = _wrk(args.seconds, args.connections, primary)
        _cluster("stop")
        print(f"load average before the runs: {os.getloadavg()}")
        print(f"ingest through HAProxy, 1 app process: {one}")
        print(f"ingest through HAProxy, 2 app processes: {two}")
        print(f"ratio 2 / 1: {two['created_per_s'] / one['created_per_s']:.2f}")
        for replica_reads in (True, False):
            r = _ingest_with_reports(args, key, primary, replica_reads)
            where = "replica" if replica_reads else "primary only"
            print(f"2 apps, dashboard reads on the {where}: {json.dumps(r)}")
        print(f"load average after: {os.getloadavg()}")
    finally:
        _cluster("destroy")


if __name__ == "__main__":
    main()
