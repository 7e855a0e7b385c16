"""More than one machine, on one: losing an app process and then the replica mid-load.

`scripts/cluster` starts a PostgreSQL primary, a streaming replica, PgBouncer in
transaction mode and two `sipas serve` processes behind HAProxy (Debian packages).
Kiosks submit through HAProxy, each keeping a response until it is acknowledged (as
the offline queue does), while a dashboard polls the live indices. App process 1 is
killed (SIGKILL) a third of the way in, the replica stopped (immediate shutdown) two
thirds in. Afterwards every acknowledged response is on the primary exactly once,
nothing that was never sent is, the reports were read from the replica before it
went and are still served, from the primary, after.
"""

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from app.access.service import create_api_key
from app.campaigns.models import Campaign
from app.collection.models import Submission
from app.core.config import ROOT, get_settings
from app.core.db import make_engine, session_scope
from app.questionnaires.catalog import Catalog
from tests.answers import body
from tests.core.test_load import _request
from tests.factories import make_campaign, make_counter, make_unit

pytestmark = pytest.mark.cluster

SCRIPT = ROOT / "scripts" / "cluster"
PG_PORT = 15532  # replica 15533, PgBouncer 15534: apart from a developer's scripts/cluster
HTTP_PORT = 18100  # apps 18101, 18102 (below 32768: no outgoing connection takes them)
KIOSKS = 12
SECONDS = 24.0


@dataclass
class Cluster:
    dir: Path
    env: dict[str, str]
    urls: dict[str, str]

    def run(self, *args: str) -> str:
        done = subprocess.run(
            [str(SCRIPT), *args], env=self.env, capture_output=True, text=True, timeout=180
        )
        if done.returncode != 0:
            logs = "".join(
                f"\n--- {p.name}\n{p.read_text(errors='replace')[-2000:]}"
                for p in sorted(self.dir.glob("*.log"))
            )
            pytest.fail(f"scripts/cluster {' '.join(args)}: {done.stdout}{done.stderr}{logs}")
        return done.stdout


def _missing_parts() -> list[str]:
    need = {"pgbouncer": "/usr/sbin/pgbouncer", "haproxy": "/usr/sbin/haproxy"}
    missing = [n for n, p in need.items() if not (shutil.which(n) or Path(p).exists())]
    if not list(Path("/usr/lib/postgresql").glob("*/bin/pg_basebackup")):
        missing.append("postgresql")
    return missing


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    if not os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("the cluster test runs in the PostgreSQL half of the suite")
    missing = _missing_parts()
    if missing:
        message = (
            f"the cluster test needs the Debian packages {', '.join(missing)}: "
            "run `scripts/cluster install` (as root)"
        )
        if os.environ.get("SIPAS_REQUIRE_CLUSTER"):
            pytest.fail(message)
        pytest.skip(message)
    directory = ROOT / "var" / "cluster-test"
    env = {
        **os.environ,
        "CLUSTER_DIR": str(directory),
        "CLUSTER_APPS": "2",
        "CLUSTER_PG_PORT": str(PG_PORT),
        "CLUSTER_HTTP_PORT": str(HTTP_PORT),
        "CLUSTER_PYTHON": sys.executable,
        "RATE_PER_MINUTE": "0",
        "ENVIRONMENT": "test",
        # Every poll may rebuild (no window), so the replica serves snapshots only
        # when exact, and a poll after a fold must find it on the primary.
        "REPORT_MAX_STALE_SECONDS": "1",
    }
    c = Cluster(directory, env, {})
    c.run("destroy")
    try:
        out = c.run("start")
        c.urls = dict(re.findall(r"^(\w+)=(\S+)$", out, re.M))
        yield c
    finally:
        c.run("destroy")


@dataclass
class Load:
    statuses: Counter[Any] = field(default_factory=Counter)
    sent: set[uuid.UUID] = field(default_factory=set)
    acknowledged: set[uuid.UUID] = field(default_factory=set)
    # (seconds since the start, status) of every report poll.
    polls: list[tuple[float, int | str]] = field(default_factory=list)


async def _kiosk(port: int, catalog: Catalog, stop: float, load: Load) -> None:
    """A kiosk: one response at a time, sent again until acknowledged."""
    b: dict[str, Any] | None = None
    while time.monotonic() < stop:
        b = b or body(catalog, counter="k-cluster")
        load.sent.add(uuid.UUID(b["id"]))
        status: int | str
        try:
            status, _ = await asyncio.wait_for(
                _request(port, "POST", "/api/v1/submissions", json.dumps(b).encode()), 30
            )
        except (TimeoutError, OSError, IndexError, ValueError) as exc:
            status = type(exc).__name__
        load.statuses[status] += 1
        if status in (200, 201):
            load.acknowledged.add(uuid.UUID(b["id"]))
            b = None
        else:
            await asyncio.sleep(0.3)


