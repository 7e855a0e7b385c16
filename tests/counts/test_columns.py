"""Filtered reports from the answer columns count exactly what the responses hold.

The reference is the way filtered reports counted before the columns: select the
matching responses in SQL and count their JSON answers with the fold's counting code
(UnitCounts). Random responses over a three-level tree, random filters and targets.
"""

import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.collection.models import CHANNELS, Submission
from app.core.clock import VIETNAM
from app.counts import columns
from app.counts.models import AnswerBlock, UnitAncestor
from app.counts.tally import RowFacts, UnitCounts, fold_campaign
from app.questionnaires.catalog import Catalog, Questionnaire
from app.reporting.figures import keyspace
from app.units.models import Unit
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

pytestmark = pytest.mark.usefixtures("reader")

FILTERS = ("service_field", "respondent_type", "gender", "age_band")
START = datetime(2026, 3, 1, 17, 30, tzinfo=UTC)  # 00:30 in Vietnam: days differ from UTC's


def random_answers(q: Questionnaire, rng: random.Random) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for code, question in q.questions.items():
        if rng.random() < 0.1:
            continue  # skipped
        if question.kind == "scale":
            answers[code] = rng.choice([*q.scale_values, q.not_applicable])
        elif question.kind == "single":
            answers[code] = rng.choice(question.option_codes)
        elif question.kind == "multi":
            answers[code] = rng.sample(question.option_codes, rng.randint(0, 3))
        else:
            answers[code] = "ý kiến"
    return answers


@pytest.fixture
def tree(session: Session, catalog: Catalog) -> dict[str, Any]:
    """Province P; departments D1, D2; communes D1-C1, D1-C2, D2-C1 (responses at every
    level); campaign C-COL over P."""
    p = make_unit(session, "P")
    units = {"P": p}
    for d in ("D1", "D2"):
        units[d] = make_unit(session, d, "department", p)
        for c in ("C1", "C2") if d == "D1" else ("C1",):
            units[f"{d}-{c}"] = make_unit(session, f"{d}-{c}", "commune", units[d])
    for code, unit in units.items():
        make_counter(session, f"k-{code}", unit)
    campaign = make_campaign(session, catalog, "C-COL", [p], min_sample=2)
    return {"units": units, "campaign": campaign}


def add_responses(
    session: Session, q: Questionnaire, campaign: Campaign, units: list[Unit], n: int, seed: int
) -> list[Submission]:
    rng = random.Random(seed)
    subs = []
    for _ in range(n):
        at = START + timedelta(hours=rng.randint(0, 24 * 40))
        s = Submission(
            id=uuid.uuid4(),
            campaign_id=campaign.id,
            unit_id=rng.choice(units).id,
            questionnaire=q.slug,
            questionnaire_version=q.version,
            channel=rng.choice(CHANNELS),
            submitted_at=at,
            received_at=at,
            answers=random_answers(q, rng),
            body_hash="0" * 64,
        )
        session.add(s)
        subs.append(s)
    session.flush()
    return subs


def reference(
    session: Session, q: Questionnaire, campaign: Campaign, targets: list[int], f: dict[str, Any]
) -> tuple[np.ndarray, list[Counter[str]]]:
    """The report matrix and alpha moments per target, from the matching responses."""
    ks = keyspace(q)
    up: dict[int, list[int]] = {}
    for unit_id, ancestor_id in session.execute(
        select(UnitAncestor.unit_id, UnitAncestor.ancestor_id).where(
            UnitAncestor.ancestor_id.in_(targets)
        )
    ):
        up.setdefault(unit_id, []).append(ancestor_id)
    stmt = select(Submission.unit_id, Submission.channel, Submission.answers).where(
        Submission.campaign_id == campaign.id, Submission.excluded_at.is_(None)
    )
    for name in FILTERS:
        if f.get(name) is not None:
            stmt = stmt.where(Submission.answers[name].as_string() == f[name])
    if f.get("channel"):
        stmt = stmt.where(Submission.channel == f["channel"])
    if f.get("date_from"):
        since = datetime.combine(f["date_from"], datetime.min.time(), VIETNAM)
        stmt = stmt.where(Submission.submitted_at >= since)
    if f.get("date_to"):
        until = datetime.combine(f["date_to"] + timedelta(days=1), datetime.min.time(), VIETNAM)
        stmt = stmt.where(Submission.submitted_at < until)
    acc = UnitCounts(q)
    acc.add([(u, c, a, RowFacts()) for u, c, a in session.execute(stmt)])
    counts = {t: Counter[str]() for t in targets}
    vectors = {t: np.zeros(ks.layout.size, dtype=np.int64) for t in targets}
    for unit_id, c in acc.totals.items():
        for t in up.get(unit_id, ()):
            counts[t].update(c)
    for unit_id, v in acc.moments.items():
        for t in up.get(unit_id, ()):
            vectors[t] += v
    matrix = ks.matrix([counts[t] for t in targets], [vectors[t] for t in targets])
    alpha = [
        Counter({k: v for k, v in counts[t].items() if k.startswith("a:") and v}) for t in targets
    ]
    return matrix, alpha


