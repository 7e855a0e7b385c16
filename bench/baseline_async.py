"""The ingest baseline for wrk: a lean Starlette endpoint, async psycopg, one INSERT.

Bench-only code. It does what any ingest endpoint must and nothing more: read the
JSON body, hash it, insert the same row (same table, same columns, same trigger
queueing it for the fold) and answer 201 with the id. No validation, no
idempotency look-up, no campaign resolution, no limits. Served the same way as the
app (`uvicorn --workers 2`), so the ratio prices SIPAS's own work per response.

Environment: DATABASE_URL, BENCH_CAMPAIGN (id), BENCH_PLACES (JSON: counter code
-> [unit id, counter id]), BENCH_POOL (connections per worker, default 10 like
DB_POOL_SIZE).
"""

import asyncio
import hashlib
import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime

import orjson
import psycopg
from psycopg.types.json import Jsonb
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

URL = os.environ["DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://", 1)
CAMPAIGN = int(os.environ["BENCH_CAMPAIGN"])
PLACES: dict[str, tuple[int, int]] = {
    code: (unit, counter)
    for code, (unit, counter) in orjson.loads(os.environ["BENCH_PLACES"]).items()
}
POOL = int(os.environ.get("BENCH_POOL", "10"))
INSERT = (
    "INSERT INTO submission (id, campaign_id, unit_id, counter_id, questionnaire, "
    "questionnaire_version, channel, started_at, submitted_at, received_at, answers, "
    "body_hash, quality_flags, over_quota, late_sync) VALUES "
    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, '[]', false, false)"
)
_idle: asyncio.Queue[psycopg.AsyncConnection] = asyncio.Queue()


async def insert(request: Request) -> Response:
    raw = await request.body()
    body = orjson.loads(raw)
    unit, counter = PLACES[body["counter"]]
    values = (
        uuid.UUID(body["id"]),
        CAMPAIGN,
        unit,
        counter,
        body["questionnaire"],
        body["version"],
        body["channel"],
        datetime.fromisoformat(body["started_at"]),
        datetime.fromisoformat(body["submitted_at"]),
        datetime.now(UTC),
        Jsonb(body["answers"]),
        hashlib.sha256(raw).hexdigest(),
    )
    conn = await _idle.get()
    try:
        async with conn.transaction():
            await conn.execute(INSERT, values)
    finally:
        _idle.put_nowait(conn)
    return Response(orjson.dumps({"id": body["id"]}), 201, media_type="application/json")


@asynccontextmanager
async def lifespan(_app: Starlette) -> AsyncIterator[None]:
    conns = [await psycopg.AsyncConnection.connect(URL) for _ in range(POOL)]
    for c in conns:
        _idle.put_nowait(c)
    yield
    for c in conns:
        await c.close()


app = Starlette(routes=[Route("/insert", insert, methods=["POST"])], lifespan=lifespan)
