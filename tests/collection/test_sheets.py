"""QR sheets: the code on the sheet opens the counter's questionnaire."""

import io
import re
from typing import Any

import pytest
import segno
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from app.collection import sheets
from app.core.errors import NotFound, Unavailable
from tests.factories import make_account, make_counter
from tests.signin import sign_in


def modules_in(img: Image.Image, size: int) -> list[list[int]]:
    """Read the QR modules back from the rendered sheet by sampling each cell's centre."""
    grey = img.convert("L")

    def dark(x: int, y: int) -> bool:
        value = grey.getpixel((x, y))
        assert isinstance(value, int)
        return value < 128

    cell = sheets._px(sheets.QR_MM) // size
    # The QR sits centred horizontally; find its top as the first dark row there.
    left = (grey.width - cell * size) // 2
    top = next(y for y in range(grey.height) if dark(left + cell // 2, y))
    return [
        [int(dark(left + c * cell + cell // 2, top + r * cell + cell // 2)) for c in range(size)]
        for r in range(size)
    ]


def test_png_sheet_carries_exactly_the_counters_link(
    client: TestClient, place: dict[str, Any]
) -> None:
    got = client.get("/s/k-1/sheet.png")
    assert got.status_code == 200
    assert got.headers["content-type"] == "image/png"
    img = Image.open(io.BytesIO(got.content))
    assert img.size == (sheets._px(148), sheets._px(210))
    expected = segno.make("http://testserver/s/k-1", error="m", micro=False)
    matrix = [list(row) for row in expected.matrix]
    assert modules_in(img, len(matrix)) == matrix
    other = segno.make("http://testserver/s/k-2", error="m", micro=False)
    assert modules_in(img, len(matrix)) != [list(row) for row in other.matrix]


def test_svg_sheet_has_the_short_link_and_vietnamese_instructions(
    client: TestClient, place: dict[str, Any]
) -> None:
    got = client.get("/s/k-1/sheet.svg")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("image/svg+xml")
    text = got.text
    assert text.startswith("<svg")
    assert 'width="148mm"' in text
    assert ">http://testserver/s/k-1<" in text
    assert "Quét mã để góp ý" in text
    assert "Counter k-1" in text
    assert "P-S01" in text


def test_campaign_pdf_has_a_page_per_counter_in_scope(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_counter(session, "k-2", place["dept"])
    assert client.get("/api/v1/campaigns/C-2026/sheets.pdf").status_code == 401
    make_account(session, "coord@p", "coordinator", place["province"])
    sign_in(client, "coord@p")
    got = client.get("/api/v1/campaigns/C-2026/sheets.pdf")
    assert got.status_code == 200
    assert got.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", got.content)) == 2
    assert client.get("/api/v1/campaigns/NOPE/sheets.pdf").status_code == 404


def test_unknown_counter_sheet_is_404(client: TestClient, place: dict[str, Any]) -> None:
    got = client.get("/s/nope/sheet.svg")
    assert got.status_code == 404
    assert got.json()["error"] == "not_found"


def test_missing_font_is_a_clear_error_not_a_crash(session: Session, place: dict[str, Any]) -> None:
    sheet = sheets.sheet_for(session, "k-1", "https://x.example")
    with pytest.raises(Unavailable, match="SHEET_FONT '/nonexistent/font.ttf' is not a font"):
        sheets.png(sheet, "/nonexistent/font.ttf")
    with pytest.raises(Unavailable, match="fonts-dejavu-core"):
        sheets._font_path(None, ("/nonexistent/a.ttf",))
    with pytest.raises(NotFound):
        sheets.pdf([])
