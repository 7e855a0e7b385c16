"""Printable QR sheets: one per counter, with its short link and a line of instructions.

SVG is drawn directly (text stays text, so it prints sharp and any viewer renders
the Vietnamese letters). PNG and PDF are rasterised with Pillow at 200 dpi, which
needs a TrueType font with Vietnamese letters; `SHEET_FONT` names one, otherwise
the usual system locations are searched.
"""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

import segno
from PIL import Image, ImageDraw, ImageFont
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from app.campaigns.models import CampaignUnit
from app.campaigns.service import get_campaign
from app.core.errors import NotFound, Unavailable
from app.units.models import Counter, Unit
from app.web import i18n

# A5 portrait, in millimetres: fits a counter top or a stand, two to an A4 page.
WIDTH_MM, HEIGHT_MM = 148, 210
QR_MM = 96
DPI = 200
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
    "/usr/share/fonts/noto/NotoSans-Regular.ttf",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/arial.ttf",
)


@dataclass(frozen=True)
class Sheet:
    counter: str
    counter_name: str
    unit_name: str
    url: str


def sheet_for(session: Session, counter_code: str, base_url: str) -> Sheet:
    row = session.execute(
        select(Counter.code, Counter.name, Unit.name)
        .join(Unit, Unit.id == Counter.unit_id)
        .where(Counter.code == counter_code)
    ).first()
    if row is None:
        raise NotFound.of("counter_missing", code=counter_code)
    return Sheet(row[0], row[1], row[2], f"{base_url.rstrip('/')}/s/{row[0]}")


def campaign_sheets(session: Session, campaign_code: str, base_url: str) -> list[Sheet]:
    """A sheet for every counter of every unit in the campaign's scope (at any depth)."""
    campaign = get_campaign(session, campaign_code)
    scope = aliased(Unit)
    rows = session.execute(
        select(Counter.code, Counter.name, Unit.name)
        .join(Unit, Unit.id == Counter.unit_id)
        .join(scope, Unit.path.startswith(scope.path))
        .join(CampaignUnit, CampaignUnit.unit_id == scope.id)
        .where(CampaignUnit.campaign_id == campaign.id)
        .distinct()
        .order_by(Counter.code)
    ).all()
    if not rows:
        raise NotFound.of("campaign_no_counters", code=campaign_code)
    base = base_url.rstrip("/")
    return [Sheet(code, name, unit, f"{base}/s/{code}") for code, name, unit in rows]


def _qr(url: str) -> segno.QRCode:
    # Level M survives a scuffed or partly covered print and keeps the code small.
    return segno.make(url, error="m", micro=False)


def _wrap(text: str, max_chars: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


# (text, font size in mm, bold, max characters per line) from top to bottom.
def _blocks(sheet: Sheet) -> tuple[list[tuple[str, float, bool]], list[tuple[str, float, bool]]]:
    above = [(line, 6.5, True) for line in _wrap(sheet.unit_name, 34)]
    above += [(line, 4.6, False) for line in _wrap(sheet.counter_name, 48)]
    below = [(sheet.url, 4.6 if len(sheet.url) <= 44 else 4.6 * 44 / len(sheet.url), True)]
    below += [(line, 5.2, True) for line in _wrap(i18n.t("sheet_line", "vi"), 40)]
    below += [(line, 3.8, False) for line in _wrap(i18n.t("sheet_line", "en"), 56)]
    return above, below


def svg(sheet: Sheet) -> str:
    """The sheet as a standalone SVG document, A5 in millimetres."""
    qr = _qr(sheet.url)
    size = qr.symbol_size(border=0)[0]
    buf = io.BytesIO()
    qr.save(buf, kind="svg", xmldecl=False, svgns=True, nl=False, border=0, omitsize=True)
    inner = buf.getvalue().decode()
    x = (WIDTH_MM - QR_MM) / 2
    above, below = _blocks(sheet)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH_MM}mm" height="{HEIGHT_MM}mm" '
        f'viewBox="0 0 {WIDTH_MM} {HEIGHT_MM}" font-family="Arial, Helvetica, sans-serif">',
        f'<rect width="{WIDTH_MM}" height="{HEIGHT_MM}" fill="#fff"/>',
    ]

    def lines(blocks: list[tuple[str, float, bool]], y: float, spacing: float) -> float:
        for text, pt, bold in blocks:
            weight = ' font-weight="700"' if bold else ""
            parts.append(
                f'<text x="{WIDTH_MM / 2}" y="{y:.1f}" font-size="{pt:.2f}" text-anchor="middle"'
                f"{weight}>{escape(text)}</text>"
            )
            y += pt * spacing
        return y

    y = lines(above, 16.0, 1.35)
    qr_y = max(y + 2, 42.0)
    parts.append(
        inner.replace(
            "<svg ",
            f'<svg x="{x}" y="{qr_y}" width="{QR_MM}" height="{QR_MM}" '
            f'shape-rendering="crispEdges" data-modules="{size}" ',
            1,
        )
    )
    lines(below, qr_y + QR_MM + 14, 1.45)
    parts.append("</svg>")
    return "".join(parts)


@lru_cache
def _font_path(configured: str | None, candidates: tuple[str, ...] = FONT_CANDIDATES) -> Path:
    if configured:
        if not Path(configured).is_file():
            raise Unavailable.of("sheet_font_bad", path=configured)
        return Path(configured)
    for candidate in candidates:
        if Path(candidate).is_file():
            return Path(candidate)
    raise Unavailable.of("sheet_font_missing")


def _px(mm: float) -> int:
    return round(mm / 25.4 * DPI)


def image(sheet: Sheet, font_path: str | None = None) -> Image.Image:
    """The sheet rasterised at 200 dpi (A5: 1,165 × 1,654 pixels)."""
    path = _font_path(font_path)
    img = Image.new("L", (_px(WIDTH_MM), _px(HEIGHT_MM)), 255)
    draw = ImageDraw.Draw(img)
    above, below = _blocks(sheet)

    def line(text: str, mm: float, y: float) -> None:
        font = ImageFont.truetype(str(path), _px(mm))
        draw.text((img.width / 2, _px(y)), text, font=font, fill=0, anchor="ms")

    y = 16.0
    for text, mm, _ in above:
        line(text, mm, y)
        y += mm * 1.35
    qr_y = max(y + 2, 42.0)
    qr = _qr(sheet.url)
    matrix = list(qr.matrix)
    n = len(matrix)
    cell = _px(QR_MM) // n
    left = (img.width - cell * n) // 2
    top = _px(qr_y) + (_px(QR_MM) - cell * n) // 2
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                x0, y0 = left + c * cell, top + r * cell
                draw.rectangle((x0, y0, x0 + cell - 1, y0 + cell - 1), fill=0)
    y = qr_y + QR_MM + 14
    for text, mm, _ in below:
        line(text, mm, y)
        y += mm * 1.45
    return img


def png(sheet: Sheet, font_path: str | None = None) -> bytes:
    buf = io.BytesIO()
    image(sheet, font_path).save(buf, format="PNG", dpi=(DPI, DPI), optimize=True)
    return buf.getvalue()


def pdf(sheets: Sequence[Sheet], font_path: str | None = None) -> bytes:
    """Every sheet as one page of a PDF, ready to print."""
    if not sheets:
        raise NotFound.of("no_counters_to_print")
    # Black and white at 200 dpi: a page is ~7 KB instead of ~100 KB in grey.
    pages = [image(s, font_path).convert("1", dither=Image.Dither.NONE) for s in sheets]
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", resolution=DPI, save_all=True, append_images=pages[1:])
    return buf.getvalue()
