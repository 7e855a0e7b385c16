"""Who may store a response late: form tokens, enrolled kiosks, write keys (issue 13 §3)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.collection import admission, kiosks
from app.collection.form_token import FormToken
from app.collection.models import Submission
from app.core.config import get_settings
from app.questionnaires.catalog import Catalog
from tests.answers import body
from tests.collection.test_pages import form_fields, hidden


def _at(catalog: Catalog, when: datetime, **over: Any) -> dict[str, Any]:
    return body(
        catalog,
        started_at=(when - timedelta(minutes=3)).isoformat(),
        submitted_at=when.isoformat(),
        **over,
    )


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def _token(session: Session, counter: str, when: datetime) -> str:
    token = admission.issue(session, kiosks.get_counter(session, counter).id, None, when)
    assert token is not None
    return token


def test_a_stranger_replaying_500_old_responses_without_tokens_is_refused(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    items = [_at(catalog, now - timedelta(hours=2, seconds=i)) for i in range(500)]
    r = client.post("/api/v1/submissions/batch", json={"submissions": items})
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert {x["status"] for x in results} == {403}
    assert {x["error"] for x in results} == {"token_required"}
    assert "mã phiếu" in results[0]["detail"]  # Vietnamese unless the respondent chose
    assert count(session) == 0

    client.cookies.set("sipas_lang", "en")
    one = client.post("/api/v1/submissions", json=items[0])
    assert one.status_code == 403
    assert one.json()["error"] == "token_required"
    assert "form token" in one.json()["detail"]
    assert count(session) == 0
    # Live responses need no token, as before.
    assert client.post("/api/v1/submissions", json=_at(catalog, now)).status_code == 201


def test_a_token_admits_one_response(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    token = _token(session, "k-1", now - timedelta(hours=1, minutes=5))
    first = _at(catalog, now - timedelta(hours=1), form_token=token)
    assert client.post("/api/v1/submissions", json=first).status_code == 201
    # The same response sent again (its acknowledgement was lost) is still the 200 path.
    again = client.post("/api/v1/submissions", json=first)
    assert again.status_code == 200
    other = _at(catalog, now - timedelta(minutes=59), form_token=token)
    refused = client.post("/api/v1/submissions", json=other)
    assert refused.status_code == 403
    assert refused.json()["error"] == "token_used"
    # In a batch too: one token, two responses, one stored.
    shared = _token(session, "k-1", now - timedelta(hours=1, minutes=5))
    pair = [_at(catalog, now - timedelta(hours=1), form_token=shared) for _ in range(2)]
    results = client.post("/api/v1/submissions/batch", json={"submissions": pair}).json()
    assert [x["status"] for x in results["results"]] == [201, 403]
    assert results["results"][1]["error"] == "token_used"
    assert count(session) == 2
    used = session.scalar(
        select(FormToken.submission_id).where(FormToken.id == token.split(".")[1])
    )
    assert used == uuid.UUID(first["id"])


def test_forged_expired_and_foreign_tokens_are_refused(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    hours = get_settings().FORM_TOKEN_HOURS
    good = _token(session, "k-1", now - timedelta(hours=2))
    head, _, sig = good.rpartition(".")
    forged_counter = good.split(".")
    forged_counter[2] = str(kiosks.get_counter(session, "k-out").id)
    cases = {
        "bad signature": head + "." + ("A" if sig[0] != "A" else "B") + sig[1:],
        "edited counter": ".".join(forged_counter),
        "expired": _token(session, "k-1", now - timedelta(hours=hours + 2)),
        "other counter": _token(session, "k-out", now - timedelta(hours=2)),
        "garbage": "not-a-token",
    }
    for what, token in cases.items():
        late = _at(catalog, now - timedelta(hours=1), form_token=token)
        r = client.post("/api/v1/submissions", json=late)
        assert r.status_code == 403, what
        assert r.json()["error"] == "token_invalid", what
    # A response finished before its form was served cannot be genuine.
    early = _at(catalog, now - timedelta(hours=3), form_token=good)
    assert client.post("/api/v1/submissions", json=early).json()["error"] == "token_invalid"
    assert count(session) == 0
    # A live response needs no token: a stale one does not cost the respondent's answers.
    live = _at(catalog, now, form_token=cases["expired"])
    assert client.post("/api/v1/submissions", json=live).status_code == 201


def test_the_form_page_carries_a_token_that_the_no_js_post_spends(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    page = client.get("/s/k-1/form").text
    token = hidden(page, "form_token")
    rid, started = hidden(page, "id"), hidden(page, "started_at")
    answers = _at(catalog, datetime.now(UTC))["answers"]
    posted = client.post(
        "/s/k-1/form",
        data=form_fields(answers, id=rid, started_at=started, form_token=token),
        follow_redirects=False,
    )
    assert posted.status_code == 303
    row = session.get(FormToken, token.split(".")[1])
    assert row is not None
    assert row.submission_id == uuid.UUID(rid)


def test_serving_forms_is_what_is_rate_limited(
    client: TestClient, session: Session, place: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(get_settings(), "FORM_RATE_PER_MINUTE", 2)
    pages = [client.get("/s/k-1/form") for _ in range(3)]
    # Past the limit the form is still served (it works online), without a token.
    assert [p.status_code for p in pages] == [200, 200, 200]
    assert ['name="form_token"' in p.text for p in pages] == [True, True, False]
    issued = session.scalar(select(func.count()).select_from(FormToken))
    assert issued == 2


def test_an_enrolled_kiosk_replays_its_own_queue_and_only_its_own(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    done = kiosks.enrol(session, "k-1", "Tablet 1")
    client.get("/kiosk/enrol", params={"token": done.token})
    # Thirty responses queued over the last hour, sent when the network came back.
    queue = [_at(catalog, now - timedelta(minutes=60 - 2 * i)) for i in range(30)]
    results = client.post("/api/v1/submissions/batch", json={"submissions": queue}).json()
    assert [x["status"] for x in results["results"]] == [201] * 30
    assert count(session) == 30
    # A tablet's cookie vouches for its own counter only: one enrolled elsewhere
    # cannot replay old responses for k-1.
    other = kiosks.enrol(session, "k-out", "Tablet 2")
    client.cookies.set(kiosks.KIOSK_COOKIE, other.token)
    foreign = client.post("/api/v1/submissions", json=_at(catalog, now - timedelta(hours=1)))
    assert foreign.status_code == 403
    assert foreign.json()["error"] == "token_required"


def test_many_replayed_responses_from_one_source_within_minutes_are_flagged(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    place: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "REPLAY_FLAG_COUNT", 10)
    now = datetime.now(UTC)
    done = kiosks.enrol(session, "k-1", "Tablet 1")
    client.get("/kiosk/enrol", params={"token": done.token})
    few = [_at(catalog, now - timedelta(hours=3, minutes=i)) for i in range(6)]
    client.post("/api/v1/submissions/batch", json={"submissions": few})
    more = [_at(catalog, now - timedelta(hours=2, minutes=i)) for i in range(6)]
    client.post("/api/v1/submissions/batch", json={"submissions": more})

    def flagged(items: list[dict[str, Any]]) -> list[bool]:
        rows = [session.get(Submission, uuid.UUID(b["id"])) for b in items]
        return ["replay_burst" in (r.quality_flags if r else []) for r in rows]

    assert flagged(few) == [False] * 6  # six replayed: a tablet back from a short outage
    assert flagged(more) == [True] * 6  # twelve within minutes: worth a look
    live = _at(catalog, now)
    client.post("/api/v1/submissions", json=live)
    assert flagged([live]) == [False]  # live traffic is not a replay


def _write_key(session: Session, unit: str | None = "P") -> str:
    _, secret = accounts.create_api_key(session, "One-stop-shop software", unit, scope="write")
    return secret


def test_a_write_key_pushes_old_responses_for_its_counters_and_not_others(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    now = datetime.now(UTC)
    auth = {"Authorization": f"Bearer {_write_key(session, 'P-S01')}"}
    mine = [_at(catalog, now - timedelta(days=2, minutes=i), channel="web") for i in range(3)]
    r = client.post("/api/v1/submissions/batch", json={"submissions": mine}, headers=auth)
    assert [x["status"] for x in r.json()["results"]] == [201, 201, 201]
    rows = session.scalars(select(Submission)).all()
    assert len(rows) == 3
    assert all(row.api_key_id is not None for row in rows)
    # A key for another unit (Q) admits nothing at k-1.
    narrow = {"Authorization": f"Bearer {_write_key(session, 'Q')}"}
    refused = client.post(
        "/api/v1/submissions", json=_at(catalog, now - timedelta(days=1)), headers=narrow
    )
    assert refused.status_code == 403
    assert refused.json()["error"] == "out_of_scope"
    # Read keys stay read-only, write keys do not read, unknown keys are refused.
    _, read = accounts.create_api_key(session, "Dashboard", None)
    as_reader = client.post(
        "/api/v1/submissions",
        json=_at(catalog, now - timedelta(days=1)),
        headers={"Authorization": f"Bearer {read}"},
    )
    assert as_reader.status_code == 403
    assert client.get("/api/v1/campaigns", headers=auth).status_code == 403
    bogus = {"Authorization": "Bearer sipas_nope"}
    assert (
        client.post("/api/v1/submissions", json=_at(catalog, now), headers=bogus).status_code == 401
    )
    assert count(session) == 3


def test_a_write_key_has_its_own_limit(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    place: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "WRITE_KEY_RATE_PER_MINUTE", 4)
    now = datetime.now(UTC)
    auth = {"Authorization": f"Bearer {_write_key(session)}"}
    codes = [
        client.post(
            "/api/v1/submissions", json=_at(catalog, now - timedelta(days=1)), headers=auth
        ).status_code
        for _ in range(5)
    ]
    assert codes == [201, 201, 201, 201, 429]
    # The key's pushes do not eat the counter's allowance for phones.
    assert client.post("/api/v1/submissions", json=_at(catalog, now)).status_code == 201
