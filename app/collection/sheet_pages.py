"""QR sheets over HTTP: one counter's sheet, or every counter of a campaign as one PDF."""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from app.access.security import ApiPrincipal
from app.campaigns import coordination
from app.collection import sheets
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.responses import errors

router = APIRouter(tags=["qr sheets"])


def base_url(request: Request) -> str:
    """PUBLIC_URL when it is set, else the address this request came in on."""
    settings = get_settings()
    if "PUBLIC_URL" in settings.model_fields_set:
        return settings.PUBLIC_URL
    return str(request.base_url)


def _download(body: bytes, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


def _sheet(media_type: str, *statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        200: {"content": {media_type: {}}, "description": "The sheet."},
        **errors(
            *statuses,
            s404="Unknown counter or campaign (or a campaign outside your area).",
            s503="The database is busy or unreachable (retry after `Retry-After` seconds), or "
            "no font with Vietnamese letters was found for PNG and PDF (`SHEET_FONT`).",
        ),
    }


@router.get(
    "/s/{counter}/sheet.svg",
    response_class=Response,
    responses=_sheet("image/svg+xml", 404, 422, 503),
)
def counter_sheet_svg(counter: str, request: Request, session: SessionDep) -> Response:
    """A counter's printable QR sheet (A5) as SVG."""
    sheet = sheets.sheet_for(session, counter, base_url(request))
    return _download(sheets.svg(sheet).encode(), "image/svg+xml", f"sipas-{counter}.svg")


@router.get(
    "/s/{counter}/sheet.png", response_class=Response, responses=_sheet("image/png", 404, 422, 503)
)
def counter_sheet_png(counter: str, request: Request, session: SessionDep) -> Response:
    """A counter's printable QR sheet (A5, 200 dpi) as PNG."""
    sheet = sheets.sheet_for(session, counter, base_url(request))
    body = sheets.png(sheet, get_settings().SHEET_FONT)
    return _download(body, "image/png", f"sipas-{counter}.png")


@router.get(
    "/api/v1/campaigns/{campaign}/sheets.pdf",
    response_class=Response,
    responses=_sheet("application/pdf", 401, 404, 422, 503),
)
def campaign_sheets_pdf(
    campaign: str, request: Request, session: SessionDep, who: ApiPrincipal
) -> Response:
    """Every counter of a campaign's units, one A5 QR sheet per page, as PDF (signed in)."""
    coordination.visible_campaign(session, who, campaign)
    found = sheets.campaign_sheets(session, campaign, base_url(request))
    body = sheets.pdf(found, get_settings().SHEET_FONT)
    return _download(body, "application/pdf", f"sipas-{campaign}-sheets.pdf")
