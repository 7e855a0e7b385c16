"""Ingest benchmark: the real submission API, a bare insert and pgbench, with wrk.

    .venv/bin/python -m bench.ingest [--pg postgresql://postgres@127.0.0.1:5432/test]
                                     [--duration 20] [--connections 32] [--rounds 2]
                                     [--profile 15]
    make bench-ingest          # the same, installing wrk first if it is missing

What runs, on one throwaway PostgreSQL database:

1. `sipas serve --workers 2` (the real app), with a province of 40 departments, 400
   counters and one enrolled kiosk at each; one open campaign with a target per
   department (the quota path runs).
2. The bare-insert baseline (bench/baseline_async.py: Starlette + async psycopg,
   one INSERT of the same row into the same table), under uvicorn --workers 2.
3. `wrk` drives both with bench/ingest.lua: each request is a kiosk's POST (its
   cookie, the Sipas-Queue-Length header, the JSON body sipas.js sends), each under
   an id never used before. Real and baseline alternate for --rounds rounds; the
   best of each is kept. Only 201 answers count as accepted.
4. `pgbench` single-row INSERTs of the same row into the same table.
5. Batches of 100 through /api/v1/submissions/batch with wrk.

Afterwards every accepted id is looked up: the rows stored must be exactly the
201s counted. With --profile N, py-spy records the app's workers for N seconds of
an extra run and the hottest functions are printed (bench/results/ingest-profile.txt).

RATE_PER_MINUTE is raised to 100,000: the per-kiosk rate look-up runs on every
request (its cost is measured), but a benchmark kiosk sends far more than 20 a
minute and must not be refused for it.
"""

import argparse
import collections
import json
import os
import platform
import random
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text

from app.campaigns import service as campaigns
from app.collection import kiosks
from app.core import migrate
from app.core.db import make_engine, session_scope
from app.questionnaires.catalog import get_catalog
from bench.common import add_pg_argument
from tests.answers import valid_answers
from tests.dbutil import fresh_database
from tests.factories import make_campaign, make_counter, make_unit

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "ingest.lua"
CAMPAIGN = "BENCH-C"


def need(tool: str, package: str) -> str:
    # The venv's own scripts (py-spy) count even when the venv is not on PATH.
    path = shutil.which(tool) or shutil.which(tool, path=str(Path(sys.executable).parent))
    if path is None:
        sys.exit(f"{tool} is not installed: apt-get install {package} (make bench-ingest does it)")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                # Listening; give every worker time to finish importing the app.
                time.sleep(3)
                return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{' '.join(cmd)} did not start")


def seed(url: str, units: int, per_unit: int) -> tuple[int, dict[str, tuple[int, int]], list[str]]:
    """The campaign id, counter code -> (unit id, counter id), and one line per kiosk."""
    catalog = get_catalog()
    engine = make_engine(url)
    places: dict[str, tuple[int, int]] = {}
    lines = []
    with session_scope(engine) as s:
        province = make_unit(s, "BENCH")
        departments = []
        for i in range(1, units + 1):
            unit = make_unit(s, f"BENCH-{i:03d}", "department", province)
            departments.append(unit)
            for j in range(1, per_unit + 1):
                code = f"bench-{i}-{j}"
                places[code] = (unit.id, make_counter(s, code, unit).id)
        campaign = make_campaign(s, catalog, CAMPAIGN, departments)
        campaigns.set_targets(s, campaign, {u.code: 10**6 for u in departments})
        campaign_id = campaign.id
        for code in places:
            kiosks.set_kiosk(s, code, True)
            link = kiosks.enrol(s, code, f"tablet {code}")
            lines.append(f"{code}\t{kiosks.claim(s, link.token).cookie}")
    engine.dispose()
    return campaign_id, places, lines


def bodies(n: int) -> list[str]:
    """n kiosk bodies (sipas.js's shape), answers varied, finished a moment ago; each
    without its opening `{"id":…,"counter":…,` (the Lua script writes that)."""
    catalog = get_catalog()
    rng = random.Random(19)
    now = datetime.now(UTC)
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    out = []
    for _ in range(n):
        answers = valid_answers(catalog)
        for item in q.scale_items:
            answers[item] = rng.randint(1, 5)
        answers["gender"] = rng.choice(["female", "male"])
        body = {
            "questionnaire": "sipas-2017",
            "version": 1,
            "campaign": CAMPAIGN,
            "channel": "kiosk",
            "started_at": (now - timedelta(minutes=rng.randint(3, 9))).isoformat(),
            "submitted_at": (now - timedelta(seconds=rng.randint(1, 30))).isoformat(),
            "answers": answers,
        }
        out.append(json.dumps(body, ensure_ascii=False, separators=(",", ":"))[1:])
    return out