def from_columns(
    session: Session, q: Questionnaire, campaign: Campaign, targets: list[int], f: dict[str, Any]
) -> tuple[np.ndarray, list[Counter[str]]]:
    ks = keyspace(q)
    sel = columns.Selection(
        tuple((k, f[k]) for k in FILTERS if f.get(k) is not None),
        f.get("channel"),
        f.get("date_from"),
        f.get("date_to"),
    )
    got = columns.filtered(session, q, campaign.id, targets, ks.index, ks.layout, sel)
    return got.matrix, [got.alpha_counts(i) for i in range(len(targets))]


def random_filters(q: Questionnaire, rng: random.Random) -> dict[str, Any]:
    f: dict[str, Any] = {}
    for name in rng.sample([*FILTERS, "channel", "dates"], rng.randint(1, 3)):
        if name == "channel":
            f["channel"] = rng.choice(CHANNELS)
        elif name == "dates":
            first = date(2026, 3, 2) + timedelta(days=rng.randint(0, 30))
            f["date_from"], f["date_to"] = first, first + timedelta(days=rng.randint(0, 12))
        else:
            f[name] = rng.choice(q.questions[name].option_codes)
    return f


def test_filtered_counts_equal_counting_the_matching_responses(
    session: Session, catalog: Catalog, tree: dict[str, Any]
) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    units, campaign = tree["units"], tree["campaign"]
    everyone = list(units.values())
    add_responses(session, q, campaign, everyone, 400, seed=1)
    fold_campaign(session, campaign, q)
    add_responses(session, q, campaign, everyone, 150, seed=2)  # a second fold, a second block
    fold_campaign(session, campaign, q)
    assert session.scalar(select(func.count()).select_from(AnswerBlock)) == 2
    rng = random.Random(7)
    scopes = [
        [units["P"].id],
        [units["D1"].id, units["D2"].id],
        [units["D1-C1"].id, units["D1-C2"].id, units["D2-C1"].id],
        [units["P"].id, units["D1"].id, units["D1-C1"].id],  # overlapping subtrees
    ]
    kept = 0
    for trial in range(24):
        f = random_filters(q, rng) if trial else {"gender": "female"}
        targets = scopes[trial % len(scopes)]
        want, want_alpha = reference(session, q, campaign, targets, f)
        got, got_alpha = from_columns(session, q, campaign, targets, f)
        assert got.tolist() == want.tolist(), f
        assert got_alpha == want_alpha, f
        kept += int(want[:, 0].sum())
    assert kept > 0  # the filters kept responses, so the equality says something


