"""A province's figure weighted by its units' dossiers (aggregate=weighted): computed by
hand end to end, refused without dossier counts, chosen by the campaign, frozen by an
edition and labelled on the dashboard and in the documents."""

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from analysis.intervals import Z95
from app.campaigns import service as campaigns
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit, publish
from tests.signin import sign_in

pytestmark = pytest.mark.usefixtures("reader")

URL = "/api/v1/campaigns/C-W/indices"


def post(client: TestClient, catalog: Catalog, counter: str, level: int) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    answers = valid_answers(catalog, level=5, **dict.fromkeys(q.criteria, level))
    r = client.post("/api/v1/submissions", json=body(catalog, counter=counter, answers=answers))
    assert r.status_code == 201, r.text


@pytest.fixture
def province(client: TestClient, session: Session, catalog: Catalog) -> None:
    """Province P surveys its service centre TT and departments S1, S2 (its scope):
    TT takes 16 of the 25 responses (64 %) but handles 200 of the 1,000 dossiers
    (20 %). Satisfied (every criterion 5) or not (every criterion 2): TT 8 of 16
    (50 %), S1 4 of 5 (80 %), S2 3 of 4 (75 %)."""
    p = make_unit(session, "P", name="Tỉnh P")
    scope = [
        make_unit(session, code, kind, p)
        for code, kind in (("TT", "service_centre"), ("S1", "department"), ("S2", "department"))
    ]
    for u in scope:
        make_counter(session, f"k-{u.code}", u)
    c = make_campaign(session, catalog, "C-W", scope, min_sample=3)
    campaigns.targets_from_transactions(
        session, c, b"unit,transactions\nTT,200\nS1,400\nS2,400\n", 0.05
    )
    for counter, satisfied, n in (("k-TT", 8, 16), ("k-S1", 4, 5), ("k-S2", 3, 4)):
        for i in range(n):
            post(client, catalog, counter, 5 if i < satisfied else 2)


# By hand: W = 0.2, 0.4, 0.4; ȳ_w = 0.2·50 + 0.4·80 + 0.4·75 = 72 (pooled: 15/25 = 60).
# Every criterion is answered alike by each respondent, so each unit's variance (of a
# criterion, a factor or the SIPAS) is p(1 − p)/(n − 1) in percent².
V = [1e4 * 0.25 / 15, 1e4 * 0.16 / 4, 1e4 * 0.1875 / 3]
VAR = 0.04 * V[0] + 0.16 * V[1] + 0.16 * V[2]
POOLED_VAR = 1e4 * 0.24 / 24


def without_dossiers(session: Session, code: str) -> None:
    """Clear one scope unit's dossier count, as if it was never imported."""
    from app.campaigns.models import CampaignUnit

    c = campaigns.get_campaign(session, "C-W")
    unit = next(s.unit for s in campaigns.scope(session, c) if s.unit.code == code)
    cu = session.get(CampaignUnit, (c.id, unit.id))
    assert cu is not None
    cu.transactions = None
    session.flush()


def check_weighted(fig: dict[str, Any]) -> None:
    assert fig["value"] == pytest.approx(72.0)
    se = math.sqrt(VAR)
    assert fig["ci"] == pytest.approx([72 - Z95 * se, 72 + Z95 * se])
    assert fig["n"] == 25
    assert fig["deff"] == pytest.approx(VAR / POOLED_VAR)
    assert fig["n_effective"] == pytest.approx(25 / (VAR / POOLED_VAR))


