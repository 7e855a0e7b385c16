"""POST /api/v1/submissions/batch: a kiosk syncing its offline queue."""

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.collection import service as submissions
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
    # No counter is not a schema error (a household response names its village instead).
    assert {f["loc"] for f in results[2]["fields"]} >= {"questionnaire", "answers"}
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


def _hostile_items(catalog: Catalog) -> list[dict[str, Any]]:
    """Items that once made the whole batch answer 500 (issue 13 §2)."""
    return [
        body(catalog, answers=valid_answers(catalog, comment="a\x00b")),
        body(catalog, answers=valid_answers(catalog, comment="half a pair \ud800")),
        body(catalog, submitted_at="0001-01-01T00:00:00+07:00"),
        body(catalog, counter="k-\x00"),
        body(catalog, answers={**valid_answers(catalog), "TC\x001": 4}),
    ]


def test_one_bad_item_never_blocks_the_queue(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    hostile = _hostile_items(catalog)
    good = [body(catalog) for _ in range(3)]
    items = [good[0], *hostile, good[1], good[2]]
    # A lone surrogate can only travel as a JSON escape, as a browser sends it.
    raw = json.dumps({"submissions": items}, ensure_ascii=True)
    r = client.post(
        "/api/v1/submissions/batch", content=raw, headers={"content-type": "application/json"}
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["status"] for x in results] == [201, 422, 422, 422, 422, 422, 201, 201]
    assert [x["id"] for x in results] == [i["id"] for i in items]
    locs = [{f["loc"] for f in x["fields"]} for x in results[1:6]]
    assert locs[0] == {"answers.comment"}
    assert locs[1] == {"answers.comment"}
    assert "submitted_at" in locs[2]
    assert locs[3] == {"counter"}
    assert locs[4] == {"answers.TC\\x001"}
    assert count(session) == 3


def test_a_value_the_database_refuses_is_pinned_on_its_item(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    place: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The last line of defence: a row that passed every check but that the real
    database (or its driver) refuses is that item's 422; the other items are stored.
    The judge is made to let through an integer no INTEGER column holds, as a stand-in
    for whatever a future check forgets."""
    good = [body(catalog) for _ in range(3)]
    original = submissions._judge

    def judge(*args: Any, **kwargs: Any) -> Any:
        j = original(*args, **kwargs)
        if j.row is not None and str(j.body.id) == good[1]["id"]:
            j.row["questionnaire_version"] = 2**70
        return j

    monkeypatch.setattr(submissions, "_judge", judge)
    r = client.post("/api/v1/submissions/batch", json={"submissions": good})
    assert r.status_code == 200, r.text
    assert [x["status"] for x in r.json()["results"]] == [201, 422, 201]
    assert r.json()["results"][1]["fields"][0]["code"] == "unstorable"
    assert count(session) == 2
