"""The ingest baseline: a minimal FastAPI endpoint that only inserts the row.

Same table, same database, same row shape as the real API, with none of its work
(no validation, no idempotency, no campaign resolution).
"""

import hashlib
import json
import os
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import Body, FastAPI
from sqlalchemy import insert

from app.collection.models import Submission
from app.core.db import make_engine

engine = make_engine(
    os.environ["DATABASE_URL"].replace("postgresql://", "postgresql+psycopg://", 1)
)
CAMPAIGN = int(os.environ["BENCH_CAMPAIGN"])
# counter code -> (unit id, counter id), as the real API resolves it
PLACES: dict[str, tuple[int, int]] = {
    code: (unit, counter)
    for code, (unit, counter) in json.loads(os.environ["BENCH_PLACES"]).items()
}
app = FastAPI()


@app.post("/insert", status_code=201)
def insert_row(body: dict[str, Any] = Body(...)) -> dict[str, str]:
    now = datetime.now(UTC)
    unit, counter = PLACES[body["counter"]]
    with engine.begin() as conn:
        conn.execute(
            insert(Submission).values(
                id=uuid.UUID(body["id"]),
                campaign_id=CAMPAIGN,
                unit_id=unit,
                counter_id=counter,
                questionnaire=body["questionnaire"],
                questionnaire_version=body["version"],
                channel=body["channel"],
                started_at=datetime.fromisoformat(body["started_at"]),
                submitted_at=datetime.fromisoformat(body["submitted_at"]),
                received_at=now,
                answers=body["answers"],
                body_hash=hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest(),
                quality_flags=[],
            )
        )
    return {"id": body["id"]}
