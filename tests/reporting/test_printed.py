"""The printed report: rendered from the same report as the JSON, read back with a
PDF text extractor, and checked for the figures and sentences a province prints."""

import io
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_campaign, make_counter, make_unit

# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


URL = "/api/v1/campaigns/C-PDF/indices"


@pytest.fixture
def campaign(client: TestClient, session: Session, catalog: Catalog) -> None:
    p = make_unit(session, "P", name="Tỉnh Lai Châu")
    for code, name, kind in (
        ("S1", "Sở Tư pháp", "department"),
        ("S2", "Sở Y tế", "department"),
        ("X1", "Xã Tam Đường", "commune"),
    ):
        make_counter(session, f"k-{code}", make_unit(session, code, kind, p, name=name))
    make_campaign(session, catalog, "C-PDF", [p], min_sample=2)
    for counter, level, place in (
        ("k-S1", 5, "one_stop"),
        ("k-S1", 4, "agency"),
        ("k-S2", 3, "one_stop"),
        ("k-S2", 4, "one_stop"),
        ("k-X1", 5, "one_stop"),
        ("k-X1", 5, "one_stop"),
    ):
        answers = valid_answers(catalog, level=level, submission_place=place)
        r = client.post("/api/v1/submissions", json=body(catalog, counter=counter, answers=answers))
        assert r.status_code == 201, r.text


def text_of(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def vi(value: float) -> str:
    return f"{value:.2f}".replace(".", ",") + "%"


def test_the_printed_report_says_what_the_json_says(client: TestClient, campaign: None) -> None:
    r = client.get(URL, params={"format": "pdf"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(r.content))
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4
    text = " ".join(text_of(r.content).split())
    assert "Báo cáo kết quả đo lường sự hài lòng" in text
    assert "KẾT QUẢ NỘI BỘ — CHƯA CÔNG BỐ" in text
    top: dict[str, Any] = client.get(URL).json()["units"][0]
    sub = client.get(URL, params={"parent": "P"}).json()
    # The headline, with the decimal comma.
    assert vi(top["sipas"]["value"]) in text
    # A league table per kind, each unit with its SIPAS as published.
    for u in sub["units"]:
        assert u["name"] in text
        assert vi(u["sipas"]["value"]) in text
    assert "Bảng xếp hạng: Sở, ban, ngành" in text
    assert "Bảng xếp hạng: Xã, phường, đặc khu" in text
    # Perception written as the provinces write it, median beside.
    key = "submission_place.one_stop"
    median = sub["leagues"]["department"]["median"]["perception"][key]
    assert f"là {vi(top['perception'][key]['value'])} (giá trị trung vị là {vi(median)})" in text
    # One result sheet per ranked unit.
    assert text.count("Phiếu kết quả:") == sum(1 for u in sub["units"] if u["rank"])


def test_the_printed_report_in_english_and_refused_where_it_has_no_meaning(
    client: TestClient, campaign: None
) -> None:
    en = client.get(URL, params={"format": "pdf", "lang": "en"})
    text = " ".join(text_of(en.content).split())
    assert "Satisfaction survey report" in text
    assert "League table: Department" in text
    unit = client.get("/api/v1/campaigns/C-PDF/units/S1/indices", params={"format": "pdf"})
    assert unit.status_code == 422
    assert "printed report covers a campaign" in unit.text
