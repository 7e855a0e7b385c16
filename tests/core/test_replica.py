"""Where reads go with DATABASE_REPLICA_URL: the replica, unless the reader has just
written, asked for no cache, or the replica is down; writes always to the primary."""

import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route
from starlette.testclient import TestClient

from app.core import replica
from app.core.config import get_settings


def _db(path: Path, label: str) -> Engine:
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (x TEXT)"))
        conn.execute(text("INSERT INTO t VALUES (:x)"), {"x": label})
    return engine


def _request(headers: dict[str, str] | None = None) -> Request:
    raw = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    return Request({"type": "http", "method": "GET", "path": "/", "headers": raw})


@pytest.fixture
def with_replica(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "DATABASE_REPLICA_URL", "postgresql://replica/sipas")
    monkeypatch.setattr(replica.down, "at", -1e9)


def test_reads_from_the_replica_writes_and_later_reads_on_the_primary(tmp_path: Path) -> None:
    primary, copy = _db(tmp_path / "p.db", "primary"), _db(tmp_path / "r.db", "replica")
    with replica.read_session(copy, primary) as s:
        assert s.execute(text("SELECT x FROM t")).scalar() == "replica"
        replica.use_primary(s)
        assert not replica.on_replica(s)
        assert s.execute(text("SELECT x FROM t")).scalar() == "primary"
        s.commit()
    with replica.read_session(copy, primary) as s:
        # An INSERT goes to the primary even before use_primary: a replica refuses it.
        s.execute(replica_insert())
        s.commit()
    with primary.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 2
    with copy.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM t")).scalar() == 1


def replica_insert() -> Any:
    from sqlalchemy import column, insert, table

    return insert(table("t", column("x"))).values(x="written")


def test_without_a_replica_the_request_keeps_its_one_session() -> None:
    primary = object()
    got = list(replica.get_read_session(_request(), primary))  # type: ignore[arg-type]
    assert got == [primary]


def test_a_reader_who_just_wrote_reads_the_primary(
    with_replica: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    copy = _db(tmp_path / "r.db", "replica")
    monkeypatch.setattr(replica, "get_replica_engine", lambda: copy)
    primary = object()
    soon = f"{time.time() + 5:.0f}"
    for headers in ({"cookie": f"sipas_fresh={soon}"}, {"cache-control": "no-cache"}):
        got = list(replica.get_read_session(_request(headers), primary))  # type: ignore[arg-type]
        assert got == [primary]
    # An expired marker, or none: the replica.
    past = f"{time.time() - 1:.0f}"
    for headers in ({"cookie": f"sipas_fresh={past}"}, {}):
        (got_session,) = list(replica.get_read_session(_request(headers), primary))  # type: ignore[arg-type]
        assert isinstance(got_session, Session)
        assert replica.on_replica(got_session)


def test_a_replica_that_does_not_answer_sends_reads_to_the_primary_for_a_while(
    with_replica: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = create_engine(
        "postgresql+psycopg://postgres@127.0.0.1:1/sipas", connect_args={"connect_timeout": 2}
    )
    monkeypatch.setattr(replica, "get_replica_engine", lambda: gone)
    down = replica.READS.labels("primary", "down")
    before = down._value.get()
    primary = object()
    assert list(replica.get_read_session(_request(), primary)) == [primary]  # type: ignore[arg-type]
    assert replica.down.active()
    # The next request does not even try it.
    assert list(replica.get_read_session(_request(), primary)) == [primary]  # type: ignore[arg-type]
    assert down._value.get() == before + 2
    monkeypatch.setattr(replica.down, "at", time.monotonic() - 60)
    assert not replica.down.active()


def _app() -> TestClient:
    async def ok(request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    async def refused(request: Request) -> PlainTextResponse:
        return PlainTextResponse("no", status_code=422)

    inner = Starlette(
        routes=[Route("/w", ok, methods=["GET", "POST"]), Route("/bad", refused, methods=["POST"])]
    )
    inner.add_middleware(replica.FreshAfterWrite, session_cookie="sipas_session")
    return TestClient(inner)


def test_a_signed_in_write_marks_the_reader_fresh(with_replica: None) -> None:
    c = _app()
    signed_in = {"cookie": "sipas_session=abc"}
    done = c.post("/w", headers=signed_in)
    cookie = done.headers.get("set-cookie", "")
    assert cookie.startswith("sipas_fresh=")
    assert "Max-Age=10" in cookie
    assert "HttpOnly" in cookie
    until = float(cookie.split(";")[0].split("=")[1])
    assert time.time() < until <= time.time() + 11
    # Reads, refused writes and writes without a sign-in (a kiosk) leave no marker.
    assert "set-cookie" not in c.get("/w", headers=signed_in).headers
    assert "set-cookie" not in c.post("/bad", headers=signed_in).headers
    assert "set-cookie" not in c.post("/w").headers


def test_without_a_replica_no_marker_is_set() -> None:
    assert get_settings().DATABASE_REPLICA_URL == ""
    done = _app().post("/w", headers={"cookie": "sipas_session=abc"})
    assert "set-cookie" not in done.headers
