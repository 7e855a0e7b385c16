"""Complete, valid SIPAS 2017 answers and submission bodies to start tests from."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from app.questionnaires.catalog import Catalog


def valid_answers(catalog: Catalog, level: int = 4, **over: Any) -> dict[str, Any]:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    answers: dict[str, Any] = dict.fromkeys(q.scale_items, level)
    answers.update(
        {
            "respondent_type": "citizen",
            "service_field": "land",
            "submission_place": "one_stop",
            "info_channels": ["commune_authority", "internet"],
            "trips": "1",
            "timeliness": "on_time",
            "harassment": "no",
            "extra_payment": "no",
            "expectations": ["shorter_time"],
            "gender": "female",
            "age_band": "35_49",
        }
    )
    answers.update(over)
    return {k: v for k, v in answers.items() if v is not None}


def body(catalog: Catalog, **over: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    b: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "questionnaire": "sipas-2017",
        "version": 1,
        "counter": "k-1",
        "channel": "kiosk",
        "started_at": (now - timedelta(minutes=3)).isoformat(),
        "submitted_at": now.isoformat(),
        "answers": valid_answers(catalog),
    }
    b.update(over)
    return b
