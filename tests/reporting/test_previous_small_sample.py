"""A change set against a previous figure too small to rank is marked, the same way in
every document: the JSON says which flags the previous figure had, the dashboard and
the printed report put a mark beside the change with a footnote, the workbook and the
table CSV say it in the notes column. A change against a ranked figure has no mark.

Why marked and not left out: the previous figure is itself published (listed, flagged,
not ranked), so the difference is a fact of two published figures; what a reader must
be told is that one of them rests on too few answers, as the flag tells of a figure."""

import csv
import io
from typing import Any

import openpyxl
import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignStatus
from app.core import labels
from app.questionnaires.catalog import Catalog
from tests.access.test_dash_language import visible
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

pytestmark = pytest.mark.usefixtures("reader")

URL = "/api/v1/campaigns/C-NEW/indices"
ASK = {"parent": "P", "compare": "C-OLD"}
NOTE = {lang: labels.say(labels.PREVIOUS_FLAG, lang) for lang in ("vi", "en")}


def post(client: TestClient, catalog: Catalog, counter: str, level: int) -> None:
    b = body(catalog, counter=counter, answers=valid_answers(catalog, level=level))
    r = client.post("/api/v1/submissions", json=b)
    assert r.status_code == 201, r.text


@pytest.fixture
def compared(client: TestClient, session: Session, catalog: Catalog) -> dict[str, Any]:
    """Departments S1, S2, S3 of P: last year S1 and S3 had 2 responses each (ranked),
    S2 one (small sample, not ranked); this year each has 2."""
    p = make_unit(session, "P", name="Tỉnh Lai Châu")
    for code, name in (("S1", "Sở Tư pháp"), ("S2", "Sở Y tế"), ("S3", "Sở Xây dựng")):
        make_counter(session, f"k-{code}", make_unit(session, code, "department", p, name=name))
    make_campaign(session, catalog, "C-OLD", [p], min_sample=2)
    for counter, level in (("k-S1", 4), ("k-S1", 4), ("k-S2", 2), ("k-S3", 3), ("k-S3", 5)):
        post(client, catalog, counter, level)
    old = session.scalars(select(Campaign).where(Campaign.code == "C-OLD")).one()
    old.status = CampaignStatus.closed
    make_campaign(session, catalog, "C-NEW", [p], min_sample=2)
    for counter, level in (("k-S1", 5), ("k-S1", 4), ("k-S2", 5), ("k-S2", 5)):
        post(client, catalog, counter, level)
    post(client, catalog, "k-S3", 3)
    post(client, catalog, "k-S3", 2)
    make_account(session, "lan@sonv", "admin")
    report = client.get(URL, params=ASK).json()
    return {u["unit"]: u for u in report["units"]}


def test_the_report_says_the_previous_figure_was_not_ranked(compared: dict[str, Any]) -> None:
    assert compared["S2"]["change"]["previous_flags"] == ["small_sample"]
    assert compared["S2"]["change"]["points"] is not None  # a difference, marked
    assert compared["S2"]["change"]["rank"] is None  # no rank then, no places
    assert compared["S1"]["change"]["previous_flags"] == []
    assert compared["S3"]["change"]["previous_flags"] == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_document_marks_that_change_alike(
    client: TestClient, compared: dict[str, Any], lang: str
) -> None:
    note = NOTE[lang]

    # Dashboard: the mark beside S2's change only, the note under the table.
    sign_in(client, "lan@sonv")
    page = client.get("/dash/campaigns/C-NEW/results", params={**ASK, "lang": lang}).text
    rows = {code: page.split(f'/units/{code}"', 1)[1].split("</tr>", 1)[0] for code in compared}
    assert f'<sup class="previous" title="{note}">*</sup>' in rows["S2"]
    assert 'class="previous"' not in rows["S1"] + rows["S3"]
    assert f"* {note}" in visible(page)

    # Workbook: the notes column of S2 says it; S1 and S3 have no note.
    r = client.get(URL, params={**ASK, "format": "xlsx", "lang": lang})
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    cells = [list(row) for row in ws.iter_rows(values_only=True)]
    notes = {row[1]: row[-1] for row in cells if row[1] in compared}
    assert notes["S2"] == note
    assert not notes["S1"]
    assert not notes["S3"]

    # Table CSV: the same words in its notes column.
    r = client.get(URL, params={**ASK, "format": "csv", "shape": "wide", "lang": lang})
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    by_code = {row[2]: row for row in table[1:]}
    at = table[0].index("Ghi chú" if lang == "vi" else "Notes")
    assert by_code["S2"][at] == note
    assert by_code["S1"][at] == ""

    # Printed report: the change with its mark, the footnote, and S2's result sheet.
    r = client.get("/api/v1/campaigns/C-NEW/indices", params={**ASK, "format": "pdf", "lang": lang})
    assert r.status_code == 200, r.text
    pages = [
        " ".join(p.extract_text().split()) for p in pypdf.PdfReader(io.BytesIO(r.content)).pages
    ]
    text = " ".join(pages)
    points = compared["S2"]["change"]["points"]
    sign = "+" if points > 0 else "−"
    shown = f"{abs(points):.2f}"
    shown = shown.replace(".", ",") if lang == "vi" else shown
    assert f"{sign}{shown}*" in text
    assert f"* {note}" in text
    sheet = next(
        p for p in pages if "Sở Y tế" in p and ("Phiếu kết quả" in p or "Result sheet" in p)
    )
    assert f"({note})" in sheet
    others = [
        p for p in pages if "Sở Tư pháp" in p and ("Phiếu kết quả" in p or "Result sheet" in p)
    ]
    assert others
    assert all(f"({note})" not in p for p in others)
