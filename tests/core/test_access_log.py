"""`sipas serve`'s access log keeps no dossier codes, tokens or client addresses."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import Engine

from app.core.accesslog import safe_target


def test_query_values_are_left_out() -> None:
    assert safe_target("/s/k-1?d=H58-123&lang=en") == "/s/k-1?d=…&lang=…"
    assert safe_target("/kiosk/enrol?token=abc") == "/kiosk/enrol?token=…"
    assert safe_target("/healthz") == "/healthz"


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_and_log(engine: Engine, env_extra: dict[str, str]) -> str:
    port = _port()
    env = {**os.environ, **env_extra}
    sipas = Path(sys.executable).with_name("sipas")
    proc = subprocess.Popen(
        [str(sipas), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base}/healthz", timeout=2)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        httpx.get(f"{base}/s/no-such-counter", params={"d": "H58-SECRET-DOSSIER"}, timeout=10)
        httpx.get(f"{base}/kiosk/enrol", params={"token": "SECRET-ENROL-TOKEN"}, timeout=10)
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
    return out


def test_sipas_serve_logs_paths_without_secrets_or_addresses(engine: Engine) -> None:
    log = _serve_and_log(engine, {})
    assert "/s/no-such-counter?d=…" in log
    assert "/kiosk/enrol?token=…" in log
    assert "SECRET" not in log
    assert _access_lines(log)
    assert all("127.0.0.1" not in line for line in _access_lines(log))
    # Addresses only when configured.
    shown = _access_lines(_serve_and_log(engine, {"ACCESS_LOG_CLIENT_IP": "true"}))
    assert all("127.0.0.1:" in line for line in shown)


def _access_lines(log: str) -> list[str]:
    return [line for line in log.splitlines() if '"GET ' in line]
