"""Every CSV reader reads files as Excel writes them: `;` (Vietnamese regional
settings), `,`, tab, a UTF-8 BOM, UTF-16 ("Unicode text"), CRLF; and refuses a
Windows code page or re-saved mojibake with a sentence saying what to do."""

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.campaigns.service import get_campaign, targets_from_transactions
from app.collection.paper import import_paper
from app.core.errors import Invalid
from app.questionnaires.catalog import Catalog
from app.units.service import import_counters, import_units
from tests.collection.test_paper_import import form, sheet

Reader = Callable[[Session, Catalog, bytes], int]


def units(session: Session, catalog: Catalog, data: bytes) -> int:
    return import_units(session, data, "units.csv").created


def counters(session: Session, catalog: Catalog, data: bytes) -> int:
    return import_counters(session, data, "counters.csv").created


def targets(session: Session, catalog: Catalog, data: bytes) -> int:
    campaign = get_campaign(session, "C-2026")
    return len(targets_from_transactions(session, campaign, data, 0.05, "targets.csv"))


def paper(session: Session, catalog: Catalog, data: bytes) -> int:
    return import_paper(session, catalog, "C-2026", data, "forms.csv").created


def table(catalog: Catalog, reader: str) -> list[list[str]]:
    if reader == "units":
        return [["code", "name", "kind", "parent"], ["N1", "Xã Mới, Một", "commune", "P"]]
    if reader == "counters":
        return [["code", "name", "unit"], ["k-new", "Quầy Một cửa", "P-S01"]]
    if reader == "targets":
        return [["unit", "transactions"], ["P", "1200"]]
    lines = sheet(catalog, [form(catalog, "1")]).decode("utf-8-sig").splitlines()
    return [line.split(",") for line in lines]


def write(rows: list[list[str]], sep: str, end: str = "\n") -> str:
    def cell(v: str) -> str:
        return f'"{v}"' if sep in v or "," in v or ";" in v else v

    return "".join(sep.join(cell(v) for v in row) + end for row in rows)


READERS = {"units": units, "counters": counters, "targets": targets, "paper": paper}
FORMS = {
    "comma": lambda t: write(t, ",").encode(),
    "semicolon, BOM, CRLF": lambda t: b"\xef\xbb\xbf" + write(t, ";", "\r\n").encode(),
    "tab, UTF-16 (Unicode text)": lambda t: write(t, "\t", "\r\n").encode("utf-16"),
    "semicolon, UTF-16-LE without BOM": lambda t: write(t, ";").encode("utf-16-le"),
}


@pytest.mark.parametrize("shape", FORMS)
@pytest.mark.parametrize("reader", READERS)
def test_every_reader_reads_every_way_excel_writes(
    session: Session, catalog: Catalog, place: dict[str, Any], reader: str, shape: str
) -> None:
    data = FORMS[shape](table(catalog, reader))
    assert READERS[reader](session, catalog, data) == 1


@pytest.mark.parametrize("reader", READERS)
def test_a_windows_code_page_is_refused_with_what_to_do(
    session: Session, catalog: Catalog, place: dict[str, Any], reader: str
) -> None:
    rows = table(catalog, reader)
    rows[1][1 if reader != "targets" else 0] = "Sở Tư pháp"
    data = write(rows, ",").encode("cp1258", "replace")
    with pytest.raises(Invalid) as exc:
        READERS[reader](session, catalog, data)
    assert "Windows-1258" in exc.value.detail
    assert "CSV UTF-8" in exc.value.detail
    assert exc.value.fields[0].loc == "line 2"


def test_mojibake_saved_again_is_refused_with_the_right_spelling(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    garbled = "Xã Một".encode().decode("cp1252")
    data = f"code,name,kind,parent\nN1,{garbled},commune,P\n".encode()
    with pytest.raises(Invalid) as exc:
        units(session, catalog, data)
    assert "should read 'Xã'" in exc.value.fields[0].msg


def test_vietnamese_headers_of_units_and_counters(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    assert units(session, catalog, "Mã;Tên;Loại;Cấp trên\nN1;Xã Một;commune;P\n".encode()) == 1
    assert counters(session, catalog, "Mã quầy;Tên quầy;Đơn vị\nk2;Quầy 2;N1\n".encode()) == 1