def test_a_province_weighted_by_dossiers_gets_the_value_computed_by_hand(
    client: TestClient, catalog: Catalog, province: None
) -> None:
    pooled = client.get(URL).json()
    assert pooled["aggregate"] == "pooled"
    assert pooled["overall"]["sipas"]["value"] == pytest.approx(60.0)
    assert "weighting" not in pooled["overall"]

    report = client.get(URL, params={"aggregate": "weighted"}).json()
    assert report["aggregate"] == "weighted"
    overall = report["overall"]
    assert overall["aggregate"] == "weighted"
    check_weighted(overall["sipas"])
    check_weighted(overall["factors"]["TC"])
    check_weighted(overall["items"]["TC1"])
    # A rate every respondent gives alike stays 100 with its pooled (Wilson) interval
    # rather than a zero-width one.
    female = overall["respondents"]["gender.female"]
    assert female["value"] == pytest.approx(100.0)
    assert female["ci"] == pooled["overall"]["respondents"]["gender.female"]["ci"]
    assert female["ci"][0] < 100.0
    w = overall["weighting"]
    assert w["by"] == "transactions"
    assert [(s["unit"], s["transactions"], s["n"]) for s in w["strata"]] == [
        ("S1", 400, 5),
        ("S2", 400, 4),
        ("TT", 200, 16),
    ]
    assert [s["weight"] for s in w["strata"]] == pytest.approx([0.4, 0.4, 0.2])
    assert (w["weighted_units"], w["left_out"]) == (3, [])
    assert w["deff"] == pytest.approx(VAR / POOLED_VAR)
    # The units themselves are not reweighted: their own figures and ranks stand.
    units = {u["unit"]: u for u in report["units"]}
    assert units["TT"]["sipas"]["value"] == pytest.approx(50.0)
    assert units["S1"]["aggregate"] == "pooled"
    assert "weighted" in report["methods"]["aggregate"]
    assert "deff" in report["methods"]["aggregate"]


