"""Rankings that hold up: ties at the published precision, one league per unit kind,
the minimum sample on valid answers, and incomplete composites left out."""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from analysis.ranking import competition_ranks, rank_key, top_bottom
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_campaign, make_counter, make_unit

# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


URL = "/api/v1/campaigns/C-RANK/indices"


def post(client: TestClient, catalog: Catalog, counter: str, **answers: Any) -> None:
    r = client.post(
        "/api/v1/submissions",
        json=body(catalog, counter=counter, answers=valid_answers(catalog, level=5, **answers)),
    )
    assert r.status_code == 201, r.text


def by_unit(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {u["unit"]: u for u in report["units"]}


# Pure functions ------------------------------------------------------------------------


def test_equal_published_figures_share_a_rank() -> None:
    # The pair: the same rational, summed in a different order.
    assert competition_ranks({"a": 66.47222222222223, "b": 66.47222222222221}) == {"a": 1, "b": 1}
    # Different in the third decimal, equal as published (two decimals, half up).
    ranks = competition_ranks({"a": 71.804, "b": 71.796, "c": 71.794})
    assert ranks == {"a": 1, "b": 1, "c": 3}
    # Compared at full precision only float noise is ignored.
    assert competition_ranks({"a": 71.804, "b": 71.796}, precision=None) == {"a": 1, "b": 2}
    assert str(rank_key(66.125)) == "66.13"  # half up, as the Ministry rounds
    assert str(rank_key(2.675)) == "2.68"  # a binary float just below .675 still rounds up


def test_top_and_bottom_lists_hold_every_unit_tied_at_the_cut_off() -> None:
    values = {"d": 70.0, "c": 85.0, "b": 85.001, "a": 90.0, "e": None}
    tb = top_bottom(values, 2)
    assert tb.top == ["a", "b", "c"]  # b and c tie at 85.00: both are second
    assert tb.bottom == ["d", "b", "c"]  # worst first; the tie in the same order as on top
    assert top_bottom(values, 1).bottom == ["d"]
    assert top_bottom(values, 0) == top_bottom({}, 3)


# Through the API ----------------------------------------------------------------------


@pytest.fixture
def province(session: Session, catalog: Catalog) -> None:
    """Province P: departments S1, S2, S3, a service centre TT and a commune X1."""
    p = make_unit(session, "P")
    kinds = {"S1": "department", "S2": "department", "S3": "department"}
    kinds |= {"TT": "service_centre", "X1": "commune"}
    for code, kind in kinds.items():
        make_counter(session, f"k-{code}", make_unit(session, code, kind, p))
    make_campaign(session, catalog, "C-RANK", [p], min_sample=3)


def test_float_unequal_sums_of_equal_rationals_share_a_rank(
    client: TestClient, catalog: Catalog, province: None
) -> None:
    # S1: TC1–TC3 satisfied 1 time in 6 and TC4 5 times; S2 the other way round (TC1 5
    # times, TC2–TC4 once); every other criterion always. The same SIPAS (86 2/3), as
    # floats summed in a different order.
    for i in range(6):
        one, five = (5, 2) if i == 0 else (2, 5)
        post(client, catalog, "k-S1", TC1=one, TC2=one, TC3=one, TC4=five)
        post(client, catalog, "k-S2", TC1=five, TC2=one, TC3=one, TC4=one)
        post(client, catalog, "k-S3", TC1=2, TC2=2, TC3=2, TC4=2)
    units = by_unit(client.get(URL, params={"level": "department", "top": 1}).json())
    s1, s2 = units["S1"]["sipas"]["value"], units["S2"]["sipas"]["value"]
    assert s1 != s2
    assert s1 == pytest.approx(s2)
    assert (units["S1"]["rank"], units["S2"]["rank"], units["S3"]["rank"]) == (1, 1, 3)
    report = client.get(URL, params={"level": "department", "top": 1}).json()
    assert report["top"] == ["S1", "S2"]
    assert report["bottom"] == ["S3"]
    assert "rounded half-up" in report["methods"]["rank"]


def test_each_kind_is_ranked_among_its_own_kind_unless_mixed(
    client: TestClient, catalog: Catalog, province: None
) -> None:
    for _ in range(3):
        post(client, catalog, "k-S1")  # 100
        post(client, catalog, "k-S2", **dict.fromkeys(("TC1", "TC2", "TC3", "TC4"), 2))  # 80
        post(client, catalog, "k-S3", **dict.fromkeys(("TT1", "TT2", "TT3"), 2))
        post(client, catalog, "k-TT", **dict.fromkeys(("CC1", "CC2", "CC3", "CC4", "CC5"), 2))
        post(client, catalog, "k-X1", **dict.fromkeys(("KQ1", "KQ2"), 2))
    report = client.get(URL, params={"parent": "P"}).json()
    units = by_unit(report)
    assert {code: (u["league"], u["rank"]) for code, u in units.items()} == {
        "S1": ("department", 1),
        "S2": ("department", 3),
        "S3": ("department", 2),
        "TT": ("service_centre", 1),
        "X1": ("commune", 1),
    }
    assert set(report["leagues"]) == {"department", "service_centre", "commune"}
    dept = report["leagues"]["department"]
    assert (dept["units"], dept["ranked"], dept["top"][0]) == (3, 3, "S1")
    assert dept["median"]["sipas"] == pytest.approx(units["S3"]["sipas"]["value"])
    # The top-level lists describe the largest league, and say so.
    assert report["league"] == "department"
    assert report["median"] == dept["median"]
    assert report["top"] == dept["top"]
    assert report["leagues"]["service_centre"]["median"]["sipas"] == pytest.approx(
        units["TT"]["sipas"]["value"]
    )
    # The CSV gives each unit the median of its own league.
    csv_text = client.get(URL, params={"parent": "P", "format": "csv"}).text
    tt_row = next(
        r
        for r in csv.DictReader(io.StringIO(csv_text))
        if r["unit"] == "TT" and r["indicator"] == "sipas"
    )
    assert tt_row["median"] == repr(units["TT"]["sipas"]["value"])

    mixed = client.get(URL, params={"parent": "P", "mixed": "true"}).json()
    ranks = {u["unit"]: (u["league"], u["rank"]) for u in mixed["units"]}
    assert ranks["S1"] == ("mixed", 1)
    assert sorted(r for _, r in ranks.values()) == [1, 2, 3, 4, 5]
    assert list(mixed["leagues"]) == ["mixed"]


def test_the_minimum_sample_counts_valid_answers_and_names_the_item(
    client: TestClient, catalog: Catalog, province: None
) -> None:
    # Five responses at S1 but TC2 answered "not applicable" by three: 2 valid answers.
    for i in range(5):
        post(client, catalog, "k-S1", TC2=0 if i < 3 else 5)
        post(client, catalog, "k-S2")
        post(client, catalog, "k-S3")
    units = by_unit(client.get(URL, params={"level": "department"}).json())
    s1 = units["S1"]
    assert s1["n"] == 5
    assert s1["flags"] == ["small_sample"]
    assert s1["rank"] is None
    assert s1["flag_detail"]["small_sample"] == {"item": "TC2", "n": 2, "min_sample": 3}
    assert (units["S2"]["rank"], units["S3"]["rank"], units["S2"]["flags"]) == (1, 1, [])


def test_a_composite_missing_a_component_is_flagged_and_left_out(
    client: TestClient, catalog: Catalog, province: None
) -> None:
    # Nobody at S1 could rate TT3: its factor TT would silently be a mean of four criteria.
    for _ in range(3):
        post(client, catalog, "k-S1", TT3=0)
        post(client, catalog, "k-S2", TC1=2)
    report = client.get(URL, params={"level": "department"}).json()
    s1 = by_unit(report)["S1"]
    assert "incomplete" in s1["flags"]
    assert s1["rank"] is None
    assert s1["flag_detail"]["incomplete"] == {"missing": ["TT3"]}
    assert s1["factors"]["TT"]["value"] is not None  # the figure is shown, not ranked
    # S3 has no responses at all: every component is missing.
    assert set(by_unit(report)["S3"]["flag_detail"]["incomplete"]["missing"]) >= {"TC1", "TC"}
    assert report["median"]["sipas"] == pytest.approx(by_unit(report)["S2"]["sipas"]["value"])
    assert report["leagues"]["department"]["ranked"] == 1


def test_a_median_leaves_out_units_with_too_few_answers_for_that_indicator(
    client: TestClient, catalog: Catalog, province: None
) -> None:
    late = {"timeliness": "late", "late_apology": "no"}
    for i in range(3):
        # S1: two late cases, both told; S2: three, none told; S3: three, all told.
        if i < 2:
            post(client, catalog, "k-S1", **late, late_notified="yes")
        else:
            post(client, catalog, "k-S1")
        post(client, catalog, "k-S2", **late, late_notified="no")
        post(client, catalog, "k-S3", **late, late_notified="yes")
    report = client.get(URL, params={"level": "department"}).json()
    key = "late_notified.yes"
    s1 = by_unit(report)["S1"]["perception"][key]
    assert (s1["value"], s1["n"]) == (100.0, 2)
    # min(min_sample 3, MEDIAN_MIN_N 10) = 3 answers: S1's two late cases stay out.
    assert report["median"]["perception"][key] == pytest.approx(50.0)
    assert report["median_n"]["perception"][key] == 2
    assert report["median_n"]["sipas"] == 3
    assert "median_n" in report["methods"]["median"]


def test_a_province_figure_pooled_or_as_the_mean_of_its_units(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    # The service centre supplies half the responses and all of them dissatisfied.
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    for _ in range(6):
        post(client, catalog, "k-TT", **dict.fromkeys(q.criteria, 2))
    for _ in range(3):
        post(client, catalog, "k-S1")
        post(client, catalog, "k-S2")
    (pooled,) = client.get(URL).json()["units"]
    assert (pooled["aggregate"], pooled["sipas"]["value"], pooled["n"]) == ("pooled", 50.0, 12)
    report = client.get(URL, params={"aggregate": "mean_of_units"}).json()
    (mean,) = report["units"]
    # S3 and X1 have no responses (flagged): the mean is over TT, S1 and S2.
    assert (mean["aggregate"], mean["averaged_units"]) == ("mean_of_units", 3)
    assert mean["sipas"]["value"] == pytest.approx(200 / 3)
    low, high = mean["sipas"]["ci"]
    assert low < 200 / 3 < high
    assert mean["sipas"]["n"] == 12
    assert report["aggregate"] == "mean_of_units"
    assert "mean_of_units" in report["methods"]["aggregate"]
    # Leaves keep their own figures under either rule.
    leaves = by_unit(client.get(URL, params={"parent": "P", "aggregate": "mean_of_units"}).json())
    assert leaves["S1"]["aggregate"] == "pooled"

    # The campaign chooses the default.
    from app.campaigns.service import get_campaign

    get_campaign(session, "C-RANK").aggregate = "mean_of_units"
    session.flush()
    assert client.get(URL).json()["units"][0]["sipas"]["value"] == pytest.approx(200 / 3)