def test_excluding_after_the_fold_and_restoring_change_the_filtered_report(
    client: TestClient, session: Session, catalog: Catalog, tree: dict[str, Any]
) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    units, campaign = tree["units"], tree["campaign"]
    rng = random.Random(3)
    posted = []
    for i in range(16):
        counter = "k-D1-C1" if i % 2 else "k-D2-C1"
        answers = valid_answers(
            catalog, level=rng.randint(1, 5), gender=rng.choice(["male", "female"]), TC1=i % 6
        )
        b = body(catalog, counter=counter, answers=answers)
        assert client.post("/api/v1/submissions", json=b).status_code == 201
        posted.append(b)
    url = "/api/v1/campaigns/C-COL/indices"
    women = {"level": "department", "gender": "female"}
    before = {u["unit"]: u for u in client.get(url, params=women).json()["units"]}
    woman = next(b for b in posted if b["answers"]["gender"] == "female")
    dept = "D1" if woman["counter"] == "k-D1-C1" else "D2"
    make_account(session, "coord@col", "coordinator", units["P"])
    csrf = sign_in(client, "coord@col")
    at = f"/api/v1/campaigns/C-COL/responses/{woman['id']}"
    done = client.post(f"{at}/exclude", json={"reason": "test"}, headers={"x-csrf-token": csrf})
    assert done.status_code == 200, done.text
    after = {u["unit"]: u for u in client.get(url, params=women).json()["units"]}
    assert after[dept]["n"] == before[dept]["n"] - 1
    other = "D2" if dept == "D1" else "D1"
    assert after[other] == before[other]
    targets = [units["D1"].id, units["D2"].id]
    assert from_columns(session, q, campaign, targets, {"gender": "female"})[0].tolist() == (
        reference(session, q, campaign, targets, {"gender": "female"})[0].tolist()
    )
    back = client.post(f"{at}/restore", json={"reason": "ok"}, headers={"x-csrf-token": csrf})
    assert back.status_code == 200
    again = {u["unit"]: u for u in client.get(url, params=women).json()["units"]}
    assert again[dept]["n"] == before[dept]["n"]
    assert again[dept]["sipas"] == before[dept]["sipas"]


def test_a_campaign_counted_before_the_blocks_gets_them_on_its_first_filtered_report(
    session: Session, catalog: Catalog, tree: dict[str, Any]
) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    units, campaign = tree["units"], tree["campaign"]
    add_responses(session, q, campaign, list(units.values()), 120, seed=4)
    fold_campaign(session, campaign, q)
    session.execute(delete(AnswerBlock))  # as after migration 0018: tallies, no blocks
    add_responses(session, q, campaign, list(units.values()), 30, seed=5)  # still queued
    targets = [units["D1"].id, units["D2"].id]
    f = {"age_band": "35_49"}
    got = from_columns(session, q, campaign, targets, f)  # rebuilds from the 120 counted
    fold_campaign(session, campaign, q)  # the 30 queued ones arrive as a block of their own
    assert got[0][:, 0].sum() < reference(session, q, campaign, targets, f)[0][:, 0].sum() + 1
    assert from_columns(session, q, campaign, targets, f)[0].tolist() == (
        reference(session, q, campaign, targets, f)[0].tolist()
    )
    assert session.scalar(select(func.sum(AnswerBlock.total))) == 150


def test_trickle_folds_merge_their_small_blocks(
    session: Session, catalog: Catalog, tree: dict[str, Any]
) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    units, campaign = tree["units"], tree["campaign"]
    for seed in range(columns.MERGE_AT + 4):
        add_responses(session, q, campaign, [units["D1-C2"]], 2, seed=100 + seed)
        fold_campaign(session, campaign, q)
    blocks = session.scalar(select(func.count()).select_from(AnswerBlock))
    assert blocks is not None
    assert blocks < columns.MERGE_AT
    assert session.scalar(select(func.sum(AnswerBlock.n))) == 2 * (columns.MERGE_AT + 4)
    targets = [units["D1"].id]
    f = {"channel": "kiosk"}
    assert from_columns(session, q, campaign, targets, f)[0].tolist() == (
        reference(session, q, campaign, targets, f)[0].tolist()
    )


def test_a_filtered_unit_document_counts_its_subtree_like_the_list(
    client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    rng = random.Random(9)
    women = 0
    for i in range(12):
        gender = rng.choice(["male", "female"])
        women += gender == "female" and i % 3 != 2
        counter = ("k-D1", "k-D1-C1", "k-D2-C1")[i % 3]  # D1 itself and below it, and D2
        answers = valid_answers(catalog, level=rng.randint(1, 5), gender=gender, CC1=i % 6)
        b = body(catalog, counter=counter, answers=answers)
        assert client.post("/api/v1/submissions", json=b).status_code == 201
    f = {"gender": "female"}
    doc = client.get("/api/v1/campaigns/C-COL/units/D1/indices", params=f).json()
    listed = client.get("/api/v1/campaigns/C-COL/indices", params={"level": "department", **f})
    d1 = next(u for u in listed.json()["units"] if u["unit"] == "D1")
    assert doc["unit"]["n"] == women
    assert d1["n"] == women
    for key in ("sipas", "factors", "items", "perception"):
        assert doc["unit"][key] == d1[key]