def test_a_unit_without_a_dossier_count_is_named_and_nothing_is_weighted(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    without_dossiers(session, "S2")
    r = client.get(URL, params={"aggregate": "weighted"})
    assert r.status_code == 422
    err = r.json()
    assert "no dossier count" in err["detail"]
    assert [f["loc"] for f in err["fields"]] == ["transactions.S2"]
    assert "'S2' has no dossier count" in err["fields"][0]["msg"]
    assert client.get(URL).status_code == 200  # pooled still works


def test_a_unit_without_answers_is_left_out_and_said_so(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    p = make_unit(session, "Q")
    scope = [make_unit(session, code, "department", p) for code in ("A1", "A2", "A3")]
    for u in scope:
        make_counter(session, f"k-{u.code}", u)
    c = make_campaign(session, catalog, "C-W2", scope, min_sample=1)
    campaigns.targets_from_transactions(
        session, c, b"unit,transactions\nA1,100\nA2,300\nA3,600\n", 0.05
    )
    for i in range(4):
        post(client, catalog, "k-A1", 5 if i < 3 else 2)  # 75 %
        post(client, catalog, "k-A2", 5 if i < 1 else 2)  # 25 %
    overall = client.get("/api/v1/campaigns/C-W2/indices", params={"aggregate": "weighted"}).json()[
        "overall"
    ]
    # A3 (60 % of the dossiers) has no answers: A1 and A2 weigh 1 : 3.
    assert overall["sipas"]["value"] == pytest.approx(0.25 * 75 + 0.75 * 25)
    assert overall["weighting"]["left_out"] == ["A3"]
    assert overall["weighting"]["weighted_units"] == 2


def test_the_campaign_chooses_weighted_and_an_edition_freezes_it(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    c = campaigns.get_campaign(session, "C-W")
    c.aggregate = "weighted"
    session.flush()
    live = client.get(URL).json()
    assert live["aggregate"] == "weighted"
    assert live["overall"]["sipas"]["value"] == pytest.approx(72.0)
    publish(session, catalog, "C-W", interim=True)
    post(client, catalog, "k-S2", 2)  # after publication: the edition does not move
    assert client.get(URL).json()["overall"]["sipas"]["value"] < 72.0
    frozen = client.get(URL, params={"edition": 1}).json()
    assert frozen["overall"]["aggregate"] == "weighted"
    assert frozen["overall"]["sipas"]["value"] == pytest.approx(72.0)
    assert frozen["overall"]["weighting"]["deff"] == pytest.approx(VAR / POOLED_VAR)


def test_methods_come_in_vietnamese_with_lang_vi(
    client: TestClient, catalog: Catalog, province: None
) -> None:
    en = client.get(URL, params={"aggregate": "weighted"}).json()
    vi = client.get(URL, params={"aggregate": "weighted", "lang": "vi"}).json()
    assert vi["methods"] == en["methods_vi"]
    assert vi["methods"].keys() == en["methods"].keys()
    assert "hồ sơ" in vi["methods"]["aggregate"]
    assert "dossier" in en["methods"]["aggregate"]
    assert vi["overall"] == en["overall"]  # only the words change
    edition_less = client.get(URL, params={"lang": "en"}).json()
    assert edition_less["methods"] == en["methods"]


def test_the_dashboard_sets_weighted_and_labels_the_figure(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    make_account(session, "admin@p", "admin")
    csrf = sign_in(client, "admin@p")
    page = client.get("/dash/campaigns/C-W/settings")
    assert "Gia quyền theo số hồ sơ" in page.text
    assert 'name="aggregate" value="pooled" checked' in page.text
    c = campaigns.get_campaign(session, "C-W")
    form = {
        "csrf": csrf,
        "name": c.name,
        "starts_on": c.starts_on.isoformat(),
        "ends_on": c.ends_on.isoformat(),
        "questionnaire": "sipas-2017/1",
        "min_sample": "3",
        "quota_policy": "accept",
        "aggregate": "weighted",
        "units": "TT S1 S2",
    }
    ok = client.post("/dash/campaigns/C-W/settings", data=form, follow_redirects=False)
    assert ok.status_code == 303, ok.text
    session.refresh(c)
    assert c.aggregate == "weighted"
    assert (
        'name="aggregate" value="weighted" checked'
        in client.get("/dash/campaigns/C-W/settings").text
    )
    results = client.get("/dash/campaigns/C-W/results").text
    assert "Số liệu chung của đợt" in results
    assert "gia quyền theo số hồ sơ" in results
    assert "72,0" in results
    english = client.get("/dash/campaigns/C-W/results", params={"lang": "en"}).text
    assert "weighted by dossiers" in english
    # A form that leaves the choice out (an older page) keeps pooled, as before.
    form.pop("aggregate")
    client.post("/dash/campaigns/C-W/settings", data=form, follow_redirects=False)
    session.refresh(c)
    assert c.aggregate == "pooled"


def test_the_workbook_and_the_printed_report_say_it(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    from app.reporting import printed

    c = campaigns.get_campaign(session, "C-W")
    c.aggregate = "weighted"
    session.flush()
    report = client.get(URL).json()
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    for lang, words in (
        ("vi", "Gia quyền theo số hồ sơ của các đơn vị (hiệu ứng thiết kế 1,71"),
        ("en", "Weighted by the dossiers of the units (design effect 1.71"),
    ):
        text = printed.html(report, report["overall"], c, q, lang)
        assert words in text
    # The workbook's method sheet prints the rules in the workbook's language.
    import io

    from openpyxl import load_workbook

    from app.reporting import workbook
    from app.reporting.methods_text import METHODS, METHODS_VI

    for lang, texts in (("vi", METHODS_VI), ("en", METHODS)):
        wb = load_workbook(io.BytesIO(workbook.workbook(report, q, lang, as_of=None)))
        cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row}
        assert texts["aggregate"] in cells


def test_a_comparison_with_a_campaign_without_dossier_counts_still_compares_units(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    from app.campaigns.models import CampaignStatus

    c = campaigns.get_campaign(session, "C-W")
    make_campaign(
        session,
        catalog,
        "C-W0",
        [s.unit for s in campaigns.scope(session, c)],
        CampaignStatus.closed,
    )
    r = client.get(URL, params={"aggregate": "weighted", "compare": "C-W0"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["overall"]["sipas"]["value"] == pytest.approx(72.0)
    assert "change" not in report["overall"]  # a weighted figure against a pooled one: no
    assert all(u["change"]["campaign"] == "C-W0" for u in report["units"])


def test_the_workbook_ranking_sheet_opens_with_the_campaign_figure(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    import io

    from openpyxl import load_workbook

    for params, how in (({"aggregate": "weighted"}, "weighted"), ({}, "pooled")):
        report = client.get(URL, params=params).json()
        xlsx = client.get(URL, params={**params, "format": "xlsx", "lang": "en"})
        assert xlsx.status_code == 200, xlsx.text
        rows = [list(r) for r in load_workbook(io.BytesIO(xlsx.content))["Ranking"].values]
        assert rows[0][0] == "Whole campaign"
        header, line = rows[1], rows[2]
        o = report["overall"]
        assert (line[1], line[4]) == ("C-W", o["n"])
        assert line[header.index("SIPAS")] == pytest.approx(o["sipas"]["value"])
        low = header.index("Lower bound (95%)")
        assert line[low : low + 2] == pytest.approx(o["sipas"]["ci"])
        assert line[header.index("How aggregated")] == (
            "weighted by each unit's share of the dossiers"
            if how == "weighted"
            else "every response under the unit, pooled"
        )
        if how == "weighted":
            assert line[header.index("Design effect (deff)")] == pytest.approx(
                o["weighting"]["deff"]
            )
            assert line[header.index("Effective sample size")] == pytest.approx(
                o["weighting"]["n_effective"]
            )
            assert o["sipas"]["value"] == pytest.approx(72.0)
        else:
            assert "Design effect (deff)" not in header
            assert o["sipas"]["value"] == pytest.approx(60.0)


def test_the_results_page_chooses_the_aggregation_at_the_published_precision(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    import re
    from html import unescape

    make_account(session, "admin@p", "admin")
    sign_in(client, "admin@p")
    page = "/dash/campaigns/C-W/results"
    first = client.get(page)
    assert first.status_code == 200
    assert '<select name="aggregate">' in first.text
    assert "Theo cài đặt của đợt (Gộp mọi phiếu" in unescape(first.text)
    r = client.get(page, params={"aggregate": "weighted"})
    assert r.status_code == 200, r.text
    text = unescape(r.text)
    assert '<option value="weighted" selected>' in text
    report = client.get(URL, params={"aggregate": "weighted"}).json()
    overall = re.search(r'<p class="overall" id="overall">(.*?)</p>', text, re.S)
    assert overall is not None
    assert "SIPAS <strong>72,00</strong>" in overall.group(1)

    def vi(x: float) -> str:
        return f"{x:.2f}".replace(".", ",")

    # Every unit's SIPAS and interval at the digits its rank is decided at.
    for u in report["units"]:
        row = re.search(rf"/units/{u['unit']}\">{u['unit']}</a>.*?</tr>", text, re.S)
        assert row is not None, u["unit"]
        low, high = u["sipas"]["ci"]
        assert f"{vi(u['sipas']['value'])}<small> [{vi(low)}–{vi(high)}]" in row.group(0)
    # The documents of what the page shows are weighted too.
    assert f"{URL}?aggregate=weighted&format=xlsx" in text
    # One unit's page: its bars' numbers at the same precision.
    tt = next(u for u in report["units"] if u["unit"] == "TT")
    unit_page = unescape(client.get("/dash/campaigns/C-W/units/TT").text)
    f1 = next(iter(tt["factors"].values()))
    assert f"{vi(f1['ci'][0])}–{vi(f1['ci'][1])}" in unit_page


def test_the_results_page_names_the_unit_that_weighting_lacks(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    import re
    from html import unescape

    make_account(session, "admin@p", "admin")
    sign_in(client, "admin@p")
    page = "/dash/campaigns/C-W/results"
    without_dossiers(session, "S2")
    refused = client.get(page, params={"aggregate": "weighted"})
    assert refused.status_code == 422
    problems = re.search(r'<div class="problems" role="alert">(.*?)</div>', refused.text, re.S)
    assert problems is not None
    assert "đơn vị 'S2' chưa có số hồ sơ" in unescape(problems.group(1))
    assert client.get(page, params={"aggregate": "pooled"}).status_code == 200
    assert client.get(page, params={"aggregate": "heaviest"}).status_code == 422


def test_new_dossier_counts_show_in_the_next_weighted_report(
    client: TestClient, session: Session, catalog: Catalog, province: None
) -> None:
    """The weighted figure rests on the dossier counts: a stored report built before
    new counts were imported is not served again."""
    assert client.get(URL, params={"aggregate": "weighted"}).json()["overall"]["sipas"][
        "value"
    ] == pytest.approx(72.0)
    c = campaigns.get_campaign(session, "C-W")
    # Now TT handles half the dossiers: 0.5·50 + 0.25·80 + 0.25·75 = 63.75.
    campaigns.targets_from_transactions(
        session, c, b"unit,transactions\nTT,500\nS1,250\nS2,250\n", 0.05
    )
    session.flush()
    again = client.get(URL, params={"aggregate": "weighted"}).json()["overall"]
    assert again["sipas"]["value"] == pytest.approx(63.75)
    assert [s["weight"] for s in again["weighting"]["strata"]] == pytest.approx([0.25, 0.25, 0.5])
