"""One rebuild per report across processes: `sipas serve --workers 2` on PostgreSQL.

Each process keeps its own lock for a report being rebuilt; without a claim in the
database both workers rebuilt the same report when requests for it reached both
(twice the CPU of the biggest request a dashboard makes, at the worst moment: just
after a coordinator's change or when the freshness window runs out).
"""

import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import create_engine, text

from app.core.config import normalise_database_url
from tests.core.test_metrics import _port
from tests.dbutil import BACKEND, fresh_database

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="advisory locks: several processes share PostgreSQL"
)


def _samples(base: str) -> dict[str, float]:
    got: dict[str, float] = {}
    for family in text_string_to_metric_families(httpx.get(f"{base}/metrics", timeout=10).text):
        for s in family.samples:
            if s.name.startswith("sipas_report_rebuild"):
                name = s.name + "".join(f"{{{v}}}" for v in s.labels.values())
                got[name] = got.get(name, 0.0) + s.value
    return got


def _pids(log: Path, since: int = 0) -> set[int]:
    """The processes that answered a report request (JSON access log, from line `since`)."""
    access = [json.loads(x) for x in log.read_text().splitlines()[since:] if x.startswith("{")]
    return {x["pid"] for x in access if "/indices" in str(x.get("path"))}


def test_two_workers_rebuild_a_report_once_and_serve_the_same_edition(tmp_path: Path) -> None:
    port = _port()
    with fresh_database() as url:
        env = {**os.environ, "DATABASE_URL": url, "LOG_FORMAT": "json"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        sipas = str(Path(sys.executable).with_name("sipas"))

        def run(*args: str) -> str:
            done = subprocess.run([sipas, *args], env=env, capture_output=True, text=True)
            assert done.returncode == 0, done.stderr
            return done.stdout

        run("db", "upgrade")
        run("demo", "--submissions", "3000")
        key = run("keys", "create", "--label", "dashboard").strip().splitlines()[-1]
        engine = create_engine(normalise_database_url(url))
        with engine.begin() as conn:  # no stored report: the first requests must build it
            conn.execute(text("DELETE FROM report_snapshot"))
        engine.dispose()
        log = tmp_path / "serve.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [sipas, "serve", "--port", str(port), "--workers", "2"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while log.read_text().count("Application startup complete") < 2:
                assert time.monotonic() < deadline, log.read_text()
                assert proc.poll() is None, log.read_text()
                time.sleep(0.3)
            # Warm both workers (a first report imports the statistics libraries, which
            # took longer than the build itself) with another view of the report, then
            # take every stored report away again.
            auth = {"Authorization": f"Bearer {key}"}
            for _ in range(10):
                with ThreadPoolExecutor(6) as pool:
                    list(
                        pool.map(
                            lambda _: httpx.get(
                                f"{base}/api/v1/campaigns/DEMO-2026/indices?sort=rank",
                                headers=auth,
                                timeout=60,
                            ),
                            range(6),
                        )
                    )
                if len(_pids(log)) == 2:
                    break
            engine = create_engine(normalise_database_url(url))
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM report_snapshot"))
            engine.dispose()
            warm = _samples(base)["sipas_report_rebuilds_total"]
            start = len(log.read_text().splitlines())
            barrier = threading.Barrier(12)
            answers: list[httpx.Response] = []

            def ask() -> None:
                barrier.wait()
                # A new connection each: the kernel hands them to both workers.
                got = httpx.get(
                    f"{base}/api/v1/campaigns/DEMO-2026/indices",
                    headers=auth,
                    timeout=60,
                )
                answers.append(got)

            threads = [threading.Thread(target=ask) for _ in range(12)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(90)
            counted = _samples(base)
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    assert [a.status_code for a in answers] == [200] * 12, [a.text[:200] for a in answers]
    # Every answer is the same stored report: one build, served by both processes.
    assert len({a.content for a in answers}) == 1
    assert counted["sipas_report_rebuilds_total"] - warm == 1, counted
    assert len(_pids(log, start)) == 2, "the burst did not reach both workers"
