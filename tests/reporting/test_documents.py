"""The results workbook and the table-shaped CSV, read back as Excel and a
spreadsheet user would, and checked cell by cell against the JSON report."""

import csv
import io
import re
from datetime import datetime
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.clock import VIETNAM
from app.questionnaires.catalog import Catalog
from app.reporting import method_text
from tests.answers import body, valid_answers
from tests.factories import make_campaign, make_counter, make_unit, publish

URL = "/api/v1/campaigns/C-DOC/indices"
NASTY = '=HYPERLINK("http://example.com","x")'


def post(client: TestClient, catalog: Catalog, counter: str, **answers: Any) -> None:
    r = client.post(
        "/api/v1/submissions",
        json=body(catalog, counter=counter, answers=valid_answers(catalog, level=5, **answers)),
    )
    assert r.status_code == 201, r.text


# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


@pytest.fixture
def results(client: TestClient, session: Session, catalog: Catalog) -> dict[str, Any]:
    """Province P: departments S1, S2 (one named like a formula), S3 (no responses), a
    service centre TT; the JSON report of its sub-units."""
    p = make_unit(session, "P", name="Tỉnh Lai Châu")
    names = {"S1": "Sở Tư pháp", "S2": NASTY, "S3": "Sở Y tế", "TT": "Trung tâm PVHCC"}
    for code, name in names.items():
        kind = "service_centre" if code == "TT" else "department"
        make_counter(session, f"k-{code}", make_unit(session, code, kind, p, name=name))
    make_campaign(session, catalog, "C-DOC", [p], min_sample=3)
    for i in range(3):
        post(client, catalog, "k-S1")
        post(client, catalog, "k-S2", TC1=2, TT2=2 if i else 5)
        post(client, catalog, "k-TT", CC1=3)
    report = client.get(URL, params={"parent": "P"}).json()
    assert report["units"]
    return report


def sheet_rows(ws: Any) -> list[list[Any]]:
    return [list(r) for r in ws.iter_rows(values_only=True)]


