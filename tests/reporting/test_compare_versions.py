"""`compare=` between a 2023-method campaign (sipas-2023) and a 2017-method one
(sipas-2017) over the same communes: through questionnaires/mappings/, every
indicator with a counterpart carries its change in points (and places), the others
are listed as not comparable with the mapping's reason, and without a mapping the
comparison is refused naming both questionnaires."""

import csv
import io
import shutil
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignStatus
from app.core.errors import Invalid
from app.core.messages import text
from app.questionnaires.catalog import Catalog, QuestionnaireError
from app.reporting import indices
from tests.access.test_dash_language import visible
from tests.answers import valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

pytestmark = pytest.mark.usefixtures("reader")

URL = "/api/v1/campaigns/H-2026/indices"
ASK = {"level": "commune", "compare": "C-2017"}
SERVICE = [f"S{i}" for i in range(24, 40)]
POLICY = [f"P{i:02d}" for i in range(1, 24)]
CRITERIA_TC = ["TC1", "TC2", "TC3", "TC4"]
MAPPING = Path("questionnaires/mappings/sipas-2017-v1__sipas-2023-v1.yaml")


def _send(client: TestClient, slug: str, counter: str, answers: list[dict[str, Any]]) -> None:
    now = datetime.now(UTC)
    items = [
        {
            "id": str(uuid.uuid4()),
            "questionnaire": slug,
            "version": 1,
            "counter": counter,
            "channel": "interview" if slug == "sipas-2023" else "kiosk",
            "started_at": (now - timedelta(minutes=10)).isoformat(),
            "submitted_at": now.isoformat(),
            "answers": a,
        }
        for a in answers
    ]
    r = client.post("/api/v1/submissions/batch", json={"submissions": items})
    assert r.status_code == 200, r.text[:400]
    assert [x["status"] for x in r.json()["results"]] == [201] * len(items), r.text[:400]


def _resident(policy: int, service: dict[str, int]) -> dict[str, Any]:
    return {
        "adult": "yes",
        **dict.fromkeys(POLICY, policy),
        **{c: service.get(c, service["*"]) for c in SERVICE},
    }


@pytest.fixture
def campaigns(client: TestClient, session: Session, catalog: Catalog) -> None:
    """Communes A and B of P. 2017 (C-2017, closed): in A one respondent satisfied with
    everything and one who rates access (TC) 2 and the rest 4: TC 50, the other
    factors 100, SIPAS 90; in B two satisfied with everything: SIPAS 100. 2023 (H-2026):
    in A two residents dissatisfied with every policy (2); one satisfied with every
    service (4), one who rates the signs (S24) 1 and every other service 5: S24 50, the
    rest 100; in B two who rate every service 2: service 0."""
    p = make_unit(session, "P")
    for code in ("A", "B"):
        make_counter(session, f"k-{code}", make_unit(session, code, "commune", p))
    make_campaign(session, catalog, "C-2017", [p], min_sample=2)
    low_access = valid_answers(catalog, 4, **dict.fromkeys(CRITERIA_TC, 2))
    _send(client, "sipas-2017", "k-A", [valid_answers(catalog, 5), low_access])
    _send(client, "sipas-2017", "k-B", [valid_answers(catalog, 5), valid_answers(catalog, 4)])
    old = session.scalars(select(Campaign).where(Campaign.code == "C-2017")).one()
    old.status = CampaignStatus.closed
    make_campaign(session, catalog, "H-2026", [p], min_sample=2, questionnaire="sipas-2023")
    _send(client, "sipas-2023", "k-A", [_resident(2, {"*": 4}), _resident(2, {"S24": 1, "*": 5})])
    _send(client, "sipas-2023", "k-B", [_resident(2, {"*": 2}), _resident(2, {"*": 2})])


