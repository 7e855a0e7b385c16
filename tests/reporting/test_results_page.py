"""The results page as an analyst's tool: one league table per unit kind, a level
selector, a comparison with a previous campaign, respondent filters (bad input said in
the coordinator's language), flags with their cause, and every document to download
(each read back)."""

import html
import io
import re
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pyreadstat
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignStatus
from app.questionnaires.catalog import Catalog
from tests.access.test_dash_language import visible
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit, publish
from tests.signin import sign_in

PAGE = "/dash/campaigns/C-NOW/results"


def post(client: TestClient, catalog: Catalog, counter: str, level: int = 5, **over: Any) -> None:
    answers = valid_answers(catalog, level=level, **over)
    r = client.post("/api/v1/submissions", json=body(catalog, counter=counter, answers=answers))
    assert r.status_code == 201, r.text


@pytest.fixture
def world(client: TestClient, session: Session, catalog: Catalog) -> dict[str, Any]:
    """Province P with departments S1, S2, S3 and communes X1, X2; a closed campaign
    C-OLD and an open C-NOW over P (minimum sample 3). S3 has two responses (small
    sample); X2's answers leave criterion TC1 without a valid answer (incomplete)."""
    p = make_unit(session, "P", name="Tỉnh Lai Châu")
    units = {
        "S1": ("department", "Sở Tư pháp"),
        "S2": ("department", "Sở Y tế"),
        "S3": ("department", "Sở Xây dựng"),
        "X1": ("commune", "Xã An Phú"),
        "X2": ("commune", "Xã Bình Minh"),
    }
    for code, (kind, name) in units.items():
        make_counter(session, f"k-{code}", make_unit(session, code, kind, p, name=name))
    make_campaign(session, catalog, "C-OLD", [p], min_sample=3)
    for _ in range(3):
        post(client, catalog, "k-S1", level=2)
        post(client, catalog, "k-S2", level=5)
    old = session.scalars(select(Campaign).where(Campaign.code == "C-OLD")).one()
    old.status = CampaignStatus.closed
    session.flush()
    make_campaign(session, catalog, "C-NOW", [p], min_sample=3)
    for i in range(3):
        post(client, catalog, "k-S1", level=5)  # S1 climbs above S2
        post(client, catalog, "k-S2", level=3, gender="male" if i else "female")
        post(client, catalog, "k-X1", level=4)
        post(client, catalog, "k-X2", level=4, TC1=0)  # "not applicable": no valid TC1
    post(client, catalog, "k-S3", level=3)
    post(client, catalog, "k-S3", level=3)
    make_account(session, "lan@sonv", "coordinator", p)
    sign_in(client, "lan@sonv")
    return {"province": p}


def row_of(page: str, unit: str) -> str:
    found = re.search(
        # The rank's cell first (its number and interval), then the unit's.
        rf"<tr[^>]*>\s*(?:<td[^>]*>[^<]*(?:<small[^>]*>[^<]*</small>)?</td>\s*)?"
        rf"<th scope=\"row\"><a href=\"[^\"]*/{unit}\">.*?</tr>",
        page,
        re.S,
    )
    assert found, f"no row for {unit}"
    return found.group(0)


def test_each_kind_of_unit_is_its_own_league_with_its_median(
    client: TestClient, world: dict[str, Any]
) -> None:
    page = client.get(PAGE, params={"parent": "P"})
    assert page.status_code == 200
    assert 'id="league-department"' in page.text
    assert 'id="league-commune"' in page.text
    departments = page.text.split('id="league-department"')[1].split('id="league-commune"')[0]
    communes = page.text.split('id="league-commune"')[1]
    assert "/S1" in departments
    assert "/X1" not in departments
    assert "/X1" in communes
    assert "/S1" not in communes
    # Ranks start at 1 in each league: X1 is the only ranked commune.
    assert re.search(r'<td class="num">1 <small', row_of(communes, "X1"))
    assert re.search(r'<td class="num">1 <small', row_of(departments, "S1"))
    assert re.search(r'<td class="num">2 <small', row_of(departments, "S2"))


