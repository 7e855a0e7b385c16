"""A real server on a free port, over its own fresh database, for browser tests.

Browser tests need real commits seen by a real HTTP server, so they cannot share
the rolled-back transaction of the other tests; they get a database of their own.
"""

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import uvicorn
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.core import migrate
from app.core.config import normalise_database_url
from app.core.db import get_session, make_engine, session_factory
from app.main import create_app
from app.questionnaires.catalog import get_catalog
from tests.dbutil import fresh_database
from tests.factories import make_campaign, make_counter, make_unit

CHROMIUM = os.environ.get("SIPAS_CHROMIUM", "/usr/bin/chromium")
# CI sets this so that a missing browser fails the run instead of skipping tests.
REQUIRE_BROWSER = os.environ.get("SIPAS_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


class Live:
    """A uvicorn server in a thread; `stop()` and `start()` simulate the network
    (or the server) going away and coming back on the same address."""

    def __init__(self, app: Any, engine: Engine):
        self.engine = engine
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._app = app
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        config = uvicorn.Config(self._app, host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.05)

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(10)


def need_chromium() -> None:
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        message = f"no Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
        if REQUIRE_BROWSER:
            pytest.fail(message)
        pytest.skip(message)


def _seed(engine: Engine) -> None:
    with Session(engine) as session:
        catalog = get_catalog()
        province = make_unit(session, "BP")
        dept = make_unit(session, "BP-S01", "department", province)
        make_counter(session, "b-web", dept)
        make_counter(session, "b-kiosk", dept).kiosk = True
        make_campaign(session, catalog, "B-2026", [province])
        session.commit()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server() -> Iterator[Live]:
    with fresh_database(prefix="sipas_browser") as url:
        url = normalise_database_url(url)
        migrate.upgrade(url)
        engine = make_engine(url)
        _seed(engine)
        app = create_app()

        def sessions() -> Iterator[Session]:
            with session_factory(engine)() as session:
                try:
                    yield session
                    session.commit()
                except BaseException:
                    session.rollback()
                    raise

        app.dependency_overrides[get_session] = sessions
        live = Live(app, engine)
        live.start()
        try:
            yield live
        finally:
            live.stop()
            engine.dispose()
