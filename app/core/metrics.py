"""Prometheus metrics: requests per route, submissions by outcome, the fold, reports, the pool.

prometheus-client rather than counters of our own: it is what Prometheus scrapes,
and its multiprocess mode sums the figures of every `sipas serve --workers N`
process (each writes its values to files in PROMETHEUS_MULTIPROC_DIR; the process
answering /metrics reads them all). That mode is chosen when prometheus_client is
first imported, so `sipas serve` sets the variable before the workers start.

Routes are labelled by their template (`/api/v1/campaigns/{code}/indices`), never
the path a client sent, so a scanner cannot grow the label set without bound.
Figures that are facts of the database, not of a process (how many responses wait
to be folded, and for how long), are read when scraped.
"""

import hmac
import logging
import os
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import ConnectionPoolEntry
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import get_settings
from app.core.errors import NotFound

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
log = logging.getLogger(__name__)

REQUESTS = Counter(
    "sipas_http_requests",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
)
LATENCY = Histogram(
    "sipas_http_request_duration_seconds",
    "Time to answer a request, by route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
SUBMISSIONS = Counter(
    "sipas_submissions",
    "Responses received on every path (API, batch, form, paper import): "
    "created, replayed (stored before) or refused, with the refusal's reason.",
    ["outcome", "reason"],
)
FOLDED = Counter("sipas_folded_responses", "Responses counted into the tallies by the fold.")
REBUILDS = Counter("sipas_report_rebuilds", "Stored reports rebuilt (fold, compute, store).")
REBUILD_WAITS = Counter(
    "sipas_report_rebuild_waits",
    "Requests that found another process rebuilding the same report and served its "
    "result (served: the shared build; built: it failed or took too long, so this "
    "request built the report itself).",
    ["outcome"],
)
REBUILD_SECONDS = Histogram(
    "sipas_report_rebuild_duration_seconds",
    "Time to rebuild one stored report.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120),
)
POOL_IN_USE = Gauge(
    "sipas_db_pool_connections_in_use",
    "Database connections checked out of the pools of the live processes.",
    multiprocess_mode="livesum",
)
POOL_SIZE = Gauge(
    "sipas_db_pool_size",
    "Connections each process's pool keeps (DB_POOL_SIZE), summed over live processes.",
    multiprocess_mode="livesum",
)
DB_QUEUE_TIMEOUTS = Counter(
    "sipas_db_queue_timeouts",
    "Requests answered 503 because no turn at the database came within DB_QUEUE_SECONDS.",
)


def submission(outcome: str, reason: str = "", n: int = 1) -> None:
    if n:
        SUBMISSIONS.labels(outcome, reason).inc(n)


def refusal_reason(kind: str, field_codes: Iterable[str] = ()) -> str:
    """`invalid_<code of the first bad field>` for a 422 (which rule refused it),
    else the error's kind (`conflict`, `quota_full`, `too_many_requests`…)."""
    first = next(iter(field_codes), None)
    return f"invalid_{first}" if kind == "invalid" and first else kind


def watch_pool(engine: Engine, size: int) -> None:
    """Count checkouts of this engine's pool (events, so each worker counts its own)."""

    @event.listens_for(engine, "checkout")
    def _out(*_: Any) -> None:
        POOL_IN_USE.inc()

    @event.listens_for(engine, "checkin")
    def _in(_conn: Any, _entry: ConnectionPoolEntry) -> None:
        POOL_IN_USE.dec()

    POOL_SIZE.inc(size)


class FoldLag(Collector):
    """Responses stored but not yet in the tallies, and the age of the oldest, read
    from the database at scrape time (the fold queue holds only those, so it is cheap)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from app.collection.models import Submission
        from app.counts.models import FoldQueue

        waiting = GaugeMetricFamily(
            "sipas_fold_lag_responses", "Responses stored but not yet folded into the tallies."
        )
        age = GaugeMetricFamily(
            "sipas_fold_lag_seconds", "Age of the oldest response not yet folded (0 when none)."
        )
        try:
            n, oldest = self.session.execute(
                select(func.count(), func.min(Submission.received_at))
                .select_from(FoldQueue)
                .join(Submission, Submission.id == FoldQueue.submission_id)
            ).one()
        except Exception:  # the database is away: say nothing rather than fail the scrape
            log.warning("fold lag not read: the database did not answer", exc_info=True)
            return
        waiting.add_metric([], n)
        age.add_metric([], (datetime.now(UTC) - oldest).total_seconds() if oldest else 0.0)
        yield waiting
        yield age


def scrape_session() -> Iterator[Session]:
    """A session for the scrape that does not queue for a turn at the database: the
    process's own figures must come out when the database is overloaded or away."""
    from app.core.db import session_factory  # db counts its pool here: import it late

    with session_factory()() as session:
        yield session


def exposition(session: Session) -> tuple[bytes, str]:
    """The metrics page: every live process's figures, then the database's."""
    registry: CollectorRegistry
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    lag = CollectorRegistry()
    lag.register(FoldLag(session))
    return generate_latest(registry) + generate_latest(lag), CONTENT_TYPE_LATEST


def forget_dead_workers() -> None:
    """Drop the live-sum gauges of worker processes that are gone (a restarted
    worker would otherwise still count its predecessor's pool)."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        return
    from prometheus_client import multiprocess

    for path in Path(folder).glob("gauge_live*_*.db"):
        pid = int(path.stem.rsplit("_", 1)[1])
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, folder)
        except PermissionError:
            pass


router = APIRouter(tags=["health"])


def _may_scrape(request: Request) -> bool:
    token = get_settings().METRICS_TOKEN
    if token:
        sent = request.headers.get("authorization", "")
        return hmac.compare_digest(sent.encode(), f"Bearer {token}".encode())
    return request.client is not None and request.client.host in ("127.0.0.1", "::1")


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request, session: Annotated[Session, Depends(scrape_session)]) -> Response:
    """Prometheus exposition format (see README "Monitoring")."""
    if not _may_scrape(request):
        # Not found rather than forbidden: a stranger learns nothing of it.
        raise NotFound.of("not_found")
    body, content_type = exposition(session)
    return Response(body, media_type=content_type)


def route_of(scope: Scope) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return path if isinstance(path, str) else "unmatched"


class RequestMetrics:
    """Counts and times every request by its route template (pure ASGI: it sees
    the final status even when an error handler wrote it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            route, method = route_of(scope), scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