def test_the_level_selector_lists_one_kind_across_the_scope(
    client: TestClient, world: dict[str, Any]
) -> None:
    page = client.get(PAGE)
    options = re.findall(
        r'<option value="(\w+)"', page.text.split('name="level"')[1].split("</select>")[0]
    )
    assert options == ["province", "department", "commune"]
    communes = client.get(PAGE, params={"level": "commune"}).text
    assert "/X1" in communes
    assert "/X2" in communes
    assert "/S1" not in communes
    assert '<option value="commune" selected>' in communes


def test_flags_say_what_caused_them_in_both_languages(
    client: TestClient, world: dict[str, Any]
) -> None:
    vi = client.get(PAGE, params={"parent": "P", "lang": "vi"}).text
    s3 = visible(row_of(vi, "S3"))
    assert "mẫu nhỏ" in s3
    assert "2 câu trả lời hợp lệ, cần ít nhất 3" in s3
    assert "thiếu số liệu" not in s3
    x2 = visible(row_of(vi, "X2"))
    assert "thiếu số liệu" in x2
    assert "không tính được: TC1" in x2
    assert "mẫu nhỏ" in x2  # TC1 also has 0 valid answers of the 3 needed
    s1 = visible(row_of(vi, "S1"))
    assert "mẫu nhỏ" not in s1
    assert "thiếu" not in s1
    en = client.get(PAGE, params={"parent": "P", "lang": "en"}).text
    assert "small sample" in visible(row_of(en, "S3"))
    assert "2 valid answers, 3 needed" in visible(row_of(en, "S3"))
    assert "cannot be computed: TC1" in visible(row_of(en, "X2"))
    assert 'class="untranslated"' not in vi


def test_a_units_page_says_why_it_is_not_ranked(client: TestClient, world: dict[str, Any]) -> None:
    x2 = visible(client.get("/dash/campaigns/C-NOW/units/X2?lang=vi").text)
    assert "thiếu số liệu" in x2
    assert "không tính được: TC1" in x2
    s3 = visible(client.get("/dash/campaigns/C-NOW/units/S3?lang=en").text)
    assert "small sample" in s3
    assert "2 valid answers, 3 needed" in s3
    s1 = visible(client.get("/dash/campaigns/C-NOW/units/S1?lang=en").text)
    assert "small sample" not in s1
    assert "Not ranked" not in s1


def test_once_published_the_page_no_longer_says_not_published(
    client: TestClient, session: Session, catalog: Catalog, world: dict[str, Any]
) -> None:
    before = visible(client.get(PAGE, params={"lang": "vi"}).text)
    assert "chưa công bố" in before
    publish(session, catalog, "C-NOW", interim=True)
    vi = visible(client.get(PAGE, params={"lang": "vi"}).text)
    assert "chưa công bố" not in vi
    assert "khác bản công bố số 1" in vi
    assert 'href="/results/C-NOW?edition=1&amp;lang=vi"' in client.get(PAGE).text
    en = visible(client.get(PAGE, params={"lang": "en"}).text)
    assert "not published" not in en
    assert "may differ from edition 1 of" in en


def test_comparing_with_the_previous_campaign_shows_the_change(
    client: TestClient, world: dict[str, Any]
) -> None:
    page = client.get(PAGE, params={"parent": "P"}).text
    assert '<option value="C-OLD">' in page
    compared = client.get(PAGE, params={"parent": "P", "compare": "C-OLD"}).text
    s1 = visible(row_of(compared, "S1"))
    # S1: 0 → 100 points, from rank 2 to 1; S2: 100 → 0, from 1 to 2.
    assert "+100,0" in s1
    assert "+1 bậc" in s1
    s2 = visible(row_of(compared, "S2"))
    assert "-100,0" in s2
    assert "-1 bậc" in s2
    assert "Thay đổi" in compared


