"""Sample targets and quotas: Yamane's n, both quota-full policies, strata, concurrency."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from analysis import sampling
from app.campaigns import quotas
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign, CampaignUnit, QuotaPolicy, StratumCount
from app.collection.models import Submission
from app.collection.schemas import SubmissionIn
from app.collection.service import record
from app.core.db import session_scope
from app.core.errors import Conflict
from app.counts import tally
from app.counts.models import FoldQueue
from app.questionnaires.catalog import Catalog
from app.units.models import Unit
from tests import concurrency
from tests.answers import body, valid_answers
from tests.factories import make_campaign, make_counter, make_unit


def test_yamane_sample_size_and_its_margin() -> None:
    # 1000 / (1 + 1000 * 0.05²) = 285.71… → 286 (Yamane 1967, worked example).
    assert sampling.sample_size(1000, 0.05) == 286
    assert sampling.sample_size(10_000, 0.05) == 385
    assert sampling.sample_size(50, 0.05) == 45  # 44.44 rounded up
    assert sampling.sample_size(0, 0.05) == 0
    assert sampling.sample_size(400, 0.05) == 200  # exactly 200.0: not rounded up to 201
    # e = √((N − n) / (N·n)) = √(714 / 286000)
    assert sampling.margin_of(1000, 286) == pytest.approx(0.049965, abs=1e-6)
    with pytest.raises(ValueError, match="margin"):
        sampling.sample_size(100, 1.5)


def _target(session: Session, code: str, unit: Unit, n: int, policy: str) -> Campaign:
    c = campaigns.get_campaign(session, code)
    c.quota_policy = policy
    campaigns.set_targets(session, c, {unit.code: n})
    return c


def _scope_row(session: Session, c: Campaign, unit: Unit) -> CampaignUnit:
    row = session.get(CampaignUnit, (c.id, unit.id))
    assert row is not None
    session.refresh(row)
    return row


def test_accept_policy_keeps_taking_responses_and_marks_the_extra_ones(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    c = _target(session, "C-2026", place["province"], 2, QuotaPolicy.accept)
    ids = []
    for _ in range(3):
        b = body(catalog)
        assert client.post("/api/v1/submissions", json=b).status_code == 201
        ids.append(uuid.UUID(b["id"]))
    over = dict(session.execute(select(Submission.id, Submission.over_quota)).tuples().all())
    assert [over[i] for i in ids] == [False, False, True]
    assert _scope_row(session, c, place["province"]).collected == 3


def test_stop_policy_refuses_politely_and_stores_nothing_beyond_the_target(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    c = _target(session, "C-2026", place["province"], 2, QuotaPolicy.stop)
    assert client.post("/api/v1/submissions", json=body(catalog)).status_code == 201
    assert client.get("/s/k-1").status_code == 200  # one place left: the survey is open
    assert client.post("/api/v1/submissions", json=body(catalog)).status_code == 201
    third = client.post("/api/v1/submissions", json=body(catalog))
    assert third.status_code == 409
    assert third.json()["error"] == "quota_full"
    assert session.scalar(select(func.count()).select_from(Submission)) == 2
    assert _scope_row(session, c, place["province"]).collected == 2
    # A respondent scanning the QR code now is told before spending three minutes.
    page = client.get("/s/k-1")
    assert page.status_code == 409
    assert "đã nhận đủ số phiếu" in page.text
    # A kiosk's queue: each item answered on its own, the full ones as quota_full.
    batch = client.post(
        "/api/v1/submissions/batch", json={"submissions": [body(catalog), body(catalog)]}
    )
    assert [r["status"] for r in batch.json()["results"]] == [409, 409]
    assert session.scalar(select(func.count()).select_from(Submission)) == 2
    # The refused ones are not left waiting for a fold either: the queue holds
    # exactly what was stored, and a fold leaves the campaign with nothing waiting.
    stored = set(session.scalars(select(Submission.id)))
    assert set(session.scalars(select(FoldQueue.submission_id))) == stored
    q = catalog.get(c.questionnaire, c.questionnaire_version)
    assert q is not None
    assert tally.fold_campaign(session, c, q) == 2
    assert not tally.has_untallied(session, c.id)


def test_a_batch_fills_the_last_places_in_order(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    _target(session, "C-2026", place["province"], 2, QuotaPolicy.stop)
    items = [body(catalog) for _ in range(3)]
    results = client.post("/api/v1/submissions/batch", json={"submissions": items}).json()
    assert [r["status"] for r in results["results"]] == [201, 201, 409]
    stored = set(session.scalars(select(Submission.id)))
    assert stored == {uuid.UUID(items[0]["id"]), uuid.UUID(items[1]["id"])}


def test_stratum_quota_marks_responses_beyond_its_share(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    c = _target(session, "C-2026", place["province"], 4, QuotaPolicy.stop)
    campaigns.set_quotas(session, catalog, c, {"gender=female": 50, "gender=male": 50})
    ids = []
    for gender in ("female", "female", "female", "male"):
        b = body(catalog, answers=valid_answers(catalog, gender=gender))
        # Strata never refuse: only the unit's target does.
        assert client.post("/api/v1/submissions", json=b).status_code == 201
        ids.append(uuid.UUID(b["id"]))
    over = dict(session.execute(select(Submission.id, Submission.over_quota)).tuples().all())
    assert [over[i] for i in ids] == [False, False, True, False]
    counts = dict(
        session.execute(
            select(StratumCount.stratum, StratumCount.n).where(StratumCount.campaign_id == c.id)
        )
        .tuples()
        .all()
    )
    assert counts == {"gender=female": 3, "gender=male": 1}


def test_quotas_are_checked_before_anything_changes(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    c = campaigns.get_campaign(session, "C-2026")
    campaigns.set_quotas(session, catalog, c, {"gender=female": 40})
    with pytest.raises(Exception, match="quotas cannot be set") as info:
        campaigns.set_quotas(
            session,
            catalog,
            c,
            {"gender=female": 70, "gender=male": 40, "colour=red": 5, "age_band=old": 5},
        )
    locs = sorted(f.loc for f in info.value.fields)  # type: ignore[attr-defined]
    assert locs == ["quotas.age_band=old", "quotas.colour=red", "quotas.gender"]
    assert campaigns.quota_shares(session, c) == {"gender=female": 40}


@pytest.fixture
def committed(engine: Any, catalog: Catalog) -> Iterator[str]:
    """A unit with a target of 5 under the stop policy, really committed for threads."""
    with concurrency.committed_place(engine, catalog) as tag:
        with session_scope(engine) as s:
            c = campaigns.get_campaign(s, f"C-{tag}")
            c.quota_policy = QuotaPolicy.stop
            campaigns.set_targets(s, c, {f"U-{tag}": 5})
        yield tag


def _race(engine: Any, catalog: Catalog, bodies: list[SubmissionIn]) -> list[str]:
    return [
        o.kind if isinstance(o, Conflict) else "stored"
        for o in concurrency.race(engine, catalog, bodies)
    ]


@pytest.mark.parametrize("policy", ["stop", "accept"])
def test_quota_counts_are_exact_under_concurrent_submissions(
    engine: Any, catalog: Catalog, committed: str, policy: str
) -> None:
    with session_scope(engine) as s:
        campaigns.get_campaign(s, f"C-{committed}").quota_policy = policy
    bodies = [
        SubmissionIn.model_validate(body(catalog, counter=f"k-{committed}")) for _ in range(12)
    ]
    outcomes = _race(engine, catalog, bodies)
    with Session(engine) as s:
        c = campaigns.get_campaign(s, f"C-{committed}")
        stored = s.scalar(
            select(func.count()).select_from(Submission).where(Submission.campaign_id == c.id)
        )
        over = s.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.campaign_id == c.id, Submission.over_quota)
        )
        collected = s.scalar(select(CampaignUnit.collected).where(CampaignUnit.campaign_id == c.id))
    if policy == "stop":
        assert sorted(outcomes) == ["quota_full"] * 7 + ["stored"] * 5
        assert (stored, over, collected) == (5, 0, 5)
    else:
        assert outcomes == ["stored"] * 12
        assert (stored, over, collected) == (12, 7, 12)


def test_recount_gives_each_scope_its_subtree_without_the_excluded(
    session: Session, catalog: Catalog
) -> None:
    """After a bulk load or a scope change the counts are set from the stored
    responses: a province counts its departments' responses, a department its own,
    and an excluded response counts nowhere."""
    p = make_unit(session, "P-RC")
    d1, d2 = (make_unit(session, code, "department", p) for code in ("D-RC1", "D-RC2"))
    make_counter(session, "k-RC1", d1)
    make_counter(session, "k-RC2", d2)
    c = make_campaign(session, catalog, "C-RC", [p])
    ids = [
        record(session, catalog, SubmissionIn.model_validate(body(catalog, counter=k))).receipt.id
        for k in ("k-RC1", "k-RC1", "k-RC2", "k-RC2")
    ]
    session.execute(
        update(Submission).where(Submission.id == ids[0]).values(excluded_at=datetime.now(UTC))
    )
    session.add(CampaignUnit(campaign_id=c.id, unit_id=d1.id))  # the scope grows
    session.execute(update(CampaignUnit).values(collected=0))
    session.flush()
    quotas.recount(session, c.id)
    assert _scope_row(session, c, p).collected == 3
    assert _scope_row(session, c, d1).collected == 1
