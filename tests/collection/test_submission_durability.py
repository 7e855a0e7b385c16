"""Exactly once under concurrency, and acknowledged means committed."""

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from app.collection.models import Submission
from app.collection.schemas import SubmissionIn
from app.core import migrate
from app.core.config import ROOT
from app.core.db import make_engine, session_scope
from app.core.errors import Conflict
from app.questionnaires.catalog import Catalog
from tests import concurrency
from tests.answers import body, valid_answers
from tests.dbutil import fresh_database
from tests.factories import make_campaign, make_counter, make_unit


@pytest.fixture
def committed_place(engine: Any, catalog: Catalog) -> Iterator[str]:
    with concurrency.committed_place(engine, catalog) as tag:
        yield tag


def _race(engine: Any, catalog: Catalog, bodies: list[SubmissionIn]) -> list[Any]:
    return [
        ("conflict", o)
        if isinstance(o, Conflict)
        else ("created" if o.created else "replay", o.receipt)
        for o in concurrency.race(engine, catalog, bodies)
    ]


def _stored(engine: Any, submission_id: uuid.UUID) -> int:
    with Session(engine) as s:
        return (
            s.scalar(
                select(func.count()).select_from(Submission).where(Submission.id == submission_id)
            )
            or 0
        )


def test_identical_concurrent_requests_store_one_row(
    engine: Any, catalog: Catalog, committed_place: str
) -> None:
    b = SubmissionIn.model_validate(body(catalog, counter=f"k-{committed_place}"))
    outcomes = _race(engine, catalog, [b] * 6)
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["created"] + ["replay"] * 5
    assert len({o[1].model_dump_json() for o in outcomes}) == 1  # one receipt for all
    assert _stored(engine, b.id) == 1


def test_same_id_different_bodies_at_once(
    engine: Any, catalog: Catalog, committed_place: str
) -> None:
    raw = body(catalog, counter=f"k-{committed_place}")
    a = SubmissionIn.model_validate(raw)
    b = SubmissionIn.model_validate(dict(raw, answers=valid_answers(catalog, level=2)))
    outcomes = _race(engine, catalog, [a, b, a, b])
    kinds = [o[0] for o in outcomes]
    assert kinds.count("created") == 1
    winner = a if kinds[0] in ("created", "replay") else b
    assert all(
        (k in ("created", "replay")) == (bod is winner)
        for k, bod in zip(kinds, [a, b, a, b], strict=True)
    )
    assert _stored(engine, a.id) == 1


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_acknowledged_submission_survives_a_killed_app(catalog: Catalog) -> None:
    with fresh_database() as url:
        migrate.upgrade(url)
        setup = make_engine(url)
        with session_scope(setup) as s:
            unit = make_unit(s, "KILL")
            make_counter(s, "k-kill", unit)
            make_campaign(s, catalog, "C-KILL", [unit])
        setup.dispose()
        port = _free_port()
        env = {**os.environ, "DATABASE_URL": url}
        server = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "app.main:app", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    httpx.get(f"{base}/healthz", timeout=1)
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            b = body(catalog, counter="k-kill")
            r = httpx.post(f"{base}/api/v1/submissions", json=b, timeout=10)
            assert r.status_code == 201, r.text
            server.send_signal(signal.SIGKILL)  # no shutdown, no flush: a crash
            server.wait(10)
        finally:
            if server.poll() is None:
                server.kill()
        check = create_engine(url)
        try:
            assert _stored(check, uuid.UUID(b["id"])) == 1
        finally:
            check.dispose()