async def _dashboard(port: int, key: str, start: float, stop: float, load: Load) -> None:
    while time.monotonic() < stop:
        status: int | str
        try:
            status, _ = await asyncio.wait_for(
                _request(port, "GET", "/api/v1/campaigns/C-CLUSTER/indices", key=key), 30
            )
        except (TimeoutError, OSError, IndexError, ValueError) as exc:
            status = type(exc).__name__
        load.polls.append((time.monotonic() - start, status))
        await asyncio.sleep(0.25)


def _reads(port: int) -> dict[tuple[str, str], float]:
    """sipas_replica_reads_total of one app process, by (source, reason)."""
    status, text = asyncio.run(_request(port, "GET", "/metrics"))
    assert status == 200
    found = re.findall(
        r'^sipas_replica_reads_total\{reason="([^"]*)",source="([^"]*)"\} (\S+)$',
        text.decode(),
        re.M,
    )
    return {(source, reason): float(n) for reason, source, n in found}


def _alternate(connections: list[Any], rounds: int = 20) -> list[str]:
    """Short transactions taking turns, each connection its own statement, as two
    requests do: PgBouncer hands each the server connection the other just left."""
    errors = []
    for i in range(rounds):
        for n, conn in enumerate(connections):
            try:
                with conn.begin():
                    conn.execute(text(f"SELECT CAST(:i AS int) + {n}"), {"i": i}).scalar()
            except DBAPIError as exc:
                errors.append(str(exc.orig).splitlines()[0])
    return errors


def test_psycopg_behind_pgbouncer_needs_prepared_statements_off(
    cluster: Cluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = cluster.urls["DATABASE_BOUNCER_URL"]
    # psycopg's default (prepare after 5 runs): the next client finds the name taken.
    default = create_engine(url)
    with default.connect() as a, default.connect() as b:
        errors = _alternate([a, b])
    default.dispose()
    assert errors, "psycopg's default prepared statements worked behind PgBouncer"
    assert all("prepared statement" in e for e in errors), errors
    # What scripts/cluster runs the apps with: no prepared statements, no errors.
    monkeypatch.setattr(get_settings(), "DB_PREPARED_STATEMENTS", False)
    engine = make_engine(url)
    with engine.connect() as a, engine.connect() as b:
        assert _alternate([a, b]) == []
    engine.dispose()


def test_app_and_replica_lost_mid_load(cluster: Cluster, catalog: Catalog) -> None:
    primary = make_engine(cluster.urls["DATABASE_URL"])
    with session_scope(primary) as s:
        province = make_unit(s, "CLU")
        dept = make_unit(s, "CLU-S1", "department", province)
        make_counter(s, "k-cluster", dept)
        make_campaign(s, catalog, "C-CLUSTER", [province], min_sample=5)
        _, key = create_api_key(s, "cluster dashboard")
    load = Load()
    killed: dict[str, float] = {}

    async def scenario() -> None:
        start = time.monotonic()
        stop = start + SECONDS

        async def faults() -> None:
            await asyncio.sleep(SECONDS / 3)
            await asyncio.to_thread(cluster.run, "kill-app", "1")
            killed["app"] = time.monotonic() - start
            await asyncio.sleep(SECONDS / 3 - 2)
            # The replica served reports until now (app 2 still runs).
            reads = await asyncio.to_thread(_reads, HTTP_PORT + 2)
            killed["replica reads before"] = reads.get(("replica", ""), 0)
            await asyncio.to_thread(cluster.run, "kill-replica")
            killed["replica"] = time.monotonic() - start

        await asyncio.gather(
            faults(),
            _dashboard(HTTP_PORT, key, start, stop, load),
            *(_kiosk(HTTP_PORT, catalog, stop, load) for _ in range(KIOSKS)),
        )

    asyncio.run(scenario())
    summary = f"kiosks {dict(load.statuses)}, killed at {killed}, polls {Counter(p[1] for p in load.polls)}"

    # Every acknowledged response is on the primary, once; nothing never sent is.
    with session_scope(primary) as s:
        c = s.scalar(select(Campaign).where(Campaign.code == "C-CLUSTER"))
        assert c is not None
        rows = s.execute(
            select(Submission.id, func.count())
            .where(Submission.campaign_id == c.id)
            .group_by(Submission.id)
        ).all()
    primary.dispose()
    stored = Counter({row[0]: row[1] for row in rows})
    assert len(load.acknowledged) > 100, summary
    assert not load.acknowledged - set(stored), summary
    assert all(n == 1 for n in stored.values()), summary
    assert set(stored) <= load.sent, summary
    # Killing an app process cost the kiosks nothing: HAProxy sent the requests it
    # held again to the other (a submission is idempotent by its id).
    assert set(load.statuses) <= {200, 201, 503}, summary

    # Reports came from the replica, then, with it gone, from the primary.
    assert killed["replica reads before"] > 0, summary
    after = [status for t, status in load.polls if t > killed["replica"] + 2]
    assert after, summary
    assert all(status == 200 for status in after), summary
    assert _reads(HTTP_PORT + 2).get(("primary", "down"), 0) > 0, summary