def _units(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    r = client.get(url, params=params)
    assert r.status_code == 200, r.text[:400]
    return {u["unit"]: u for u in r.json()["units"]}


def test_a_mapped_group_changes_by_the_difference_of_the_two_figures(
    client: TestClient, campaigns: None
) -> None:
    now = _units(client, URL, **ASK)
    then = _units(client, "/api/v1/campaigns/C-2017/indices", level="commune")
    a, b = now["A"]["changes"]["indicators"], now["B"]["changes"]["indicators"]
    # The figures themselves, as the two reports publish them.
    assert now["A"]["factors"]["II_A"]["value"] == pytest.approx(250 / 3)
    assert then["A"]["factors"]["TC"]["value"] == pytest.approx(50)
    assert now["A"]["factors"]["service"]["value"] == pytest.approx((50 + 15 * 100) / 16)
    assert then["A"]["sipas"]["value"] == pytest.approx(90)
    # Access (II.A ↔ TC), the service aspect (↔ the 2017 SIPAS), an item (S25 ↔ TC1):
    # each change is this year's figure less its counterpart's.
    for unit, ch in (("A", a), ("B", b)):
        for key, theirs in (
            ("factors.II_A", ("factors", "TC")),
            ("factors.service", ("sipas", None)),
            ("items.S25", ("items", "TC1")),
            ("factors.II_E", ("factors", "GY")),
        ):
            block, code = key.split(".")
            mine = now[unit][block][code]["value"]
            before = (
                then[unit][theirs[0]] if theirs[1] is None else then[unit][theirs[0]][theirs[1]]
            )
            assert ch[key]["points"] == pytest.approx(mine - before["value"]), (unit, key)
            assert ch[key]["previous"] == pytest.approx(before["value"])
    assert a["factors.II_A"]["points"] == pytest.approx(250 / 3 - 50)
    assert b["factors.service"]["points"] == pytest.approx(-100)
    assert a["factors.service"]["counterpart"] == "sipas"
    assert a["factors.service"]["match"] == "approximate"
    assert a["items.S30"] == {**a["items.S30"], "counterpart": "items.TT5", "match": "exact"}
    # Ranks on the service aspect: A was second on the 2017 SIPAS, is first now.
    assert a["factors.service"]["rank"] == 1
    assert b["factors.service"]["rank"] == -1


def test_what_has_no_counterpart_says_so_and_why(client: TestClient, campaigns: None) -> None:
    r = client.get(URL, params=ASK)
    body = r.json()
    a = {u["unit"]: u for u in body["units"]}["A"]
    # The 2023 SIPAS includes public policy: not the 2017 construct, no change.
    assert "change" not in a
    for key in ("sipas", "factors.policy", "factors.I_A", "items.P01", "items.S24"):
        assert key not in a["changes"]["indicators"]
    block = body["comparison"]
    assert (block["questionnaire"], block["version"]) == ("sipas-2017", 1)
    assert block["mapping"] == MAPPING.name
    reasons = {k: x["note"] for x in block["not_comparable"] for k in x["indicators"]}
    assert "chính sách công" in reasons["sipas"]["vi"]
    assert "not the same construct" in reasons["sipas"]["en"]
    assert "did not measure satisfaction with public policy" in reasons["items.P01"]["en"]
    assert "perception" in reasons
    assert "expectations" in reasons
    comparable = {x["indicator"] for x in block["comparable"]}
    assert comparable.isdisjoint(reasons)
    assert {"factors.service", "factors.II_A", "items.S25"} <= comparable
    assert "different populations" in block["note"]["en"]
    assert "C-2017" in block["statement"]["vi"]
    assert "sipas-2017 v1" in block["statement"]["en"]


def test_the_long_csv_carries_each_change_and_its_counterpart(
    client: TestClient, campaigns: None
) -> None:
    r = client.get(URL, params={**ASK, "format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.content.decode())))
    by = {(x["unit"], x["indicator"]): x for x in rows}
    access = by[("A", "factors.II_A")]
    assert access["counterpart"] == "factors.TC"
    assert access["match"] == "approximate"
    assert float(access["change_points"]) == pytest.approx(250 / 3 - 50)
    service = by[("B", "factors.service")]
    assert (float(service["change_points"]), service["change_rank"]) == (-100.0, "-1")
    assert by[("A", "sipas")]["change_points"] == ""
    assert by[("A", "sipas")]["match"] == "none"


def test_the_2017_report_compares_back_with_the_2023_one(
    client: TestClient, campaigns: None, session: Session
) -> None:
    # The mapping reads both ways: the 2017 SIPAS has a counterpart (the service aspect).
    units = _units(client, "/api/v1/campaigns/C-2017/indices", level="commune", compare="H-2026")
    a = units["A"]
    assert a["change"]["points"] == pytest.approx(90 - (50 + 15 * 100) / 16)
    assert a["changes"]["indicators"]["factors.TC"]["counterpart"] == "factors.II_A"
    assert "items.TC3" not in a["changes"]["indicators"]


def _without_mapping(tmp_path: Path) -> Catalog:
    for slug in ("sipas-2017", "sipas-2023"):
        shutil.copytree(Path("questionnaires") / slug, tmp_path / slug)
    return Catalog.load(tmp_path)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_without_a_mapping_the_comparison_is_refused(
    session: Session, campaigns: None, tmp_path: Path, lang: str
) -> None:
    with pytest.raises(Invalid) as caught:
        indices.report(session, _without_mapping(tmp_path), "H-2026", **ASK)  # type: ignore[arg-type]
    err = caught.value
    assert err.status_code == 422
    said = text(err.key or "", lang, **err.params)
    for named in ("sipas-2023 v1", "sipas-2017 v1", "C-2017"):
        assert named in said
    assert err.fields[0].loc == "compare"


def test_same_questionnaire_compares_as_before(client: TestClient, campaigns: None) -> None:
    units = _units(client, "/api/v1/campaigns/H-2026/indices", level="commune", compare="H-2026")
    assert "changes" not in units["A"]
    assert units["A"]["change"]["points"] == 0


def _broken(tmp_path: Path, old: str, new: str) -> str:
    for slug in ("sipas-2017", "sipas-2023"):
        shutil.copytree(Path("questionnaires") / slug, tmp_path / slug)
    (tmp_path / "mappings").mkdir()
    changed = MAPPING.read_text(encoding="utf-8").replace(old, new, 1)
    assert changed != MAPPING.read_text(encoding="utf-8")
    (tmp_path / "mappings" / MAPPING.name).write_text(changed, encoding="utf-8")
    with pytest.raises(QuestionnaireError) as caught:
        Catalog.load(tmp_path)
    return str(caught.value)


def test_a_mapping_naming_an_unknown_code_is_refused_where_it_is(tmp_path: Path) -> None:
    said = _broken(tmp_path, "to: S25", "to: S99")
    assert MAPPING.name in said
    assert "pairs[2].to: 'S99' is not an indicator of sipas-2023 v1" in said
    assert "S25 of sipas-2023 v1 neither in a pair nor listed" in said


def test_a_code_mapped_twice_is_refused_where_it_is(tmp_path: Path) -> None:
    said = _broken(tmp_path, "from: TC2", "from: TC1")
    assert "pairs[3].from: 'TC1' is mapped twice (already at pairs[2].from)" in said


def test_a_note_in_one_language_only_is_refused(tmp_path: Path) -> None:
    said = _broken(tmp_path, 'en: "The same question: fees as prescribed."', "xx: y")
    assert "pairs[7].note: missing or empty text in en" in said
    assert "pairs[7].note: language xx is not vi or en" in said


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_table_shows_the_service_aspect_change_and_names_it(
    client: TestClient, campaigns: None, lang: str
) -> None:
    r = client.get(URL, params={**ASK, "format": "csv", "shape": "wide", "lang": lang})
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    service = "Cung ứng dịch vụ hành chính công" if lang == "vi" else "Delivery of public"
    points = next(
        i for i, h in enumerate(table[0]) if h.startswith(("Thay đổi (điểm", "Change (p"))
    )
    assert service in table[0][points]
    by_code = {row[2]: row for row in table[1:]}
    assert by_code["B"][points] == "-100.00"
    assert by_code["A"][points + 1] == "1"
    r = client.get(URL, params={**ASK, "format": "xlsx", "lang": lang})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    cells = [list(row) for row in ws.iter_rows(values_only=True)]
    header = next(row for row in cells if row[1] and str(row[1]).startswith(("Mã", "Unit code")))
    at = next(
        i for i, h in enumerate(header) if h and str(h).startswith(("Thay đổi (điểm", "Change (p"))
    )
    assert service in header[at]
    rows = {row[1]: row for row in cells}
    assert rows["B"][at] == pytest.approx(-100)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_results_page_offers_the_2017_campaign_and_says_what_is_not_comparable(
    client: TestClient, campaigns: None, session: Session, lang: str
) -> None:
    make_account(session, "lan@sonv", "admin")
    sign_in(client, "lan@sonv")
    page = client.get(
        "/dash/campaigns/H-2026/results", params={**ASK, "lang": lang, "sort": "unit"}
    )
    assert page.status_code == 200, page.text[:400]
    html = page.text
    assert '<option value="C-2017" selected>' in html
    row_b = html.split('/units/B"', 1)[1].split("</tr>", 1)[0]
    minus = "-100,00" if lang == "vi" else "-100.00"
    assert minus in row_b
    shown = visible(html)
    assert ("Không so sánh được" if lang == "vi" else "Not comparable") in shown
    policy = (
        "Phương pháp 2017 không khảo sát sự hài lòng về chính sách công."
        if lang == "vi"
        else "The 2017 method did not measure satisfaction with public policy."
    )
    assert policy in shown


def test_an_uploaded_questionnaire_leaves_the_mappings_in_the_catalog(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    from app.questionnaires.catalog import get_catalog
    from tests.questionnaires.test_xlsform import XLSX_MEDIA, _admin, _workbook

    csrf = _admin(client, session)
    r = client.post(
        "/api/v1/questionnaires?name=ward.xlsx",
        content=_workbook(catalog, "ward-offices"),
        headers={"Content-Type": XLSX_MEDIA, "X-CSRF-Token": csrf},
    )
    assert r.status_code == 201, r.text
    merged = get_catalog()
    assert merged.get("ward-offices-copy", 1) is not None
    now, then = merged.get("sipas-2023", 1), merged.get("sipas-2017", 1)
    assert now is not None
    assert then is not None
    assert merged.comparison(now, then) is not None