def test_filters_narrow_the_results_and_bad_input_is_said_in_the_users_language(
    client: TestClient, world: dict[str, Any]
) -> None:
    women = client.get(PAGE, params={"parent": "P", "gender": "female"}).text
    assert "đã lọc" in women
    n_of = re.compile(r'<td class="num">(\d+)</td>')
    assert n_of.findall(row_of(women, "S2"))[0] == "1"  # one woman answered at S2
    everyone = client.get(PAGE, params={"parent": "P"}).text
    assert n_of.findall(row_of(everyone, "S2"))[0] == "3"
    bad = {
        "gender": "nobody",
        "channel": "fax",
        "date_from": "2026-02-30",
        "date_to": "hôm qua",
        "compare": "C-NONE",
        "level": "galaxy",
    }
    vi = client.get(PAGE, params={"parent": "P", **bad})
    assert vi.status_code == 422
    text = visible(vi.text)
    for where in ("Giới tính", "Kênh thu phiếu", "Từ ngày", "Đến ngày", "So sánh với đợt", "Cấp"):
        assert where in text, where
    assert "'nobody' không phải là một lựa chọn" in text
    assert "'2026-02-30' không phải là ngày" in text
    assert 'class="untranslated"' not in vi.text
    assert 'id="results' not in vi.text  # nothing computed from a half-understood request
    en = client.get(PAGE, params={"parent": "P", "lang": "en", **bad})
    assert en.status_code == 422
    assert "'nobody' is not an option" in visible(en.text)
    box = visible(en.text.split('class="problems"')[1].split("</div>")[0])
    assert "Gender" in box
    assert "Channel" in box
    assert "Service field" not in box  # only the fields that were wrong
    backwards = client.get(
        PAGE, params={"date_from": "2026-05-02", "date_to": "2026-05-01", "lang": "vi"}
    )
    assert "ngày cuối trước ngày đầu" in visible(backwards.text)


def _links(page: str) -> dict[str, str]:
    found = re.findall(r'<a class="btn small" href="([^"]+)" download>([^<]+)</a>', page)
    return {text: html.unescape(href) for href, text in found}


def test_every_document_downloads_for_the_level_shown_and_reads_back(
    client: TestClient, world: dict[str, Any], tmp_path: Path
) -> None:
    page = client.get(PAGE, params={"parent": "P", "gender": "female"}).text
    links = _links(page)
    assert set(links) == {
        "Excel (.xlsx)",
        "Bảng CSV",
        "CSV đầy đủ (dạng dài)",
        "Báo cáo PDF",
        "SPSS (.sav)",
        "Stata (.dta)",
        "CSV",
        "Excel",
    }
    for name in ("Excel (.xlsx)", "Bảng CSV", "CSV đầy đủ (dạng dài)", "Báo cáo PDF"):
        assert "parent=P" in links[name], name
        assert "gender=female" in links[name], name
        assert "lang=vi" in links[name] or "format=csv" in links[name]
    wb = openpyxl.load_workbook(io.BytesIO(client.get(links["Excel (.xlsx)"]).content))
    cells = " ".join(str(c) for ws in wb for r in ws.iter_rows(values_only=True) for c in r)
    assert "Sở Tư pháp" in cells
    assert "Xã An Phú" in cells
    wide = client.get(links["Bảng CSV"])
    assert wide.status_code == 200
    assert wide.content.startswith(b"\xef\xbb\xbf")
    assert ";" in wide.text.splitlines()[0]
    assert "Sở Tư pháp" in wide.text
    long = client.get(links["CSV đầy đủ (dạng dài)"])
    assert long.status_code == 200
    assert "S1" in long.text
    pdf = client.get(links["Báo cáo PDF"])
    assert pdf.content.startswith(b"%PDF")
    assert "Sở Tư pháp" in "".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages
    )
    sav = tmp_path / "m.sav"
    sav.write_bytes(client.get(links["SPSS (.sav)"]).content)
    df, _ = pyreadstat.read_sav(str(sav))
    assert len(df) == 14  # C-NOW's responses
    dta = tmp_path / "m.dta"
    dta.write_bytes(client.get(links["Stata (.dta)"]).content)
    assert len(pyreadstat.read_dta(str(dta))[0]) == 14
    micro_csv = client.get(links["CSV"])
    assert micro_csv.status_code == 200
    assert micro_csv.text.count("\n") == 15
    micro_xlsx = openpyxl.load_workbook(io.BytesIO(client.get(links["Excel"]).content))
    first = [r[0] for r in micro_xlsx.worksheets[0].iter_rows(values_only=True)]
    assert sum(1 for v in first if re.fullmatch(r"[0-9a-f-]{36}", str(v))) == 14
    en = _links(client.get(PAGE, params={"parent": "P", "lang": "en"}).text)
    assert {"Excel (.xlsx)", "Table CSV", "Full CSV (long)", "PDF report", "SPSS (.sav)"} <= set(en)
    # The labelled documents in English, from the Vietnamese page.
    other = {
        text: html.unescape(href)
        for href, text in re.findall(r'<a href="([^"]+)" download hreflang="en">([^<]+)</a>', page)
    }
    assert set(other) == {"Excel (.xlsx)", "Bảng CSV", "Báo cáo PDF", "SPSS (.sav)", "Stata (.dta)"}
    assert all("lang=en" in href for href in other.values())
    assert "gender=female" in other["Báo cáo PDF"]
    english = openpyxl.load_workbook(io.BytesIO(client.get(other["Excel (.xlsx)"]).content))
    assert english.sheetnames != wb.sheetnames  # its own labels
    assert "sep=%2C" in en["Table CSV"] or "sep=," in en["Table CSV"]


