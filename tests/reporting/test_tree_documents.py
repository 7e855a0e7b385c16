"""What the coordinator and a journalist read of a household campaign on sipas-2023
(the demo's DEMO-H2026): every document shows aspects with their groups under them,
says how the tree combines (item-weighted SIPAS of two aspects, groups as means of
their items, "don't know" left out) in Vietnamese and English, and labels the 4-level
questions with their own levels. sipas-2017's documents keep their factor wording."""

import io
import re
from pathlib import Path

import openpyxl
import pypdf
import pyreadstat
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.campaigns.service import get_campaign
from app.demo import CAMPAIGN, HOUSEHOLD, build_household, build_tree, demo_admin, load_submissions
from app.questionnaires.catalog import Catalog
from app.reporting import editions
from tests.access.test_dash_language import visible
from tests.factories import make_account
from tests.signin import sign_in

API = f"/api/v1/campaigns/{HOUSEHOLD}"


@pytest.fixture
def household(client: TestClient, session: Session, catalog: Catalog) -> None:
    """The demo's units, its 2017 campaign with a few responses, and its household
    campaign with 700 interviews; signed in as an admin."""
    campaign, pairs = build_tree(session, catalog)
    home, homes = build_household(session, catalog, pairs)
    load_submissions(session, catalog, home, homes, 700, 5)
    load_submissions(session, catalog, campaign, pairs, 200, 5)
    make_account(session, "tree-admin", "admin")
    sign_in(client, "tree-admin")


def pdf_text(client: TestClient, lang: str) -> str:
    r = client.get(f"{API}/indices", params={"format": "pdf", "lang": lang})
    assert r.status_code == 200, r.text[:300]
    pages = pypdf.PdfReader(io.BytesIO(r.content)).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


@pytest.mark.usefixtures("household")
def test_the_printed_report_describes_the_tree_and_shows_aspects_over_groups(
    client: TestClient,
) -> None:
    vi = pdf_text(client, "vi")
    assert "Chỉ số của mỗi nhóm tiêu chí là trung bình cộng các tiêu chí của nhóm." in vi
    assert "trọng số theo số tiêu chí của từng phần (23, 16)" in vi
    assert "trung bình cộng 39 tiêu chí" in vi
    assert "“Không biết / không trả lời” (0) không được tính" in vi
    assert "năm yếu tố" not in vi
    assert "Các yếu tố" not in vi
    assert "Lĩnh vực và nhóm tiêu chí" in vi
    assert "Lĩnh vực policy: Xây dựng, tổ chức thực hiện chính sách công" in vi
    # The league table keeps its last group's column on the page, and its legend
    # names each aspect's groups.
    assert re.search(r"I_D service II_A II_B II_C II_D II_E", vi)
    assert "Nhóm tiêu chí: I_A: Trách nhiệm giải trình" in vi
    # A 4-level question's headline is its top two levels, named (not the question
    # quoted as its own answer).
    assert (
        "trả lời ở hai mức cao nhất (“Quan tâm theo dõi”, “Rất quan tâm theo dõi”) khi được hỏi "
        "“Ông/Bà quan tâm theo dõi (qua báo, đài, ti vi, internet…) chính sách phát triển kinh tế"
    ) in vi
    assert "trả lời “Ông/Bà quan tâm" not in vi
    assert "Tỷ lệ người trả lời ở hai mức cao nhất của mỗi câu hỏi." in vi
    en = pdf_text(client, "en")
    assert "answered at the top two levels (“Interested”, “Very interested”) to" in en
    assert "A group's index is the mean of its criteria." in en
    assert "weighted by their numbers of criteria (23, 16)" in en
    assert "“Don't know / no answer” (0) is left out of every criterion" in en
    assert "Aspects and groups of criteria" in en
    assert "the five factors" not in en


@pytest.mark.usefixtures("household")
def test_the_workbook_names_aspects_and_codes_their_groups(client: TestClient) -> None:
    r = client.get(f"{API}/indices", params={"format": "xlsx", "lang": "vi"})
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    header = [c.value for c in book.worksheets[0][2]]
    at = header.index("Lĩnh vực: Xây dựng, tổ chức thực hiện chính sách công")
    assert header[at + 1 : at + 3] == [
        "I_A. Trách nhiệm giải trình",
        "I_B. Sự tham gia của người dân",
    ]
    assert "Lĩnh vực: Cung ứng dịch vụ hành chính công" in header
    rules = " ".join(
        str(c.value) for row in book["Phương pháp"].iter_rows() for c in row if c.value
    )
    assert "trọng số theo số tiêu chí của từng phần (23, 16)" in rules
    assert "năm yếu tố" not in rules
    perception = [c.value for c in book["Nhận định"][1]]
    assert any(str(v).endswith("— Hai mức cao nhất") for v in perception)
    # combine=mean: the method says the aspects and SIPAS are plain means.
    mean = openpyxl.load_workbook(
        io.BytesIO(
            client.get(
                f"{API}/indices", params={"format": "xlsx", "lang": "vi", "combine": "mean"}
            ).content
        )
    )
    said = " ".join(str(c.value) for row in mean["Phương pháp"].iter_rows() for c in row if c.value)
    assert "Chỉ số SIPAS là trung bình cộng (không trọng số) “Xây dựng" in said
    assert "(23, 16)" not in said
    en = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{API}/indices", params={"format": "xlsx", "lang": "en"}).content)
    )
    assert "Aspect: Delivery of public administrative services" in [
        c.value for c in en.worksheets[0][2]
    ]


