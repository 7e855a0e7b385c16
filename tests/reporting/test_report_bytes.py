"""The published reports of a sipas-2017 campaign, byte for byte, against golden files.

The reports are computed from the questionnaire's index tree (analysis/tree.py and
app/reporting/figures.py); sipas-2017's tree is derived from its factor sections. These
golden files were written by the reports as they stood before the tree was wired in
(factor sections read directly), so any change to one published figure, interval,
median, rank or flag of a 2017 report fails here and names the report that moved.

Only the fields that name a moment (when the report was made, its version token) are
left out of the comparison. If a change to 2017 figures is intended (a new method,
announced), rewrite the files with `UPDATE_GOLDEN=1` and say why in the commit.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.questionnaires.catalog import Catalog
from tests.answers import valid_answers
from tests.factories import make_campaign, make_counter, make_unit
from tests.golden import moved

pytestmark = pytest.mark.usefixtures("reader")

GOLDEN = Path(__file__).parent / "golden" / "sipas-2017"

# Every kind of published report a coordinator or a dashboard asks for.
VIEWS: dict[str, tuple[str, dict[str, Any]]] = {
    "department": ("indices", {"level": "department"}),
    "commune": ("indices", {"level": "commune"}),
    "commune-top3": ("indices", {"level": "commune", "top": 3, "sort": "rank"}),
    "district": ("indices", {"level": "district"}),
    "province": ("indices", {"level": "province"}),
    "mixed": ("indices", {"mixed": "true"}),
    "mean20": ("indices", {"level": "commune", "scoring": "mean20"}),
    "rescaled": ("indices", {"level": "department", "scoring": "rescaled"}),
    "female": ("indices", {"level": "commune", "gender": "female"}),
    "unit-D1": ("units/D1/indices", {}),
    "unit-P": ("units/P/indices", {}),
    "csv-commune": ("indices", {"level": "commune", "format": "csv"}),
}


def _answers(catalog: Catalog, rng: random.Random, lean: int) -> dict[str, Any]:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    out = valid_answers(catalog)
    for code in q.scale_items:
        roll = rng.random()
        if roll < 0.06:
            out[code] = q.not_applicable
        else:
            out[code] = max(1, min(5, lean + rng.choice((-2, -1, 0, 0, 1, 1))))
    out["gender"] = rng.choice(("female", "male"))
    out["timeliness"] = rng.choice(("early", "on_time", "on_time", "late"))
    if out["timeliness"] == "late":
        out["late_notified"] = rng.choice(("yes", "no"))
        out["late_apology"] = rng.choice(("yes", "no"))
    out["info_channels"] = rng.sample(["commune_authority", "internet", "mass_media"], 2)
    return out


@pytest.fixture
def reports(session: Session, catalog: Catalog, client: TestClient) -> dict[str, bytes]:
    """A province P: departments S1–S3 and districts D1, D2 with three communes each, one
    counter per leaf, 10–20 seeded responses each; campaign C-GOLD (min sample 8)."""
    rng = random.Random(2017)
    p = make_unit(session, "P")
    leaves = [make_unit(session, f"S{i}", "department", p) for i in (1, 2, 3)]
    for d in ("D1", "D2"):
        district = make_unit(session, d, "district", p)
        leaves += [make_unit(session, f"{d}C{i}", "commune", district) for i in (1, 2, 3)]
    for unit in leaves:
        make_counter(session, f"k-{unit.code}", unit)
    make_campaign(session, catalog, "C-GOLD", [p], min_sample=8)
    now = datetime.now(UTC)
    items = []
    for unit in leaves:
        lean = rng.choice((3, 4, 4, 5))
        for _ in range(rng.randint(10, 20)):  # a counter takes at most 20 a minute
            items.append(
                {
                    "id": str(uuid.UUID(int=rng.getrandbits(128))),
                    "questionnaire": "sipas-2017",
                    "version": 1,
                    "counter": f"k-{unit.code}",
                    "channel": "kiosk",
                    "started_at": (now - timedelta(minutes=4)).isoformat(),
                    "submitted_at": now.isoformat(),
                    "answers": _answers(catalog, rng, lean),
                }
            )
    for i in range(0, len(items), 100):
        r = client.post("/api/v1/submissions/batch", json={"submissions": items[i : i + 100]})
        assert r.status_code == 200, r.text[:500]
        refused = [x for x in r.json()["results"] if x["status"] != 201]
        assert not refused, refused[:2]
    out = {}
    for name, (path, params) in VIEWS.items():
        r = client.get(f"/api/v1/campaigns/C-GOLD/{path}", params=params)
        assert r.status_code == 200, (name, r.text)
        out[name] = r.content
    return out


def test_2017_reports_are_byte_for_byte_what_they_were(reports: dict[str, bytes]) -> None:
    changed = moved(GOLDEN, reports)
    assert not changed, f"these 2017 reports changed: {changed}"