def _block(page: str, block: str) -> tuple[str, dict[str, str]]:
    """The label and the links of one line of downloads (`dl-edition`, `dl-live`)."""
    found = re.search(rf'<p class="dl" id="{block}"><span>([^<]+)</span>(.*?)</p>', page)
    assert found is not None, block
    return html.unescape(found[1]), _links(found[2])


def test_once_published_the_editions_documents_download_first_and_the_live_ones_say_internal(
    client: TestClient, session: Session, catalog: Catalog, world: dict[str, Any]
) -> None:
    assert 'id="dl-edition"' not in client.get(PAGE).text
    assert _block(client.get(PAGE).text, "dl-live")[0] == "Kết quả:"
    publish(session, catalog, "C-NOW", interim=True)
    post(client, catalog, "k-S2", level=1)  # after publishing: live figures move on
    page = client.get(PAGE, params={"level": "department", "gender": "female"}).text
    assert page.index('id="dl-edition"') < page.index('id="dl-live"')
    label, links = _block(page, "dl-edition")
    assert re.fullmatch(r"Bản công bố sơ bộ lần 1, \d\d/\d\d/\d{4}:", label), label
    assert set(links) == {"Báo cáo PDF", "Excel (.xlsx)", "CSV đầy đủ (dạng dài)"}
    for href in links.values():
        assert "edition=1" in href
        assert "level=department" in href
        assert "gender" not in href  # an edition is the results as published
    pdf = client.get(links["Báo cáo PDF"])
    assert pdf.status_code == 200, pdf.text
    text = " ".join(
        " ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "bản công bố số 1" in text
    assert "NỘI BỘ" not in text
    book = openpyxl.load_workbook(io.BytesIO(client.get(links["Excel (.xlsx)"]).content))
    assert "Sở Y tế" in " ".join(
        str(c) for ws in book for r in ws.iter_rows(values_only=True) for c in r
    )
    edition_csv = client.get(links["CSV đầy đủ (dạng dài)"])
    assert edition_csv.status_code == 200
    live_label, live = _block(page, "dl-live")
    assert live_label == "Số liệu nội bộ hiện tại:"
    assert all("edition" not in href for href in live.values())
    live_pdf = client.get(live["Báo cáo PDF"]).content
    assert "NỘI BỘ" in "".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(live_pdf)).pages
    )
    # The live CSV counts the response sent after publishing; the edition's does not.
    live_csv = client.get(live["CSV đầy đủ (dạng dài)"].replace("gender=female&", ""))
    assert live_csv.text != edition_csv.text
    en = client.get(PAGE, params={"lang": "en"}).text
    label, links = _block(en, "dl-edition")
    assert re.fullmatch(r"Interim edition 1, \d{4}-\d\d-\d\d:", label), label
    assert set(links) == {"PDF report", "Excel (.xlsx)", "Full CSV (long)"}
    assert "lang=en" in links["PDF report"]
    assert "level" not in links["PDF report"]
    assert _block(en, "dl-live")[0] == "Current internal figures:"