def test_the_workbook_holds_the_report_as_numbers_with_vietnamese_labels(
    client: TestClient, results: dict[str, Any]
) -> None:
    r = client.get(URL, params={"parent": "P", "format": "xlsx"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="C-DOC-indices.xlsx"' in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[:2] == ["Xếp hạng", "Tiêu chí"]
    assert {"Nhận định", "Đúng hẹn", "Mong đợi", "Người trả lời", "Phương pháp"} <= set(
        wb.sheetnames
    )
    ws = wb["Xếp hạng"]
    rows = sheet_rows(ws)
    assert rows[0][0] == "Sở, ban, ngành"  # the departments' league comes first
    assert rows[1][:6] == ["Hạng", "Mã đơn vị", "Đơn vị", "Loại đơn vị", "Số phiếu", "SIPAS"]
    assert ws.freeze_panes == "D3"
    units = {u["unit"]: u for u in results["units"]}
    by_code = {row[1]: (i + 1, row) for i, row in enumerate(rows) if row[1] in units}
    for code, u in units.items():
        line, row = by_code[code]
        assert row[0] == u["rank"]
        assert row[4] == u["n"]
        cell = ws.cell(row=line, column=6)
        # Full precision stored as a number, shown with two decimals (71,80 in vi Excel).
        assert cell.value == (u["sipas"]["value"])
        if u["sipas"]["value"] is not None:
            assert cell.data_type == "n"
            assert cell.number_format == "0.00"
    # A name that looks like a formula stays a name.
    nasty = ws.cell(row=by_code["S2"][0], column=3)
    assert (nasty.value, nasty.data_type) == (NASTY, "s")
    assert by_code["S3"][1][-1] == "Mẫu nhỏ, không xếp hạng; Thiếu thành phần, không xếp hạng"
    # Each league ends with its median row.
    dept_median = next(row for row in rows if row[2] == "Trung vị")
    assert dept_median[5] == pytest.approx(results["leagues"]["department"]["median"]["sipas"])
    assert any(row[0] == "Trung tâm Phục vụ hành chính công" for row in rows)

    criteria = sheet_rows(wb["Tiêu chí"])
    assert criteria[0][4].startswith("TC1. ")
    s2 = next(row for row in criteria if row[0] == "S2")
    assert s2[4] == pytest.approx(units["S2"]["items"]["TC1"]["value"])
    medians = [row for row in criteria if row[1] and str(row[1]).startswith("Trung vị")]
    assert medians[0][4] == pytest.approx(results["median"]["items"]["TC1"])

    method = sheet_rows(wb["Phương pháp"])
    facts = {row[0]: row[1] for row in method if row[0]}
    assert facts["Đợt khảo sát"] == "C-DOC"
    assert facts["Tình trạng số liệu"].startswith("Kết quả nội bộ")
    assert facts["Tổng số phiếu"] == results["n"]  # a number, not the text "9"
    assert facts["Cỡ mẫu tối thiểu"] == 3
    assert facts["Cách tính tiêu chí"] == "tỷ lệ hài lòng (mức 4–5)"
    assert facts["Cách tính cấp trên"] == "gộp mọi phiếu của các đơn vị cấp dưới"
    # The rules in the sentences the printed report prints, in the workbook's language.
    start = next(i for i, row in enumerate(method) if row[0] == "Quy tắc tính và công bố")
    end = next(i for i, row in enumerate(method) if str(row[0]).startswith("Định nghĩa chi tiết"))
    rules = [row[1] for row in method[start + 1 : end] if row[1]]
    assert rules == method_text.rules(results, ["department", "service_centre"], "vi")
    assert rules[0].startswith("Chỉ số của mỗi tiêu chí là tỷ lệ câu trả lời hợp lệ ở mức 4")
    assert any("Sở, ban, ngành, Trung tâm Phục vụ hành chính công" in r for r in rules)
    said = " ".join(str(c) for row in method[:end] for c in row if c is not None)
    for code in ("top2box", "pooled", "mean_of_units", "small_sample", "min_sample"):
        assert code not in said
    # Then the full definitions, in Vietnamese, under their names in the JSON's methods.
    assert facts["rank"] == results["methods_vi"]["rank"]


def test_every_number_in_the_workbook_is_stored_as_a_number(
    client: TestClient, results: dict[str, Any]
) -> None:
    """Read back as Excel would: no cell holds a number as text (Excel would flag it and
    leave it out of sums), except the unit codes, which are names."""
    numeric = re.compile(r"[+\-−]?\d+(?:[.,]\d+)*%?|\d+[–-]\d+")
    for lang in ("vi", "en"):
        r = client.get(URL, params={"parent": "P", "format": "xlsx", "lang": lang})
        wb = openpyxl.load_workbook(io.BytesIO(r.content))
        code_title = "Mã đơn vị" if lang == "vi" else "Unit code"
        for ws in wb.worksheets:
            code_cols = {c.column for row in ws.iter_rows() for c in row if c.value == code_title}
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str) and c.column not in code_cols:
                        assert not numeric.fullmatch(c.value.strip()), (ws.title, c.coordinate)
    # The rank interval is two number columns, best and worst, as in the JSON.
    wb = openpyxl.load_workbook(
        io.BytesIO(client.get(URL, params={"parent": "P", "format": "xlsx"}).content)
    )
    rows = sheet_rows(wb["Xếp hạng"])
    best_col, worst_col = (
        rows[1].index("Hạng cao nhất có thể (95%)"),
        rows[1].index("Hạng thấp nhất có thể (95%)"),
    )
    ranked = [u for u in results["units"] if u.get("rank_interval")]
    assert ranked
    for u in ranked:
        row = next(row for row in rows if row[1] == u["unit"])
        assert [row[best_col], row[worst_col]] == u["rank_interval"]
    unranked = next(row for row in rows if row[1] == "S3")
    assert (unranked[best_col], unranked[worst_col]) == (None, None)


def test_the_method_sheet_in_english(client: TestClient, results: dict[str, Any]) -> None:
    r = client.get(URL, params={"parent": "P", "format": "xlsx", "lang": "en"})
    method = sheet_rows(openpyxl.load_workbook(io.BytesIO(r.content))["Method"])
    start = next(
        i for i, row in enumerate(method) if row[0] == "How figures are computed and published"
    )
    end = next(i for i, row in enumerate(method) if str(row[0]).startswith("Definitions"))
    rules = [row[1] for row in method[start + 1 : end] if row[1]]
    assert rules == method_text.rules(results, ["department", "service_centre"], "en")
    assert rules[0].startswith("A criterion's index is the share of valid answers at 4")


def test_the_workbook_in_english(client: TestClient, results: dict[str, Any]) -> None:
    r = client.get(URL, params={"parent": "P", "format": "xlsx", "lang": "en"})
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames[0] == "Ranking"
    rows = sheet_rows(wb["Ranking"])
    assert rows[0][0] == "Department"
    assert rows[1][:3] == ["Rank", "Unit code", "Unit"]


def test_the_table_shaped_csv_opens_in_vietnamese_excel(
    client: TestClient, results: dict[str, Any]
) -> None:
    r = client.get(URL, params={"parent": "P", "format": "csv", "shape": "wide", "sep": ";"})
    assert r.status_code == 200
    assert r.content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs to read UTF-8
    assert b"\r\n" in r.content
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:7] == [
        "Nhóm xếp hạng",
        "Hạng",
        "Mã đơn vị",
        "Đơn vị",
        "Loại đơn vị",
        "Số phiếu",
        "SIPAS",
    ]
    units = {u["unit"]: u for u in results["units"]}
    s1 = next(row for row in rows if row[2] == "S1")
    # Rounded as published, with the decimal comma Vietnamese Excel reads as a number.
    expected = f"{units['S1']['sipas']['value']:.2f}".replace(".", ",")
    assert s1[6] == expected
    s2 = next(row for row in rows if row[2] == "S2")
    assert s2[3] == "'" + NASTY  # escaped, as every CSV the service writes
    assert [row[3] for row in rows if row[3] == "Trung vị"] == ["Trung vị", "Trung vị"]

    plain = client.get(URL, params={"parent": "P", "format": "csv", "shape": "wide"})
    rows = list(csv.reader(io.StringIO(plain.content.decode("utf-8-sig"))))
    s1 = next(row for row in rows if row[2] == "S1")
    assert s1[6] == f"{units['S1']['sipas']['value']:.2f}"
    # The rank interval: the text column kept ("1–2"), two number columns beside it.
    at = rows[0].index("Khoảng xếp hạng (95%)")
    assert rows[0][at + 1 : at + 3] == [
        "Hạng cao nhất có thể (95%)",
        "Hạng thấp nhất có thể (95%)",
    ]
    for u in results["units"]:
        row = next(row for row in rows if row[2] == u["unit"])
        best, worst = u.get("rank_interval") or ("", "")
        assert row[at + 1 : at + 3] == [str(best), str(worst)]
        assert row[at] == (f"{best}–{worst}" if best else "")
    # The tidy long CSV is as it was: unrounded, no BOM.
    long = client.get(URL, params={"parent": "P", "format": "csv"})
    assert long.content.startswith(b"campaign,unit")


