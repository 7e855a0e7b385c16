"""/metrics as Prometheus scrapes it, request ids, and JSON logs."""

import json
import logging
import os
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from app.core import logs
from app.core.config import get_settings
from app.questionnaires.catalog import Catalog
from app.reporting import indices
from tests.answers import body, valid_answers
from tests.dbutil import fresh_database

TOKEN = "scrape-token-for-the-test"


def scrape(client: TestClient) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    r = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain; version=")
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(r.text)
        for s in family.samples
    }


def value(
    samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str
) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(get_settings(), "METRICS_TOKEN", TOKEN)


def test_metrics_need_the_token_or_this_machine(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No token configured: only loopback clients (the test client is not one).
    assert client.get("/metrics").status_code == 404
    monkeypatch.setattr(get_settings(), "METRICS_TOKEN", TOKEN)
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 404
    assert client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200


def test_requests_and_submissions_are_counted_by_route_and_reason(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any], token: None
) -> None:
    before = scrape(client)
    assert client.post("/api/v1/submissions", json=(b := body(catalog))).status_code == 201
    assert client.post("/api/v1/submissions", json=b).status_code == 200
    bad = body(catalog, answers=valid_answers(catalog, TC1=7))
    assert client.post("/api/v1/submissions", json=bad).status_code == 422
    batch = [body(catalog), body(catalog, counter="no-such-counter")]
    assert client.post("/api/v1/submissions/batch", json={"submissions": batch}).status_code == 200
    secret = uuid.uuid4().hex
    assert client.get(f"/no/such/{secret}").status_code == 404
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    route = "/api/v1/submissions"
    assert grew("sipas_http_requests_total", method="POST", route=route, status="201") == 1
    assert grew("sipas_http_requests_total", method="POST", route=route, status="200") == 1
    assert grew("sipas_http_requests_total", method="POST", route=route, status="422") == 1
    assert grew("sipas_http_request_duration_seconds_count", method="POST", route=route) == 3
    assert grew("sipas_http_requests_total", method="GET", route="unmatched", status="404") == 1
    # The label is the route's template, never what a client sent.
    assert all(secret not in dict(labels).get("route", "") for _, labels in after)
    assert grew("sipas_submissions_total", outcome="created", reason="") == 2
    assert grew("sipas_submissions_total", outcome="replayed", reason="") == 1
    assert grew("sipas_submissions_total", outcome="refused", reason="invalid_value") == 1
    assert grew("sipas_submissions_total", outcome="refused", reason="invalid_unknown") == 1
    # Two stored and not yet folded: the fold lag says so.
    assert value(after, "sipas_fold_lag_responses") == 2
    assert value(after, "sipas_fold_lag_seconds") >= 0
    # A report folds them and is rebuilt once.
    indices.report(session, catalog, "C-2026")
    last = scrape(client)
    assert value(last, "sipas_fold_lag_responses") == 0
    assert (
        value(last, "sipas_folded_responses_total") - value(after, "sipas_folded_responses_total")
        == 2
    )
    assert (
        value(last, "sipas_report_rebuilds_total") - value(after, "sipas_report_rebuilds_total")
        == 1
    )
    assert value(last, "sipas_db_pool_size") >= 1


def test_a_request_id_is_returned_and_a_sent_one_is_kept_only_when_plain(
    client: TestClient,
) -> None:
    made = client.get("/healthz").headers["x-request-id"]
    assert len(made) == 32
    assert client.get("/healthz").headers["x-request-id"] != made
    sent = client.get("/healthz", headers={"X-Request-ID": "lb-7f3a.19"})
    assert sent.headers["x-request-id"] == "lb-7f3a.19"
    hostile = client.get("/healthz", headers={"X-Request-ID": 'x" level=error msg="forged'})
    assert hostile.headers["x-request-id"] != 'x" level=error msg="forged'
    assert len(hostile.headers["x-request-id"]) == 32
    assert (
        client.get("/healthz", headers={"X-Request-ID": "a" * 65}).headers["x-request-id"]
        != "a" * 65
    )


def test_the_json_formatter_writes_one_object_per_line() -> None:
    formatter = logs.JsonFormatter()
    token = logs.request_id.set("req-1")
    try:
        record = logging.LogRecord(
            "app.main", logging.WARNING, __file__, 1, "slow %s", ("report",), None
        )
        line = json.loads(formatter.format(record))
        access = logging.LogRecord(
            "uvicorn.access",
            logging.INFO,
            __file__,
            1,
            '%s - "%s %s HTTP/%s" %d',
            ("-", "GET", "/s/k-1?d=…", "1.1", 200),
            None,
        )
        hit = json.loads(formatter.format(access))
    finally:
        logs.request_id.reset(token)
    assert line["message"] == "slow report"
    assert (line["level"], line["logger"], line["request_id"]) == ("warning", "app.main", "req-1")
    assert (hit["method"], hit["path"], hit["status"]) == ("GET", "/s/k-1?d=…", 200)
    assert "client" not in hit


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _access(log: Path) -> list[dict[str, Any]]:
    """The JSON access lines of /healthz (every line of the log must be JSON)."""
    lines = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [x for x in lines if x["logger"] == "uvicorn.access" and x["path"] == "/healthz"]


def test_two_workers_are_summed_and_log_json_with_the_request_id(tmp_path: Path) -> None:
    """`sipas serve --workers 2`: /metrics counts the requests of both processes,
    and every access line is JSON carrying the id the response returned."""
    port = _port()
    with fresh_database() as url:
        env = {**os.environ, "DATABASE_URL": url, "LOG_FORMAT": "json"}
        env.pop("PROMETHEUS_MULTIPROC_DIR", None)
        sipas = Path(sys.executable).with_name("sipas")
        assert (
            subprocess.run([str(sipas), "db", "upgrade"], env=env, capture_output=True).returncode
            == 0
        )
        log = tmp_path / "serve.log"
        with log.open("w") as out:
            proc = subprocess.Popen(
                [str(sipas), "serve", "--port", str(port), "--workers", "2"],
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx.get(f"{base}/healthz", timeout=2)
                    break
                except httpx.TransportError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.3)
            # Both workers up, then concurrent new connections until both have
            # answered some (the kernel hands each connection to one of them).
            while log.read_text().count("Application startup complete") < 2:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
            got: list[httpx.Response] = []
            with ThreadPoolExecutor(8) as pool:
                for _ in range(20):
                    got += pool.map(lambda _: httpx.get(f"{base}/healthz", timeout=10), range(60))
                    if len({x["pid"] for x in _access(log)}) == 2:
                        break
            ids = {r.headers["x-request-id"] for r in got}
            text = httpx.get(f"{base}/metrics", timeout=10).text
        finally:
            proc.terminate()
            proc.wait(timeout=30)
    served = sum(
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "sipas_http_requests_total" and s.labels["route"] == "/healthz"
    )
    access = _access(log)
    assert ids <= {x["request_id"] for x in access}
    # Both processes answered, and /metrics counted the requests of both.
    assert len({x["pid"] for x in access}) == 2
    assert served == len(access) >= 61
