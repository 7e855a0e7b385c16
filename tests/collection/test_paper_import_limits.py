"""Paper imports of any size, with option labels, and what a CSV reader refuses."""

import io
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.collection.models import Submission
from app.collection.paper import import_paper, paper_id
from app.core.errors import Invalid
from app.questionnaires.catalog import Catalog
from tests.collection.test_paper_import import form, sheet


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


# About 40 s on PostgreSQL on a shared 2-core machine.
@pytest.mark.load
def test_seventy_thousand_forms_import_and_reimport(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    data = sheet(catalog, [form(catalog, f"{i:06d}") for i in range(70_000)])
    assert import_paper(session, catalog, "C-2026", io.BytesIO(data), "big.csv").created == 70_000
    again = import_paper(session, catalog, "C-2026", io.BytesIO(data), "big.csv")
    assert (again.created, again.unchanged) == (0, 70_000)
    assert stored(session) == 70_000


def test_a_bad_row_after_many_chunks_stores_nothing(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    rows = [form(catalog, f"{i:05d}") for i in range(12_000)]
    rows.append(form(catalog, "00007"))  # the same form number again, after two chunks
    with pytest.raises(Invalid) as exc:
        import_paper(session, catalog, "C-2026", sheet(catalog, rows), "forms.csv")
    assert exc.value.fields[0].loc == "line 12002, column form"
    assert "first on line 9" in exc.value.fields[0].msg
    assert stored(session) == 0


def test_vietnamese_headers_and_option_labels_are_read_as_codes(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    text = sheet(catalog, [form(catalog, "1")]).decode("utf-8-sig")
    header, row = text.splitlines()[:2]
    header = header.replace("form,date,unit", "Số phiếu,Ngày,Đơn vị")
    cells = row.split(",")
    names = header.split(",")
    cells[names.index("TC1")] = "Rất hài lòng"
    cells[names.index("gender")] = "Nữ"
    data = (header + "\n" + ",".join(cells) + "\n").encode()
    assert import_paper(session, catalog, "C-2026", data, "vi.csv").created == 1
    answers = session.get_one(Submission, paper_id("C-2026", "1")).answers
    assert (answers["TC1"], answers["gender"]) == (5, "female")
