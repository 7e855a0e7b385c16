"""POST /api/v1/submissions/batch: a kiosk syncing its offline queue."""

import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.collection.models import Submission
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def test_good_and_bad_items_and_a_safe_replay(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    good1, good2 = body(catalog), body(catalog)
    bad_answer = body(catalog, answers=valid_answers(catalog, TC1=7))
    malformed = {"id": "x-1", "channel": "kiosk"}
    items = [good1, bad_answer, malformed, good2, "not an object"]
    r = client.post("/api/v1/submissions/batch", json={"submissions": items})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 422, 422, 201, 422]
    assert [x["id"] for x in results[:4]] == [good1["id"], bad_answer["id"], "x-1", good2["id"]]
    assert results[0]["receipt"]["campaign"] == "C-2026"
    assert results[1]["fields"][0]["loc"] == "answers.TC1"
    assert {f["loc"] for f in results[2]["fields"]} >= {"questionnaire", "counter", "answers"}
    assert count(session) == 2

    replay = client.post("/api/v1/submissions/batch", json={"submissions": items}).json()["results"]
    assert [x["status"] for x in replay] == [200, 422, 422, 200, 422]
    assert replay[0]["receipt"] == results[0]["receipt"]
    assert count(session) == 2


def test_same_id_twice_in_one_batch(
    client: TestClient, catalog: Catalog, place: dict[str, Any]
) -> None:
    a = body(catalog)
    changed = dict(a, answers=valid_answers(catalog, level=1))
    results = client.post(
        "/api/v1/submissions/batch", json={"submissions": [a, a, changed]}
    ).json()["results"]
    assert [x["status"] for x in results] == [201, 200, 409]


def test_batch_limits(client: TestClient, catalog: Catalog, place: dict[str, Any]) -> None:
    too_many = {"submissions": [{"id": str(uuid.uuid4())}] * 501}
    r = client.post("/api/v1/submissions/batch", json=too_many)
    assert r.status_code == 422
    assert r.json()["fields"][0]["loc"] == "submissions"
    assert client.post("/api/v1/submissions/batch", json={"submissions": []}).status_code == 422
