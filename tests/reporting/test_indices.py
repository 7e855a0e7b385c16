"""Indices end to end: known answers in through the API, exactly the expected figures out."""

import csv
import io
import statistics
import threading
from collections import Counter
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from analysis.intervals import wilson
from app.campaigns.models import Campaign
from app.collection.models import Submission
from app.collection.schemas import SubmissionIn
from app.collection.service import record
from app.core.config import get_settings
from app.core.db import session_factory, session_scope
from app.counts import tally
from app.counts.models import Tally, TallyMoments
from app.counts.tally import RowFacts, UnitCounts, answer_moments, count_answers, moment_layout
from app.questionnaires.catalog import Catalog, Questionnaire
from app.reporting.indices import unit_figures
from tests import concurrency
from tests.answers import body, valid_answers
from tests.factories import make_campaign, make_counter, make_unit

# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


@pytest.fixture
def tree(session: Session, catalog: Catalog) -> dict[str, Any]:
    """Province P with departments S1, S2, S3 (one counter each), campaign C-IDX (min sample 2)."""
    p = make_unit(session, "P")
    units = {code: make_unit(session, code, "department", p) for code in ("S1", "S2", "S3")}
    for code, unit in units.items():
        make_counter(session, f"k-{code}", unit)
    make_campaign(session, catalog, "C-IDX", [p], min_sample=2)
    return units


def post(client: TestClient, catalog: Catalog, counter: str, **answers: Any) -> None:
    r = client.post(
        "/api/v1/submissions",
        json=body(catalog, counter=counter, answers=valid_answers(catalog, **answers)),
    )
    assert r.status_code == 201, r.text


def by_unit(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["unit"]: u for u in report["units"]}