def _csv(client: TestClient, delim: str = ",", **params: Any) -> list[list[str]]:
    r = client.get(URL, params={"parent": "P", "format": "csv", **params})
    assert r.status_code == 200, r.text
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=delim))


LONG_HEAD = "campaign,unit,name,kind,unit_n,rank,flags,indicator,value,ci_low,ci_high,n,median"


def test_every_csv_row_says_which_document_it_is_live_and_interim(
    client: TestClient, session: Session, catalog: Catalog, results: dict[str, Any]
) -> None:
    # Live results: internal, no edition, no date; the old columns first, as they were.
    long = _csv(client)
    assert ",".join(long[0][:13]) == LONG_HEAD
    tail = ["edition", "status", "published_at", "questionnaire", "questionnaire_version"]
    assert long[0][13:] == tail
    assert {tuple(r[13:]) for r in long[1:]} == {("", "internal", "", "sipas-2017", "1")}
    wide = _csv(client, ";", shape="wide", sep=";", lang="vi")
    assert wide[0][-5:] == [
        "Đợt khảo sát",
        "Lần công bố",
        "Tình trạng kết quả",
        "Ngày công bố",
        "Bộ câu hỏi (phương pháp)",
    ]
    assert {tuple(r[-5:]) for r in wide[1:]} == {
        ("C-DOC", "", "Nội bộ, chưa công bố", "", "sipas-2017 1")
    }
    en = _csv(client, shape="wide", lang="en")
    assert en[0][-5:] == [
        "Campaign",
        "Edition",
        "Results",
        "Published on",
        "Questionnaire (method)",
    ]
    assert {r[-3] for r in en[1:]} == {"Internal, not published"}

    # An interim edition of the open campaign: every row of every file says so.
    publish(session, catalog, "C-DOC", interim=True)
    day = datetime.now(VIETNAM).date().isoformat()
    long = _csv(client, edition=1)
    assert ",".join(long[0][:13]) == LONG_HEAD
    marks = {tuple(r[13:16]) for r in long[1:]}
    assert len(marks) == 1
    number, status, published_at = marks.pop()
    assert (number, status) == ("1", "interim")
    assert datetime.fromisoformat(published_at).astimezone(VIETNAM).date().isoformat() == day
    for lang, said in (("vi", "Kết quả sơ bộ"), ("en", "Interim results")):
        rows = _csv(client, shape="wide", lang=lang, edition=1)
        assert {tuple(r[-5:]) for r in rows[1:]} == {("C-DOC", "1", said, day, "sipas-2017 1")}
