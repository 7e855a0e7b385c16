"""`compare=` between two sipas-2017 campaigns, byte for byte, against golden files.

The golden files were written by the reports as they stood before comparisons across
questionnaire versions (a mapping file) were added, so comparing two campaigns on the
same questionnaire is shown to change no published byte. Rewrite them with
`UPDATE_GOLDEN=1` only for an announced change, and say why in the commit.
"""

import json
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignStatus
from app.questionnaires.catalog import Catalog
from tests.answers import valid_answers
from tests.factories import make_campaign, make_counter, make_unit
from tests.golden import moved

pytestmark = pytest.mark.usefixtures("reader")

GOLDEN = Path(__file__).parent / "golden" / "compare-2017"

VIEWS: dict[str, dict[str, Any]] = {
    "department": {"level": "department", "compare": "C-OLD"},
    "commune-rank": {"level": "commune", "compare": "C-OLD", "sort": "rank"},
    "scope": {"compare": "C-OLD"},
    "mixed": {"mixed": "true", "compare": "C-OLD"},
    "csv-commune": {"level": "commune", "compare": "C-OLD", "format": "csv"},
    "csv-wide-vi": {"level": "commune", "compare": "C-OLD", "format": "csv", "shape": "wide"},
    "csv-wide-en": {
        "level": "department",
        "compare": "C-OLD",
        "format": "csv",
        "shape": "wide",
        "lang": "en",
    },
}


def _answers(catalog: Catalog, rng: random.Random, lean: int) -> dict[str, Any]:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    out = valid_answers(catalog)
    for code in q.scale_items:
        out[code] = (
            q.not_applicable
            if rng.random() < 0.06
            else max(1, min(5, lean + rng.choice((-2, -1, 0, 0, 1, 1))))
        )
    return out


def _send(client: TestClient, items: list[dict[str, Any]]) -> None:
    for i in range(0, len(items), 100):
        r = client.post("/api/v1/submissions/batch", json={"submissions": items[i : i + 100]})
        assert r.status_code == 200, r.text[:500]
        refused = [x for x in r.json()["results"] if x["status"] != 201]
        assert not refused, refused[:2]


def _round(catalog: Catalog, rng: random.Random, leaves: list[str]) -> list[dict[str, Any]]:
    now = datetime.now(UTC)
    items = []
    for unit in leaves:
        lean = rng.choice((3, 4, 4, 5))
        for _ in range(rng.randint(5, 10)):
            items.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "questionnaire": "sipas-2017",
                    "version": 1,
                    "counter": f"k-{unit}",
                    "channel": "kiosk",
                    "started_at": (now - timedelta(minutes=4)).isoformat(),
                    "submitted_at": now.isoformat(),
                    "answers": _answers(catalog, rng, lean),
                }
            )
    return items


@pytest.fixture
def reports(session: Session, catalog: Catalog, client: TestClient) -> dict[str, bytes]:
    """Province P: departments S1–S3, district D1 with communes D1C1–D1C3, a counter per
    leaf; C-OLD (closed) and C-NEW on sipas-2017, min sample 6, seeded answers."""
    rng = random.Random(2018)
    p = make_unit(session, "P")
    leaves = [make_unit(session, f"S{i}", "department", p) for i in (1, 2, 3)]
    district = make_unit(session, "D1", "district", p)
    leaves += [make_unit(session, f"D1C{i}", "commune", district) for i in (1, 2, 3)]
    for unit in leaves:
        make_counter(session, f"k-{unit.code}", unit)
    codes = [u.code for u in leaves]
    make_campaign(session, catalog, "C-OLD", [p], min_sample=6)
    _send(client, _round(catalog, rng, codes))
    old = session.scalars(select(Campaign).where(Campaign.code == "C-OLD")).one()
    old.status = CampaignStatus.closed
    make_campaign(session, catalog, "C-NEW", [p], min_sample=6)
    _send(client, _round(catalog, rng, codes))
    out = {}
    for name, params in VIEWS.items():
        r = client.get("/api/v1/campaigns/C-NEW/indices", params=params)
        assert r.status_code == 200, (name, r.text)
        out[name] = r.content
    return out


def test_comparing_two_2017_campaigns_is_byte_for_byte_what_it_was(
    reports: dict[str, bytes],
) -> None:
    changed = moved(GOLDEN, reports)
    assert not changed, f"these 2017-vs-2017 reports changed: {changed}"
    changes = json.loads(reports["department"])["units"]
    assert all("change" in u for u in changes)  # the comparison is there to be kept
