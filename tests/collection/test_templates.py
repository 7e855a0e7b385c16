"""Templates pre-filled with a campaign's units, downloaded from the dashboard, filled
in as a person would (Excel or Vietnamese Excel's CSV) and read back by the same
readers as any upload."""

import csv
import io
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.collection.paper import import_paper
from app.questionnaires.catalog import Catalog
from app.units.models import Unit
from tests.answers import valid_answers
from tests.factories import make_account, make_campaign, make_unit
from tests.signin import sign_in


@pytest.fixture
def place(session: Session, catalog: Catalog) -> dict[str, Unit]:
    p = make_unit(session, "TP", name="Tỉnh Thử")
    units = {"TP": p}
    for i in (1, 2, 3):
        units[f"TP-S0{i}"] = make_unit(session, f"TP-S0{i}", "department", p, name=f"Sở {i}")
    units["TP-S01-X"] = make_unit(session, "TP-S01-X", "commune", units["TP-S01"], name="Xã Ấp")
    other = make_unit(session, "OT", name="Tỉnh Khác")
    make_campaign(
        session,
        catalog,
        "TPL-1",
        [units["TP-S01"], units["TP-S02"], units["TP-S03"], other],
        min_sample=1,
    )
    return units


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads Vietnamese right
    text = data.decode("utf-8-sig")
    assert "\r\n" in text
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def _excel_csv(rows: list[list[str]]) -> bytes:
    """What Vietnamese Excel saves as 'CSV UTF-8': BOM, `;`, CRLF."""
    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sheet_rows(data: bytes) -> tuple[Workbook, list[list[Any]]]:
    book = load_workbook(io.BytesIO(data))
    return book, [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_targets_template_round_trips_as_vietnamese_csv_and_as_xlsx(
    client: TestClient, session: Session, place: dict[str, Unit]
) -> None:
    make_account(session, "admin@tp", "admin")
    csrf = sign_in(client, "admin@tp")
    c = campaigns.get_campaign(session, "TPL-1")
    r = client.get("/dash/campaigns/TPL-1/targets-template?format=csv")
    assert r.status_code == 200
    assert 'filename="TPL-1-targets.csv"' in r.headers["content-disposition"]
    rows = _csv_rows(r.content)
    assert rows[0] == ["Mã đơn vị", "Tên đơn vị", "Số hồ sơ"]
    assert [row[:2] for row in rows[1:]] == [
        ["OT", "Tỉnh Khác"],
        ["TP-S01", "Sở 1"],
        ["TP-S02", "Sở 2"],
        ["TP-S03", "Sở 3"],
    ]
    rows[2][2], rows[3][2] = "1.000", "50"  # typed as Vietnamese Excel shows thousands
    sent = client.post(
        "/dash/campaigns/TPL-1/targets.csv",
        data={"csrf": csrf, "margin": "0,05"},
        files={"file": ("chi-tieu.csv", _excel_csv(rows), "text/csv")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    targets = {s.unit.code: (s.transactions, s.target) for s in campaigns.scope(session, c)}
    assert targets == {
        "OT": (None, None),
        "TP-S01": (1000, 286),
        "TP-S02": (50, 45),
        "TP-S03": (None, None),
    }

    # The xlsx template now carries the counts already given; fill in the rest.
    x = client.get("/dash/campaigns/TPL-1/targets-template?format=xlsx&lang=en")
    assert x.headers["content-type"].startswith("application/vnd.openxmlformats")
    book, cells = _sheet_rows(x.content)
    assert cells[0] == ["unit", "name", "transactions"]
    assert cells[2] == ["TP-S01", "Sở 1", "1000"]
    sheet = book.worksheets[0]
    sheet["C2"] = 20_000  # a number typed into the sheet, not text
    sheet["C5"] = "7"
    sent = client.post(
        "/dash/campaigns/TPL-1/targets.csv",
        data={"csrf": csrf, "margin": "0,05"},
        files={"file": ("targets.xlsx", _saved(book), "application/octet-stream")},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    after = {s.unit.code: s.target for s in campaigns.scope(session, c)}
    assert after == {"OT": 393, "TP-S01": 286, "TP-S02": 45, "TP-S03": 7}


def _fill_paper(header: list[str], unit_row: list[Any], catalog: Catalog, number: str) -> list[str]:
    """A template row of a unit, copied and filled in with one form's answers; the
    scale typed as Vietnamese labels in one column, multiple choices with |."""
    answers = valid_answers(catalog)
    answers["HL"] = "Hài lòng"
    row = ["" if v is None else str(v) for v in unit_row]
    row[0], row[1] = number, "2026-03-02"
    for i, code in enumerate(header[4:], 4):
        value = answers.get(code, "")
        row[i] = "|".join(value) if isinstance(value, list) else str(value)
    return row


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_the_paper_template_round_trips_through_the_paper_reader(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Unit], fmt: str
) -> None:
    make_account(session, "lan@tp", "coordinator", place["TP"])
    sign_in(client, "lan@tp")
    r = client.get(f"/dash/campaigns/TPL-1/paper-template?format={fmt}")
    assert r.status_code == 200
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    if fmt == "csv":
        rows: list[list[Any]] = _csv_rows(r.content)
    else:
        book, rows = _sheet_rows(r.content)
        legend = [list(x) for x in book.worksheets[1].iter_rows(values_only=True)]
        assert legend[0] == ["Mã câu hỏi", "Câu hỏi", "Bắt buộc", "Trả lời (mã = nội dung)"]
        hl = next(x for x in legend if x[0] == "HL")
        assert "4 = Hài lòng" in hl[3]
    header = rows[0]
    assert header[:4] == ["Số phiếu", "Ngày", "Mã đơn vị", "Tên đơn vị"]
    assert header[4:] == list(q.questions)
    # The coordinator's area only: the other province's units are not in it.
    assert [row[2] for row in rows[1:]] == ["TP-S01", "TP-S01-X", "TP-S02", "TP-S03"]
    assert rows[2][3] == "Xã Ấp"
    filled = [header, _fill_paper(header, rows[1], catalog, "1"), *rows[2:]]
    filled.append(_fill_paper(header, rows[2], catalog, "2"))  # a second unit's form
    if fmt == "csv":
        data = _excel_csv([[str(v or "") for v in row] for row in filled])
    else:
        sheet = book.worksheets[0]
        for j, value in enumerate(filled[1], 1):
            sheet.cell(row=2, column=j, value=value)
        for j, value in enumerate(filled[-1], 1):
            sheet.cell(row=len(rows) + 1, column=j, value=value)
        sheet.cell(row=2, column=2, value=date(2026, 3, 2))  # a real date cell
        data = _saved(book)
    result = import_paper(session, catalog, "TPL-1", data, f"forms.{fmt}")
    assert (result.created, result.unchanged) == (2, 0)
    again = import_paper(session, catalog, "TPL-1", data, f"forms.{fmt}")
    assert (again.created, again.unchanged) == (0, 2)


def test_a_template_in_another_format_is_refused(
    client: TestClient, session: Session, place: dict[str, Unit]
) -> None:
    make_account(session, "admin@tp", "admin")
    sign_in(client, "admin@tp")
    r = client.get("/dash/campaigns/TPL-1/paper-template?format=ods")
    assert r.status_code == 422
    assert "xlsx, csv" in r.text