class Wrk:
    def __init__(self, work: Path, kiosk_lines: list[str], threads: int, db_url: str) -> None:
        self.work = work
        self.db_url = db_url
        self.threads = threads
        (work / "kiosks.tsv").write_text("\n".join(kiosk_lines) + "\n")

    def run(
        self,
        url: str,
        path: str,
        seconds: int,
        connections: int,
        batch: int = 0,
        server: subprocess.Popen[bytes] | None = None,
    ) -> dict[str, Any]:
        # Fresh timestamps each run: a live response is one finished minutes ago.
        (self.work / "bodies.jsonl").write_text("\n".join(bodies(64)) + "\n")
        nonce = secrets.token_hex(4)
        env = {
            **os.environ,
            "SIPAS_WRK_PATH": path,
            "SIPAS_WRK_BODIES": str(self.work / "bodies.jsonl"),
            "SIPAS_WRK_KIOSKS": str(self.work / "kiosks.tsv"),
            "SIPAS_WRK_NONCE": nonce,
            "SIPAS_WRK_BATCH": str(batch),
        }
        cmd = ["wrk", "-t", str(self.threads), "-c", str(connections), "-d", f"{seconds}s"]
        cmd += ["--timeout", "10s", "-s", str(LUA), url + path]
        pids = [server.pid, *workers_of(server.pid)] if server else []
        backends = self.backends() if server else []
        cpu_before, db_before = cpu_seconds(pids), cpu_seconds(backends)
        out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
        cpu, db_cpu = cpu_seconds(pids) - cpu_before, cpu_seconds(backends) - db_before
        line = next(x for x in out.splitlines() if x.startswith("SIPAS_WRK "))
        result: dict[str, Any] = json.loads(line.removeprefix("SIPAS_WRK "))
        result["nonce"] = nonce
        result["accepted_per_s"] = result["accepted"] / result["seconds"]
        result["rps"] = result["requests"] / result["seconds"]
        # CPU the server's processes spent per accepted response: unlike the rate, it
        # hardly moves when other work loads the machine.
        result["server_cpu_ms"] = 1000 * cpu / max(result["accepted"], 1) if pids else None
        # The same for the PostgreSQL backends serving this database (its pools).
        result["db_cpu_ms"] = 1000 * db_cpu / max(result["accepted"], 1) if pids else None
        return result

    def backends(self) -> list[int]:
        engine = make_engine(self.db_url)
        with engine.connect() as c:
            pids = c.execute(
                text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid()"
                )
            ).scalars()
            found = [int(p) for p in pids]
        engine.dispose()
        # Only the server's own processes can be read (same machine).
        return [p for p in found if Path(f"/proc/{p}/stat").exists()]


