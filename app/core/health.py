"""Liveness and readiness probes for load balancers and orchestrators."""

import asyncio
from functools import lru_cache

from fastapi import APIRouter
from sqlalchemy import Engine, text
from sqlalchemy.pool import NullPool

from app.core.config import get_settings
from app.core.db import make_engine
from app.core.errors import Unavailable
from app.core.responses import errors

router = APIRouter(tags=["health"])

# The probe gives up well before a load balancer's usual 2-5 s check timeout.
READY_TIMEOUT_SECONDS = 1.5


@router.get("/healthz", responses=errors(422))
async def healthz() -> dict[str, str]:
    """The process is up (answered on the event loop, whatever the database does)."""
    return {"status": "ok"}


@lru_cache
def _probe_engine() -> Engine:
    # Its own connection each time, outside the request pool: a full pool under
    # load is not "the database is unreachable", and a probe must not queue there.
    return make_engine(get_settings().database_url, poolclass=NullPool)


def _ping() -> str:
    engine = _probe_engine()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("SELECT 1"))
    return engine.dialect.name


def _not_ready(error: Unavailable) -> Unavailable:
    error.retry_after = 5  # a monitor asks again soon
    return error


@router.get("/readyz", responses=errors(422, 503, s503="The database does not answer."))
async def readyz() -> dict[str, str]:
    """The database answers a query within 1.5 s."""
    try:
        name = await asyncio.wait_for(asyncio.to_thread(_ping), READY_TIMEOUT_SECONDS)
    except TimeoutError:
        raise _not_ready(Unavailable.of("db_slow")) from None
    except Exception as exc:  # any driver error means "not ready"
        raise _not_ready(Unavailable.of("db_unreachable", why=type(exc).__name__)) from exc
    return {"status": "ok", "database": name}