@pytest.mark.usefixtures("household")
def test_the_json_methods_describe_the_tree_and_2017_keeps_its_factors(
    client: TestClient,
) -> None:
    body = client.get(f"{API}/indices").json()
    assert "item_weighted" in body["methods"]["sipas"]
    assert "group of criteria" in body["methods"]["factor"]
    assert "nhóm tiêu chí" in body["methods_vi"]["factor"]
    old = client.get(f"/api/v1/campaigns/{CAMPAIGN}/indices").json()
    assert old["methods"]["sipas"].startswith("factors_mean: unweighted mean of the five")
    assert "tree" not in old


@pytest.mark.usefixtures("household")
def test_the_results_page_puts_aspect_headings_over_their_groups(client: TestClient) -> None:
    page = client.get(f"/dash/campaigns/{HOUSEHOLD}/results", params={"lang": "vi"}).text
    heads = re.search(r'<tr class="tree-heads">(.*?)</tr>', page, re.S)
    assert heads is not None
    spans = re.findall(r'colspan="(\d+)" class="aspect">([^<]+)<', heads.group(1))
    assert spans == [
        ("5", "Xây dựng, tổ chức thực hiện chính sách công"),
        ("6", "Cung ứng dịch vụ hành chính công"),
    ]
    text = visible(page)
    assert "Lĩnh vực service: Cung ứng dịch vụ hành chính công — Nhóm tiêu chí: II_A" in text
    en = visible(client.get(f"/dash/campaigns/{HOUSEHOLD}/results", params={"lang": "en"}).text)
    assert "Aspect policy: Making and implementing public policy — Group of criteria: I_A" in en
    # One unit's page: the chart is of aspects and groups, an aspect's label in bold,
    # and the table behind the chart names each row's kind.
    unit = client.get(f"/dash/campaigns/{HOUSEHOLD}/units/DEMO-X06", params={"lang": "vi"}).text
    assert "Lĩnh vực và nhóm tiêu chí" in visible(unit)
    assert 'class="lbl aspect">Cung ứng dịch vụ hành chính công<' in unit
    assert 'class="lbl">Tiếp cận dịch vụ<' in unit
    assert "Nhóm tiêu chí: Tiếp cận dịch vụ" in visible(unit)
    assert "In đậm: lĩnh vực" in visible(unit)
    assert "39 tiêu chí" in visible(unit)  # not the 22 of 2017
    assert "Trả kết quả" not in visible(unit)  # the household form asks no timeliness
    assert "Hai mức cao nhất" in visible(unit)
    # A 2017 campaign's table has its five factors side by side, no headings over them.
    old = client.get(f"/dash/campaigns/{CAMPAIGN}/results", params={"lang": "vi"}).text
    assert "tree-heads" not in old
    assert "Nhóm tiêu chí" not in visible(old)
    old_unit = client.get(f"/dash/campaigns/{CAMPAIGN}/units/DEMO-X01", params={"lang": "vi"})
    assert "Yếu tố" in visible(old_unit.text)
    assert "22 tiêu chí" in visible(old_unit.text)
    assert "Trả kết quả" in visible(old_unit.text)
    assert "lbl aspect" not in old_unit.text


@pytest.mark.usefixtures("household")
def test_the_publish_preview_and_the_public_unit_page_show_the_hierarchy(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    preview = client.get(f"/dash/campaigns/{HOUSEHOLD}/publish", params={"lang": "vi"}).text
    assert 'class="tree-heads"' in preview
    assert "Lĩnh vực policy: Xây dựng" in visible(preview)
    home = get_campaign(session, HOUSEHOLD)
    editions.publish(session, catalog, demo_admin(session), home, interim=True)
    unit = client.get(f"/results/{HOUSEHOLD}/units/DEMO-X06", params={"lang": "vi"})
    assert unit.status_code == 200
    text = visible(unit.text)
    assert "Lĩnh vực và nhóm tiêu chí" in text
    assert "Lĩnh vực: Cung ứng dịch vụ hành chính công" in text
    assert re.search(r'<tr class="node-group"><th scope="row">Tiếp cận dịch vụ', unit.text)
    en = visible(client.get(f"/results/{HOUSEHOLD}/units/DEMO-X06", params={"lang": "en"}).text)
    assert "Aspects and groups of criteria" in en
    assert "Aspect: Making and implementing public policy" in en


@pytest.mark.usefixtures("household")
def test_microdata_label_a_4_level_question_with_its_own_levels(
    client: TestClient, tmp_path: Path
) -> None:
    r = client.get(f"{API}/microdata", params={"format": "sav"})
    assert r.status_code == 200
    sav = tmp_path / "h.sav"
    sav.write_bytes(r.content)
    df, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    assert meta.variable_value_labels["C1_economy"] == {
        1: "Không quan tâm theo dõi",
        2: "Khá quan tâm theo dõi",
        3: "Quan tâm theo dõi",
        4: "Rất quan tâm theo dõi",
    }
    assert "C1_economy" not in meta.missing_ranges  # its scale has no "don't know"
    assert meta.variable_value_labels["S24"][0] == "Không biết / không trả lời"
    assert meta.missing_ranges["S24"] == [{"lo": 0.0, "hi": 0.0}]
    assert (df["S24"] == 0).sum() > 100  # residents who used no service
    r = client.get(f"{API}/microdata", params={"format": "dta", "lang": "en"})
    dta = tmp_path / "h.dta"
    dta.write_bytes(r.content)
    _, dmeta = pyreadstat.read_dta(str(dta))
    assert dmeta.variable_value_labels["C3_internet"][4] == "Very suitable"