def test_known_answers_give_exactly_the_expected_indices(
    client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    # S1: three people. All criteria 4 except TC1 = 2, 5, 0 (not applicable) and CC1 = 1, 2, 3.
    post(
        client,
        catalog,
        "k-S1",
        TC1=2,
        CC1=1,
        timeliness="late",
        late_notified="yes",
        late_apology="no",
        submission_place="agency",
        info_channels=["internet", "mass_media"],
    )
    post(
        client,
        catalog,
        "k-S1",
        TC1=5,
        CC1=2,
        submission_place="one_stop",
        info_channels=["internet"],
    )
    post(client, catalog, "k-S1", TC1=0, CC1=3, timeliness="early", submission_place="one_stop")
    # S2: two people, everything 5. S3: one person (below min_sample 2).
    post(client, catalog, "k-S2", level=5)
    post(client, catalog, "k-S2", level=5)
    post(client, catalog, "k-S3", level=3)

    r = client.get("/api/v1/campaigns/C-IDX/indices", params={"level": "department"})
    assert r.status_code == 200, r.text
    rep = r.json()
    units = by_unit(rep)
    s1 = units["S1"]
    assert s1["n"] == 3
    # TC1: valid answers 2 and 5 (0 left out): 1 of 2 satisfied.
    assert s1["items"]["TC1"] == {"value": 50.0, "ci": list(wilson(1, 2)), "n": 2}
    assert s1["items"]["CC1"]["value"] == 0.0
    assert s1["items"]["TC2"]["value"] == 100.0
    # Factors: TC = mean(50, 100, 100, 100) = 87.5; CC = mean(0, 100 × 5) = 83.33…; others 100.
    assert s1["factors"]["TC"]["value"] == pytest.approx(87.5)
    # n of a composite: respondents with a valid answer to one of its criteria (all 3;
    # the third left TC1 out but rated TC2–TC4).
    assert s1["factors"]["TC"]["n"] == 3
    assert s1["factors"]["CC"]["value"] == pytest.approx(500 / 6)
    assert s1["sipas"]["value"] == pytest.approx((87.5 + 100 + 500 / 6 + 100 + 100) / 5)
    # Perception and timeliness.
    assert s1["perception"]["submission_place.one_stop"]["value"] == pytest.approx(200 / 3)
    assert s1["perception"]["info_channels.internet"]["value"] == pytest.approx(100.0)
    assert s1["perception"]["info_channels.mass_media"]["value"] == pytest.approx(100 / 3)
    assert s1["perception"]["late_notified.yes"] == {
        "value": 100.0,
        "ci": list(wilson(1, 1)),
        "n": 1,
    }
    assert s1["timeliness"]["late"]["value"] == pytest.approx(100 / 3)
    assert s1["timeliness"]["on_time_or_early"]["value"] == pytest.approx(200 / 3)
    assert s1["expectations"]["shorter_time"]["value"] == 100.0
    # Ranks, flags and the median (S3 is flagged: left out of median and ranks).
    assert (units["S2"]["rank"], units["S1"]["rank"], units["S3"]["rank"]) == (1, 2, None)
    assert units["S3"]["flags"] == ["small_sample"]
    assert rep["median"]["sipas"] == pytest.approx(statistics.median([100.0, s1["sipas"]["value"]]))
    assert rep["median"]["items"]["TC1"] == pytest.approx(75.0)
    assert (rep["top"], rep["bottom"]) == (["S2", "S1"], ["S1", "S2"])

    # The province counts every response under it.
    top_level = client.get("/api/v1/campaigns/C-IDX/indices").json()
    (province,) = top_level["units"]
    assert province["unit"] == "P"
    assert province["n"] == 6
    assert province["items"]["TC1"]["n"] == 5
    assert province["items"]["TC1"]["value"] == pytest.approx(
        100 * 3 / 5
    )  # 5, 5, 5 of 2, 5, 5, 5, 3


def test_new_responses_show_at_once_and_filters_narrow(
    client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", level=5, gender="male")
    first = by_unit(
        client.get("/api/v1/campaigns/C-IDX/indices", params={"level": "department"}).json()
    )
    assert first["S1"]["n"] == 1
    post(client, catalog, "k-S1", level=1, gender="female")
    after = by_unit(
        client.get("/api/v1/campaigns/C-IDX/indices", params={"level": "department"}).json()
    )
    assert after["S1"]["n"] == 2
    assert after["S1"]["sipas"]["value"] == pytest.approx(50.0)
    women = by_unit(
        client.get(
            "/api/v1/campaigns/C-IDX/indices", params={"level": "department", "gender": "female"}
        ).json()
    )
    assert women["S1"]["n"] == 1
    assert women["S1"]["sipas"]["value"] == 0.0
    kiosk = client.get("/api/v1/campaigns/C-IDX/indices", params={"channel": "paper"}).json()
    assert kiosk["units"][0]["n"] == 0


def test_unit_endpoint_csv_and_errors(
    client: TestClient, catalog: Catalog, session: Session, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", level=4)
    post(client, catalog, "k-S2", level=2)
    one = client.get("/api/v1/campaigns/C-IDX/units/P/indices").json()
    assert one["unit"]["unit"] == "P"
    assert one["unit"]["n"] == 2
    assert [u["unit"] for u in one["units"]] == ["S1", "S2", "S3"]
    r = client.get(
        "/api/v1/campaigns/C-IDX/indices",
        params={"level": "department"},
        headers={"accept": "text/csv"},
    )
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    sipas = {row["unit"]: row for row in rows if row["indicator"] == "sipas"}
    assert float(sipas["S1"]["value"]) == 100.0
    assert sipas["S3"]["value"] == ""
    assert {row["indicator"] for row in rows} >= {
        "items.TC1",
        "perception.submission_place.one_stop",
        "timeliness.late",
        "factors.GY",
    }
    assert client.get("/api/v1/campaigns/NOPE/indices").status_code == 404
    bad = client.get("/api/v1/campaigns/C-IDX/indices", params={"gender": "robot"})
    assert bad.status_code == 422
    assert bad.json()["fields"][0]["loc"] == "gender"
    assert client.get("/api/v1/campaigns/C-IDX/indices", params={"parent": "ZZ"}).status_code == 404
    secret = make_campaign(session, catalog, "C-PRIV", [make_unit(session, "Q")])
    secret.is_private = True
    session.flush()
    # Without the key (an empty Authorization is no key): unknown until published.
    anonymous = {"Authorization": ""}
    assert client.get("/api/v1/campaigns/C-PRIV/indices", headers=anonymous).status_code == 404


def test_mean_score_rules(client: TestClient, catalog: Catalog, tree: dict[str, Any]) -> None:
    post(client, catalog, "k-S1", level=4, TC1=2)
    post(client, catalog, "k-S1", level=4, TC1=5)
    rep = by_unit(
        client.get(
            "/api/v1/campaigns/C-IDX/indices", params={"level": "department", "scoring": "mean20"}
        ).json()
    )
    assert rep["S1"]["items"]["TC1"]["value"] == pytest.approx(70.0)  # mean 3.5 × 20
    rescaled = by_unit(
        client.get(
            "/api/v1/campaigns/C-IDX/indices", params={"level": "department", "scoring": "rescaled"}
        ).json()
    )
    assert rescaled["S1"]["items"]["TC1"]["value"] == pytest.approx(62.5)  # (3.5 − 1)/4


# --- the engine against a naive reference -------------------------------------------


def _naive(q: Questionnaire, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Straight from the definitions in sipas-method.md §3, one row at a time."""
    items: dict[str, float | None] = {}
    for code in q.criteria:
        valid = [r[code] for r in rows if r.get(code) in (1, 2, 3, 4, 5)]
        items[code] = 100 * sum(v >= 4 for v in valid) / len(valid) if valid else None
    factors = {}
    for f in q.factors:
        vals = [v for c in f.items if (v := items[c]) is not None]
        factors[f.code] = sum(vals) / len(vals) if vals else None
    present = [v for v in factors.values() if v is not None]
    sipas = sum(present) / len(present) if present else None
    late = sum(r.get("timeliness") == "late" for r in rows)
    answered = sum("timeliness" in r for r in rows)
    channels = [r for r in rows if r.get("info_channels")]
    return {
        "items": items,
        "factors": factors,
        "sipas": sipas,
        "late": 100 * late / answered if answered else None,
        "internet": 100 * sum("internet" in r["info_channels"] for r in channels) / len(channels)
        if channels
        else None,
    }


SCALE = st.sampled_from([0, 1, 2, 3, 4, 5, None])


@st.composite
def responses(draw: Any, q: Questionnaire) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for code in q.scale_items:
        v = draw(SCALE)
        if v is not None:
            row[code] = v
    if draw(st.booleans()):
        row["timeliness"] = draw(st.sampled_from(["early", "on_time", "late"]))
    opts = q.questions["info_channels"].option_codes
    chosen = draw(st.lists(st.sampled_from(opts), unique=True, max_size=len(opts)))
    if chosen:
        row["info_channels"] = chosen
    return row


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_engine_matches_the_naive_reference(catalog: Catalog, data: Any) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    rows = data.draw(st.lists(responses(q), min_size=0, max_size=25))
    counts: Counter[str] = Counter()
    moments = np.zeros(moment_layout(q).size, dtype=np.int64)
    for r in rows:
        counts.update(count_answers(q, r, "web"))
        moments += answer_moments(q, r)
    got = unit_figures(q, counts, moments, "top2box")
    want = _naive(q, rows)
    for code, value in want["items"].items():
        assert got["items"][code]["value"] == pytest.approx(value), code
    for code, value in want["factors"].items():
        assert got["factors"][code]["value"] == pytest.approx(value), code
    assert got["sipas"]["value"] == pytest.approx(want["sipas"])
    assert got["timeliness"]["late"]["value"] == pytest.approx(want["late"])
    assert got["perception"]["info_channels.internet"]["value"] == pytest.approx(want["internet"])
    assert got["n"] == len(rows)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_chunked_counting_matches_counting_one_response_at_a_time(
    catalog: Catalog, data: Any
) -> None:
    """The fold and filtered reports count in chunks with numpy; the sums per unit
    must be exactly those of count_answers, response by response."""
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    rows = data.draw(st.lists(st.tuples(st.integers(1, 4), responses(q)), min_size=0, max_size=30))
    acc = UnitCounts(q)
    half = len(rows) // 2  # two chunks, as a fold of a backlog makes
    for chunk in (rows[:half], rows[half:]):
        acc.add([(unit, "kiosk", answers, RowFacts()) for unit, answers in chunk])
    want: dict[int, Counter[str]] = {}
    vectors: dict[int, list[int]] = {}
    for unit, answers in rows:
        want.setdefault(unit, Counter()).update(count_answers(q, answers, "kiosk"))
        held = vectors.get(unit, [0] * moment_layout(q).size)
        vectors[unit] = (np.asarray(held) + answer_moments(q, answers)).tolist()
    assert acc.totals == want
    assert {u: v.tolist() for u, v in acc.moments.items()} == vectors


def test_a_value_off_the_scale_counts_as_not_answered_in_the_moments(catalog: Catalog) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    odd = {**valid_answers(catalog), "TC1": "x"}  # never stored: answers are validated
    acc = UnitCounts(q)
    acc.add([(1, "web", odd, RowFacts()), (1, "web", valid_answers(catalog), RowFacts())])
    assert acc.totals[1] == count_answers(q, odd, "web") + count_answers(
        q, valid_answers(catalog), "web"
    )
    assert acc.totals[1]["a:TC:n"] == 1  # only the complete response


@pytest.mark.parametrize("chunk", [2, 20_000])
def test_the_fold_counts_exactly_what_count_answers_counts(
    client: TestClient,
    catalog: Catalog,
    session: Session,
    tree: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
    chunk: int,
) -> None:
    from sqlalchemy import select

    from app.campaigns.models import Campaign
    from app.collection.models import Submission
    from app.counts.models import Tally, TallyMoments
    from app.counts.tally import fold_campaign

    monkeypatch.setattr(tally, "FOLD_CHUNK", chunk)  # 2: a backlog of several chunks

    for i, counter in enumerate(["k-S1", "k-S1", "k-S2", "k-S3", "k-S2"]):
        post(
            client,
            catalog,
            counter,
            level=1 + i % 5,
            TC1=(i * 2) % 6,
            CC3=0 if i == 2 else 4,
            expectations=["facilities", "other"][: i % 3],
        )
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    campaign = session.scalars(select(Campaign).where(Campaign.code == "C-IDX")).one()
    fold_campaign(session, campaign, q)
    want: dict[int, Counter[str]] = {}
    for row in session.scalars(select(Submission).where(Submission.campaign_id == campaign.id)):
        facts = RowFacts(row.submitted_at, row.quality_flags, row.over_quota)
        want.setdefault(row.unit_id, Counter()).update(
            count_answers(q, row.answers, row.channel, facts)
        )
    got: dict[int, Counter[str]] = {}
    for t in session.scalars(select(Tally).where(Tally.campaign_id == campaign.id)):
        got.setdefault(t.unit_id, Counter())[t.key] = t.n
    assert got == want
    layout = moment_layout(q)
    want_moments: dict[int, list[int]] = {}
    for row in session.scalars(select(Submission).where(Submission.campaign_id == campaign.id)):
        held = np.asarray(want_moments.get(row.unit_id, [0] * layout.size))
        want_moments[row.unit_id] = (held + answer_moments(q, row.answers)).tolist()
    stored = session.execute(
        select(TallyMoments.unit_id, TallyMoments.data).where(
            TallyMoments.campaign_id == campaign.id
        )
    ).all()
    assert {u: layout.decode(d).tolist() for u, d in stored} == want_moments
    assert any(k.startswith("a:CC:x:") for k in got[tree["S1"].id])
    assert any(k.startswith("day=") for k in got[tree["S1"].id])


def test_moments_stored_under_another_layout_are_recounted_not_misread(
    client: TestClient, catalog: Catalog, session: Session, tree: dict[str, Any]
) -> None:
    """A vector written by code with another arrangement of the sums (a changed
    MomentLayout) must not be read with today's positions: the campaign's counts
    start over from the responses, and the report is the one they give."""
    from sqlalchemy import update

    from app.counts import snapshots
    from app.counts.models import TallyMoments

    for i, counter in enumerate(["k-S1", "k-S1", "k-S2", "k-S2", "k-S1"]):
        post(client, catalog, counter, level=1 + i % 5, TC1=(i * 2) % 6)
    params = {"level": "department"}
    before = client.get("/api/v1/campaigns/C-IDX/indices", params=params).json()
    assert by_unit(before)["S1"]["sipas"]["ci"] is not None
    session.execute(update(TallyMoments).values(layout="m0-old", data=b"\x07" * 80))
    campaign = session.scalars(select(Campaign).where(Campaign.code == "C-IDX")).one()
    snapshots.forget(session, campaign.id)
    after = client.get("/api/v1/campaigns/C-IDX/indices", params=params).json()
    assert by_unit(after)["S1"]["sipas"] == by_unit(before)["S1"]["sipas"]
    assert by_unit(after)["S2"]["n"] == 2  # counted once, not on top of the old tallies
    tags = set(session.scalars(select(TallyMoments.layout)))
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    assert tags == {moment_layout(q).tag}


def test_two_folds_at_once_count_every_response_once(
    engine: Engine, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every worker's report requests fold what has arrived, so folds overlap: they
    must share a backlog between them (PostgreSQL: SKIP LOCKED; SQLite: one writer)
    and never count a response twice or leave one out."""
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    monkeypatch.setattr(tally, "FOLD_CHUNK", 3)
    monkeypatch.setattr(get_settings(), "RATE_PER_MINUTE", 100)  # 40 from one counter
    with concurrency.committed_place(engine, catalog) as tag:
        with session_scope(engine) as s:
            for _ in range(40):
                record(s, catalog, SubmissionIn.model_validate(body(catalog, counter=f"k-{tag}")))
            campaign_id = s.scalars(select(Campaign.id).where(Campaign.code == f"C-{tag}")).one()
        barrier = threading.Barrier(2)
        folded: list[int] = []

        def worker() -> None:
            with session_factory(engine)() as s:
                barrier.wait()
                folded.append(tally.fold(s, {campaign_id: q}, campaign_id))
                s.commit()

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        with session_scope(engine) as s:
            n = s.scalars(
                select(func.sum(Tally.n)).where(Tally.campaign_id == campaign_id, Tally.key == "n")
            ).one()
            left = tally.has_untallied(s, campaign_id)
            layout = moment_layout(q)
            stored = [
                layout.decode(d)
                for d in s.scalars(
                    select(TallyMoments.data).where(TallyMoments.campaign_id == campaign_id)
                )
            ]
            want = sum(
                answer_moments(q, a)
                for a in s.scalars(
                    select(Submission.answers).where(Submission.campaign_id == campaign_id)
                )
            )
        assert len(folded) == 2  # both finished
        assert sum(folded) == 40
        assert n == 40
        assert not left
        assert len(stored) == 1  # one unit, one vector holding all 40 responses' sums
        assert stored[0].tolist() == np.asarray(want).tolist()
        assert stored[0][layout.contributors(None)] == 40


def test_change_against_a_previous_campaign(
    client: TestClient, catalog: Catalog, session: Session, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", level=5)
    post(client, catalog, "k-S1", level=5)
    post(client, catalog, "k-S2", level=2)
    post(client, catalog, "k-S2", level=2)
    from app.campaigns.models import Campaign, CampaignStatus

    old = session.scalars(select(Campaign).where(Campaign.code == "C-IDX")).one()
    old.status = CampaignStatus.closed
    make_campaign(
        session,
        catalog,
        "C-NEW",
        [session.get_one(type(tree["S1"]), tree["S1"].parent_id)],
        min_sample=2,
    )
    post(client, catalog, "k-S1", level=4)
    post(client, catalog, "k-S1", level=1)  # S1 falls from 100 to 50
    post(client, catalog, "k-S2", level=5)
    post(client, catalog, "k-S2", level=5)  # S2 climbs from 0 to 100
    rep = by_unit(
        client.get(
            "/api/v1/campaigns/C-NEW/indices", params={"level": "department", "compare": "C-IDX"}
        ).json()
    )
    assert rep["S1"]["change"] == {
        "campaign": "C-IDX",
        "points": pytest.approx(-50.0),
        "rank": -1,
        "previous_flags": [],
    }
    assert rep["S2"]["change"] == {
        "campaign": "C-IDX",
        "points": pytest.approx(100.0),
        "rank": 1,
        "previous_flags": [],
    }


def test_openapi_documents_the_report(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    figure = spec["components"]["schemas"]["Figure"]["properties"]
    assert "Percent, 0–100" in figure["value"]["description"]
    unit = spec["components"]["schemas"]["UnitIndices"]["properties"]
    assert "small_sample" in unit["flags"]["description"]
    params = {
        p["name"]
        for p in spec["paths"]["/api/v1/campaigns/{campaign}/indices"]["get"]["parameters"]
    }
    assert {"level", "parent", "gender", "date_from", "scoring", "compare", "format"} <= params


def _expected_sipas(q: Questionnaire, rows: list[dict[str, Any]], rule: str) -> tuple[float, float]:
    """The SIPAS interval straight from the answers (analysis/composite.py's reference)."""
    import numpy as np

    from analysis.composite import composite_indices, linearised_means, moments_of_answers
    from analysis.indices import composites, criterion_indices

    codes = list(q.criteria)
    x = np.array([[r.get(c, 0) for c in codes] for r in rows], dtype=float)
    valid = (x >= 1) & (x <= 5)
    y = (x >= 4).astype(float) if rule == "top2box" else x
    groups = [[codes.index(i) for i in f.items] for f in q.factors]
    lin = linearised_means(
        moments_of_answers(y, valid), groups, np.array([int(valid.any(axis=1).sum())])
    )
    dist = [np.array([[(x[:, i] == v).sum() for v in range(1, 6)]]) for i in range(len(codes))]
    parts = [criterion_indices(d, rule) for d in dist]  # type: ignore[arg-type]
    plain = composites([composites([parts[i] for i in g]) for g in groups])
    e = composite_indices(lin, rule, [1, 2, 3, 4, 5], plain)
    return float(e.low[0]), float(e.high[0])


@pytest.mark.parametrize("scoring", ["top2box", "mean20"])
def test_sipas_interval_is_the_linearised_one_from_the_folded_moments(
    client: TestClient, catalog: Catalog, tree: dict[str, Any], scoring: str
) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    rows = [
        valid_answers(catalog, level=5, TC1=0, CC2=3),
        valid_answers(catalog, level=4, KQ1=2, GY4=0),
        valid_answers(catalog, level=2, TC2=5, TT1=4),
        valid_answers(catalog, level=3, TC1=0, CC1=5, CC3=0),
        valid_answers(catalog, level=5, GY1=1, GY2=2),
    ]
    for answers in rows:
        r = client.post("/api/v1/submissions", json=body(catalog, counter="k-S1", answers=answers))
        assert r.status_code == 201, r.text
    params = {"level": "department", "scoring": scoring}
    s1 = by_unit(client.get("/api/v1/campaigns/C-IDX/indices", params=params).json())["S1"]
    assert s1["sipas"]["n"] == 5
    assert s1["sipas"]["ci"] == pytest.approx(list(_expected_sipas(q, rows, scoring)))
    # A filtered report counts the rows itself, through the same counting function.
    filtered = client.get(
        "/api/v1/campaigns/C-IDX/indices", params={**params, "channel": "kiosk"}
    ).json()
    assert by_unit(filtered)["S1"]["sipas"]["ci"] == pytest.approx(s1["sipas"]["ci"])
    # The province pools S1's moments with nobody else's: the same interval.
    top = client.get("/api/v1/campaigns/C-IDX/indices", params={"scoring": scoring}).json()
    assert top["units"][0]["sipas"]["ci"] == pytest.approx(s1["sipas"]["ci"])


def test_unit_document_covers_the_unit_s_responses_throughout(
    client: TestClient, catalog: Catalog, session: Session, tree: dict[str, Any]
) -> None:
    from app.units.models import Unit

    make_counter(session, "k-P", session.scalars(select(Unit).where(Unit.code == "P")).one())
    post(client, catalog, "k-P", level=5)  # recorded at the province itself
    post(client, catalog, "k-S1", level=4)
    post(client, catalog, "k-S1", level=3, TC1=0)  # not a complete case of TC
    doc = client.get("/api/v1/campaigns/C-IDX/units/P/indices").json()
    assert doc["n"] == doc["unit"]["n"] == 3
    assert doc["unit"]["sipas"]["n"] == 3
    assert doc["reliability"]["TC"]["n"] == 2
    assert doc["reliability"]["CC"]["n"] == 3
    assert "complete cases" in doc["methods"]["reliability"]