def pgbench(url: str, seconds: int, clients: int, campaign: int, place: tuple[int, int]) -> float:
    answers = json.dumps(valid_answers(get_catalog()))
    sql = (
        "INSERT INTO submission (id, campaign_id, unit_id, counter_id, questionnaire, "
        "questionnaire_version, channel, started_at, submitted_at, received_at, answers, "
        "body_hash, quality_flags, over_quota, late_sync) VALUES (gen_random_uuid(), "
        f"{campaign}, {place[0]}, {place[1]}, 'sipas-2017', 1, 'kiosk', "
        "now() - interval '4 minutes', now(), now(), "
        f"'{answers}'::jsonb, md5(random()::text), '[]'::jsonb, false, false);\n"
    )
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as f:
        f.write(sql)
    try:
        cmd = ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", f.name]
        out = subprocess.run(
            [*cmd, url.replace("postgresql+psycopg://", "postgresql://", 1)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    tps = next(x for x in out.splitlines() if x.startswith("tps = "))
    return float(tps.split()[2])


def stored(url: str, nonce: str) -> int:
    engine = make_engine(url)
    with engine.connect() as c:
        n = c.execute(
            text("SELECT count(*) FROM submission WHERE CAST(id AS text) LIKE :p"),
            {"p": nonce + "-%"},
        ).scalar_one()
    engine.dispose()
    return int(n)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # a backend that ended
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def workers_of(pid: int) -> list[int]:
    """The worker processes uvicorn's supervisor started (its children)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children]


IDLE = ("Condition.wait (threading", "Runner.run (asyncio", "Connection._recv (multiprocessing")
DB_WAIT = ("Connection.wait (psycopg",)


def hottest(raw: Path, top: int = 30) -> str:
    """py-spy's raw (collapsed) stacks summed per function, over the samples where a
    worker was running Python (not idle in its thread pool or event loop, not waiting
    for PostgreSQL): inclusive and self share."""
    own: collections.Counter[str] = collections.Counter()
    inclusive: collections.Counter[str] = collections.Counter()
    total = idle = db = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.strip().isdigit():  # a sample cut short when recording stopped
            continue
        n = int(count)
        frames = stack.split(";")[1:]
        if not frames:
            continue
        total += n
        if frames[-1].startswith(IDLE):
            idle += n
            continue
        if frames[-1].startswith(DB_WAIT):
            db += n
            continue
        own[frames[-1]] += n
        for f in set(frames):
            inclusive[f] += n
    busy = max(total - idle - db, 1)
    lines = [
        f"{total} samples: idle {100 * idle / total:.0f}%, waiting for PostgreSQL "
        f"{100 * db / total:.0f}%, running {100 * busy / total:.0f}%.",
        "Share of the running samples, inclusive then self, per function:",
    ]
    for f, n in inclusive.most_common(top * 4)[: top * 2]:
        lines.append(f"{100 * n / busy:5.1f}%  {100 * own[f] / busy:5.1f}%  {f}")
    lines.append("-- self time")
    for f, n in own.most_common(top):
        lines.append(f"{100 * n / busy:5.1f}%  {f}")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_pg_argument(ap)
    ap.add_argument("--units", type=int, default=40, help="departments")
    ap.add_argument("--counters", type=int, default=10, help="counters (kiosks) per department")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--duration", type=int, default=20, help="seconds per wrk/pgbench run")
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2, help="wrk threads")
    ap.add_argument("--rounds", type=int, default=2, help="alternate real/baseline this many times")
    ap.add_argument("--pgbench-clients", type=int, default=16)
    ap.add_argument("--batch-size", type=int, default=100)
    ap.add_argument("--profile", type=int, default=0, help="py-spy the app for this many seconds")
    ap.add_argument("--api-only", action="store_true", help="skip the baselines and batches")
    args = ap.parse_args()
    need("wrk", "wrk")
    need("pgbench", "postgresql-client")
    spy_bin = need("py-spy", "py-spy (pip install -e '.[dev]')") if args.profile else ""

    load_before = os.getloadavg()
    database = fresh_database(args.pg, prefix="sipas_bench")
    url = database.__enter__()
    procs: list[subprocess.Popen[bytes]] = []
    report: dict[str, Any] = {}
    try:
        migrate.upgrade(url)
        campaign_id, places, kiosk_lines = seed(url, args.units, args.counters)
        env = {
            **os.environ,
            "DATABASE_URL": url,
            "BENCH_CAMPAIGN": str(campaign_id),
            "BENCH_PLACES": json.dumps(places),
            "ENVIRONMENT": "test",
            "RATE_PER_MINUTE": "100000",
        }
        real_port, base_port = free_port(), free_port()
        real = start(
            [sys.executable, "-m", "app.cli", "serve", "--workers", str(args.workers)]
            + ["--port", str(real_port)],
            real_port,
            env,
        )
        procs.append(real)
        uvicorn = [sys.executable, "-m", "uvicorn", "bench.baseline_async:app", "--workers"]
        uvicorn += [str(args.workers), "--port", str(base_port), "--log-level", "warning"]
        base = start([*uvicorn, "--no-access-log"], base_port, env)
        procs.append(base)
        real_url, base_url = f"http://127.0.0.1:{real_port}", f"http://127.0.0.1:{base_port}"
        single = "/api/v1/submissions"
        work = Path(tempfile.mkdtemp(prefix="sipas-wrk-"))
        wrk = Wrk(work, kiosk_lines, args.threads, url)
        # Warm up: every worker imports, connects and fills its caches.
        wrk.run(real_url, single, 5, args.connections)
        if not args.api_only:
            wrk.run(base_url, "/insert", 5, args.connections)
        runs: dict[str, list[dict[str, Any]]] = {"api": [], "baseline": [], "batch": []}
        tps: list[float] = []
        first_place = next(iter(places.values()))
        for _ in range(args.rounds):
            runs["api"].append(
                wrk.run(real_url, single, args.duration, args.connections, server=real)
            )
            if args.api_only:
                continue
            runs["baseline"].append(
                wrk.run(base_url, "/insert", args.duration, args.connections, server=base)
            )
            tps.append(pgbench(url, args.duration, args.pgbench_clients, campaign_id, first_place))
        if not args.api_only:
            runs["batch"].append(
                wrk.run(
                    real_url,
                    single + "/batch",
                    args.duration,
                    min(args.connections, 4),
                    batch=args.batch_size,
                )
            )
        for kind in ("api", "batch"):
            for r in runs[kind]:
                r["stored"] = stored(url, r["nonce"])
        if args.profile:
            out = ROOT / "bench" / "results"
            out.mkdir(exist_ok=True)
            raw = out / "ingest-profile.raw"
            spy = subprocess.Popen(
                [spy_bin, "record", "-p", str(real.pid), "--subprocesses", "-r", "250"]
                + ["--gil", "-d", str(args.profile), "-f", "raw", "-o", str(raw), "--nonblocking"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            time.sleep(1)
            profiled = wrk.run(real_url, single, args.profile, args.connections)
            spy.wait(60)
            summary = hottest(raw)
            (out / "ingest-profile.txt").write_text(summary + "\n")
            print(summary)
            print(f"(profiled run: {profiled['accepted_per_s']:.0f} accepted/s under py-spy)")
        report["load_after"] = os.getloadavg()
    finally:
        for p in procs:
            p.terminate()
            p.wait(15)
        database.__exit__(None, None, None)

    def best(kind: str) -> dict[str, Any]:
        return max(runs[kind], key=lambda r: r["accepted_per_s"])

    api = best("api")
    if args.api_only:
        print(
            f"API only: {api['accepted_per_s']:.0f} accepted/s, p50 {api['p50_ms']:.1f} ms, "
            f"CPU per response: app {api['server_cpu_ms']:.2f} ms, PostgreSQL {api['db_cpu_ms']:.2f} ms"
        )
        return
    baseline, batch = best("baseline"), best("batch")
    report.update(
        {
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": platform.platform(),
            "cpus": os.cpu_count(),
            "load_before": load_before,
            "args": vars(args),
            "runs": runs,
            "pgbench_tps": tps,
            "ratio_api_to_baseline": api["accepted_per_s"] / baseline["accepted_per_s"],
        }
    )
    # wrk stops with requests in flight: the server still stores those (at most one
    # per connection), but nothing acknowledged may be missing.
    lost = [
        r
        for k, per in (("api", 1), ("batch", args.batch_size))
        for r in runs[k]
        if not 0 <= r["stored"] - r["accepted"] <= per * args.connections
    ]
    print(f"load average before {load_before[0]:.2f}, after {report['load_after'][0]:.2f}")
    for name, r in (("sipas serve (API)", api), ("bare insert", baseline)):
        print(
            f"{name:20} {r['accepted_per_s']:7.0f} accepted/s  p50 {r['p50_ms']:6.1f} ms  "
            f"p99 {r['p99_ms']:6.1f} ms  CPU/response: app {r['server_cpu_ms']:5.2f} ms, "
            f"PostgreSQL {r['db_cpu_ms']:5.2f} ms  "
            f"other {r['other']}  errors {r['socket_errors']}"
        )
    print(f"{'pgbench INSERT':20} {max(tps):7.0f} tx/s  ({args.pgbench_clients} clients)")
    print(f"ratio API / bare insert  {report['ratio_api_to_baseline']:.2f}  (target >= 0.8)")
    print(f"absolute                 {api['accepted_per_s']:.0f} accepted/s  (target >= 500)")
    print(
        f"batch of {args.batch_size}: {batch['accepted_per_s']:.0f} accepted responses/s, "
        f"p50 {batch['p50_ms']:.0f} ms per batch"
    )
    print(
        "every round (accepted/s): "
        + "; ".join(
            f"{k} " + ", ".join(f"{r['accepted_per_s']:.0f}" for r in runs[k]) for k in runs
        )
        + "; pgbench "
        + ", ".join(f"{t:.0f}" for t in tps)
    )
    if any(r["bad"] for k in runs for r in runs[k]):
        print("a refused request:", next(r["bad"] for k in runs for r in runs[k] if r["bad"]))
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    (out / "ingest.json").write_text(json.dumps(report, indent=2))
    if lost:
        sys.exit(f"FAIL: an acknowledged response is missing (or extra rows): {lost}")
    print("every acknowledged response is stored (plus those in flight when wrk stopped)")


if __name__ == "__main__":
    main()
