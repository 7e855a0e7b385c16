"""Reports of a questionnaire with a declared index tree (sipas-2023): item → group →
aspect → SIPAS, with the published item-weighted combination, the simple mean on
request, linearised intervals at every node, medians and ranks, perception and
expectation rates of its 4-level questions, the CSV and the workbook."""

import csv
import io
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pyreadstat
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.questionnaires.catalog import Catalog
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

pytestmark = pytest.mark.usefixtures("reader")

POLICY = [f"P{i:02d}" for i in range(1, 24)]
SERVICE = [f"S{i}" for i in range(24, 40)]


@pytest.fixture
def household(session: Session, catalog: Catalog) -> None:
    """Province P, communes A and B (a counter each), campaign H-2026 on sipas-2023."""
    p = make_unit(session, "P")
    for code in ("A", "B"):
        make_counter(session, f"k-{code}", make_unit(session, code, "commune", p))
    make_campaign(session, catalog, "H-2026", [p], min_sample=2, questionnaire="sipas-2023")


def send(client: TestClient, counter: str, answers: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    items = [
        {
            "id": str(uuid.uuid4()),
            "questionnaire": "sipas-2023",
            "version": 1,
            "counter": counter,
            "channel": "interview",
            "started_at": (now - timedelta(minutes=15)).isoformat(),
            "submitted_at": now.isoformat(),
            "answers": {"adult": "yes", **a},
        }
        for a in answers
    ]
    r = client.post("/api/v1/submissions/batch", json={"submissions": items})
    assert r.status_code == 200, r.text[:400]
    assert [x["status"] for x in r.json()["results"]] == [201] * len(items), r.text[:400]


def rated(policy: dict[str, int] | int, service: dict[str, int] | int | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for codes, given in ((POLICY, policy), (SERVICE, service)):
        if given is None:
            continue
        out.update(
            {c: given.get(c, given.get("*")) for c in codes}
            if isinstance(given, dict)
            else dict.fromkeys(codes, given)
        )
    return {k: v for k, v in out.items() if v is not None}


@pytest.fixture
def answered(client: TestClient, household: None) -> None:
    # A: three residents. One satisfied with everything; one who rates P01 2, the other
    # policies 4, the one-stop counter's signs (S24) 1 and knows nothing else of the
    # services (0); one neutral (3) on everything.
    send(
        client,
        "k-A",
        [
            {**rated(5, 4), "C1_economy": 4, "C10_attitude": 4, "C5": "none"},
            {**rated({"P01": 2, "*": 4}, {"S24": 1, "*": 0}), "C1_economy": 3, "C10_attitude": 4},
            {**rated(3, 3), "C1_economy": 1, "C5": "some"},
        ],
    )
    # B: two residents satisfied with everything.
    send(client, "k-B", [rated(4, 5), rated(5, 4)])


def get(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/api/v1/campaigns/H-2026/indices", params={"level": "commune", **params})
    assert r.status_code == 200, r.text[:400]
    body: dict[str, Any] = r.json()
    return body


def test_policy_service_and_sipas_as_the_ministry_combines_them(
    client: TestClient, answered: None
) -> None:
    rep = get(client)
    a = {u["unit"]: u for u in rep["units"]}["A"]
    items = a["items"]
    assert list(items) == POLICY + SERVICE  # all 39, in the form's order
    assert items["P01"]["value"] == pytest.approx(100 / 3)  # 1 of 3 satisfied
    assert items["P02"]["value"] == pytest.approx(200 / 3)
    assert items["S24"]["value"] == pytest.approx(100 / 3)
    # The 0s (don't know) are in no denominator.
    assert items["S25"] == {"value": 50.0, "ci": items["S25"]["ci"], "n": 2}
    groups = a["factors"]
    assert groups["I_A"]["value"] == pytest.approx(50.0)  # mean of P01, P02
    assert groups["I_D"]["value"] == pytest.approx(200 / 3)
    ii_a = (100 / 3 + 50 + 50) / 3
    assert groups["II_A"]["value"] == pytest.approx(ii_a)
    assert groups["II_E"]["value"] == pytest.approx(50.0)
    # Aspects and SIPAS: each child weighted by its number of items.
    policy = (2 * 50 + 21 * 200 / 3) / 23
    service = (3 * ii_a + 13 * 50) / 16
    assert groups["policy"]["value"] == pytest.approx(policy)
    assert groups["service"]["value"] == pytest.approx(service)
    assert a["sipas"]["value"] == pytest.approx((23 * policy + 16 * service) / 39)
    # Every node has its n (respondents who rated one of its items) and an interval.
    assert groups["policy"]["n"] == 3
    assert groups["service"]["n"] == 3
    assert a["sipas"]["n"] == 3
    for node in ("sipas", "policy", "service", "I_A", "II_A"):
        figure = a["sipas"] if node == "sipas" else groups[node]
        low, high = figure["ci"]
        assert low < figure["value"] < high, node
    # The tree is in the report, parents before children.
    tree = rep["tree"]
    assert tree["root"] == "sipas"
    nodes = {n["code"]: n for n in tree["nodes"]}
    assert nodes["sipas"]["children"] == ["policy", "service"]
    assert nodes["policy"]["items"] == 23
    assert nodes["II_E"]["parent"] == "service"
    assert rep["combine"] == "default"


def test_the_simple_mean_of_aspects_on_request(client: TestClient, answered: None) -> None:
    a = {u["unit"]: u for u in get(client, combine="mean")["units"]}["A"]
    policy = (50 + 3 * 200 / 3) / 4
    service = ((100 / 3 + 50 + 50) / 3 + 4 * 50) / 5
    assert a["factors"]["policy"]["value"] == pytest.approx(policy)
    assert a["factors"]["service"]["value"] == pytest.approx(service)
    assert a["sipas"]["value"] == pytest.approx((policy + service) / 2)
    # The groups are means of their items either way.
    assert a["factors"]["I_A"]["value"] == pytest.approx(50.0)


def test_a_combination_the_questionnaire_does_not_offer_is_refused(
    client: TestClient, answered: None, catalog: Catalog
) -> None:
    r = client.get(
        "/api/v1/campaigns/H-2026/indices",
        params={"combine": "median"},
        headers={"Accept-Language": "vi"},
    )
    assert r.status_code == 422
    assert "combine" in r.text


def test_ranks_medians_perception_and_expectations(client: TestClient, answered: None) -> None:
    rep = get(client)
    units = {u["unit"]: u for u in rep["units"]}
    assert units["B"]["rank"] == 1
    assert units["A"]["rank"] == 2
    assert rep["median"]["sipas"] == pytest.approx(
        (units["A"]["sipas"]["value"] + units["B"]["sipas"]["value"]) / 2
    )
    assert rep["median"]["factors"]["policy"] is not None
    perception = units["A"]["perception"]
    # A 4-level question: each level's share and the share at the top two levels.
    assert perception["C1_economy.1"]["value"] == pytest.approx(100 / 3)
    assert perception["C1_economy.2"]["value"] == 0.0
    assert perception["C1_economy.top2"]["value"] == pytest.approx(200 / 3)
    assert perception["C5.none"]["value"] == pytest.approx(50.0)
    assert units["A"]["expectations"]["C10_attitude.top2"] == {
        "value": 100.0,
        "ci": units["A"]["expectations"]["C10_attitude.top2"]["ci"],
        "n": 2,
    }
    # Reliability of each group of items (complete cases only).
    assert "I_C" in rep["reliability"]
    assert "policy" not in rep["reliability"]


def test_the_csv_and_the_workbook_carry_every_node(client: TestClient, answered: None) -> None:
    r = client.get("/api/v1/campaigns/H-2026/indices", params={"level": "commune", "format": "csv"})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    a = {row["indicator"]: row for row in rows if row["unit"] == "A"}
    for name in ("sipas", "factors.policy", "factors.service", "factors.I_A", "items.S39"):
        assert name in a, name
    assert float(a["factors.I_A"]["value"]) == pytest.approx(50.0)
    r = client.get(
        "/api/v1/campaigns/H-2026/indices",
        params={"level": "commune", "format": "xlsx", "lang": "en"},
    )
    assert r.status_code == 200, r.text[:300]
    book = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    text = " ".join(
        str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row
    )
    assert "Making and implementing public policy" in text
    assert "Delivery of public administrative services" in text


def test_microdata_labels_each_rating_on_its_own_scale(
    client: TestClient, answered: None, session: Session, tmp_path: Path
) -> None:
    make_account(session, "admin", "admin")
    sign_in(client, "admin")
    r = client.get("/api/v1/campaigns/H-2026/microdata", params={"format": "sav"})
    assert r.status_code == 200, r.text[:300]
    path = tmp_path / "h.sav"
    path.write_bytes(r.content)
    df, meta = pyreadstat.read_sav(str(path), user_missing=True)
    assert len(df) == 5
    labels = meta.variable_value_labels
    assert labels["C1_economy"][4] == "Rất quan tâm theo dõi"  # the 4-level interest scale
    assert 5 not in labels["C1_economy"]
    assert labels["P01"][5] == "Rất hài lòng"
    assert meta.missing_ranges["S25"] == [{"lo": 0.0, "hi": 0.0}]  # don't know
    assert "C1_economy" not in meta.missing_ranges  # that scale has no such code


def test_a_filtered_report_counts_the_tree_as_the_fold_does(
    client: TestClient, answered: None
) -> None:
    # Every response came through an interviewer: the filtered report (counted from the
    # columnar copy of the answers) must give every figure of the folded one.
    whole = get(client)
    only = get(client, channel="interview")
    assert only["filters"] == {"channel": "interview"}
    for mine, theirs in zip(only["units"], whole["units"], strict=True):
        for block in ("sipas", "factors", "items", "perception", "expectations"):
            assert mine[block] == theirs[block], (mine["unit"], block)
    assert only["reliability"] == whole["reliability"]
    assert get(client, channel="kiosk")["units"][0]["sipas"]["value"] is None
