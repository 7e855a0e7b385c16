"""Liveness and readiness probes for load balancers and orchestrators."""

from fastapi import APIRouter
from sqlalchemy import text

from app.core.db import get_engine
from app.core.errors import Unavailable

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
def readyz() -> dict[str, str]:
    """The database answers a query."""
    try:
        with get_engine().connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # any driver error means "not ready"
        raise Unavailable(f"database unreachable: {type(exc).__name__}") from exc
    return {"status": "ok", "database": get_engine().dialect.name}
