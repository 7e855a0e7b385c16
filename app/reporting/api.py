"""Published indices: per unit, at any level of the tree, as JSON or CSV."""

from datetime import UTC
from email.utils import format_datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response

from app.access.security import OptionalPrincipal
from app.access.service import Principal
from app.campaigns import coordination
from app.campaigns.service import get_campaign
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import Unauthorized
from app.core.inputs import BoundedDate
from app.counts import snapshots
from app.counts.report_forms import gunzip_bytes
from app.questionnaires.catalog import get_catalog
from app.reporting import indices
from app.reporting.schemas import IndicesReport


def filters(
    service_field: Annotated[str | None, Query(description="Option code of service_field.")] = None,
    channel: Annotated[str | None, Query(description="kiosk, web, paper or interview.")] = None,
    respondent_type: Annotated[str | None, Query(description="citizen or organisation.")] = None,
    gender: Annotated[str | None, Query()] = None,
    age_band: Annotated[
        str | None, Query(description="18_24, 25_34, 35_49, 50_60, over_60.")
    ] = None,
    date_from: Annotated[
        BoundedDate | None, Query(description="First day (Vietnam time), YYYY-MM-DD.")
    ] = None,
    date_to: Annotated[BoundedDate | None, Query(description="Last day, included.")] = None,
) -> indices.Filters:
    return indices.Filters(
        service_field, channel, respondent_type, gender, age_band, date_from, date_to
    )


FiltersDep = Annotated[indices.Filters, Depends(filters)]
Scoring = Annotated[
    Literal["top2box", "mean20", "rescaled"] | None,
    Query(description="Criterion rule; default: the questionnaire's."),
]
Format = Annotated[Literal["json", "csv"] | None, Query(description="Or send Accept: text/csv.")]

router = APIRouter(prefix="/api/v1/campaigns", tags=["indices"])
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": IndicesReport,
        "content": {"text/csv": {}},
        "description": "The report. Unfiltered (published) reports carry an ETag and "
        "Last-Modified (when their responses were counted) and go out "
        "gzip-compressed to clients that accept it; they may lag the newest responses by up to "
        "REPORT_MAX_STALE_SECONDS (default 5).",
    },
    304: {"description": "Not modified: the ETag sent in If-None-Match is still current."},
    401: {"description": "Private campaign."},
    404: {"description": "Unknown campaign or unit."},
    422: {"description": "Bad parameter."},
}


def _public(session: SessionDep, campaign: str, who: Principal | None) -> bool:
    """Published indices are open (True); a private campaign's need a key or a session
    that sees it (False once allowed)."""
    if not get_campaign(session, campaign).is_private:
        return True
    if who is None:
        raise Unauthorized(f"campaign {campaign!r} is private; its indices need an API key")
    coordination.visible_campaign(session, who, campaign)
    return False


def accepts_gzip(header: str) -> bool:
    """Whether an Accept-Encoding header admits gzip (`gzip;q=0` refuses it)."""
    for part in header.split(","):
        coding, _, params = part.partition(";")
        if coding.strip().lower() not in ("gzip", "*"):
            continue
        name, _, value = params.strip().partition("=")
        if name.strip().lower() != "q":
            return True
        try:
            return float(value) > 0
        except ValueError:
            return False
    return False


def _respond(
    request: Request,
    session: SessionDep,
    report: indices.Report,
    fmt: str | None,
    name: str,
    public: bool,
) -> Response:
    """The report as JSON or CSV.

    A published report carries an ETag (its snapshot's version: a dashboard polling
    with If-None-Match gets 304 until the figures change) and Last-Modified (when its
    responses were counted), and goes out as the gzip bytes it is stored as to any
    client that accepts gzip."""
    wants_csv = fmt == "csv" or (fmt is None and "text/csv" in request.headers.get("accept", ""))
    gzip_ok = accepts_gzip(request.headers.get("accept-encoding", ""))
    # Shared caches (a CDN in front of the public dashboard) may keep a published
    # report as long as it may be stale here anyway; private ones stay private.
    max_age = int(get_settings().REPORT_MAX_STALE_SECONDS)
    headers = {
        "Vary": "Accept, Accept-Encoding",
        "Cache-Control": f"public, max-age={max_age}" if public else "private, no-cache",
    }
    if report.origin is not None:
        headers["ETag"] = f'W/"{report.origin.version}-{"csv" if wants_csv else "json"}"'
        # When the figures' responses were folded in: "as of" for a dashboard.
        built_at = report.origin.built_at.astimezone(UTC)
        headers["Last-Modified"] = format_datetime(built_at, usegmt=True)
        if headers["ETag"] in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
    if wants_csv:
        media = "text/csv; charset=utf-8"
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        data = snapshots.csv_gz(session, report)
        if not gzip_ok:
            data = gunzip_bytes(data)
    else:
        media = "application/json"
        data = report.gz() if gzip_ok else report.json()
    if gzip_ok:
        headers["Content-Encoding"] = "gzip"  # the GZip middleware passes it through as is
    return Response(data, media_type=media, headers=headers)


@router.get("/{campaign}/indices", responses=RESPONSES, response_class=Response)
def campaign_indices(
    campaign: str,
    request: Request,
    session: SessionDep,
    who: OptionalPrincipal,
    f: FiltersDep,
    level: Annotated[
        str | None, Query(description="Unit kind to list, e.g. department or commune.")
    ] = None,
    parent: Annotated[str | None, Query(description="Unit code; list the units under it.")] = None,
    scoring: Scoring = None,
    compare: Annotated[
        str | None, Query(description="Previous campaign code: adds change in points and rank.")
    ] = None,
    top: Annotated[int, Query(ge=0, le=100, description="Length of the top and bottom lists.")] = 5,
    format: Format = None,
) -> Response:
    """Indices of the campaign's units: SIPAS, factors, criteria, perception, timeliness, with n,
    95 % intervals, medians across the listed units and ranks. Without level/parent: the units in
    the campaign's scope."""
    public = _public(session, campaign, who)
    report = indices.report(
        session,
        get_catalog(),
        campaign,
        level=level,
        parent=parent,
        filters=f,
        scoring=scoring,
        compare=compare,
        top=top,
    )
    return _respond(request, session, report, format, f"{campaign}-indices", public)


@router.get("/{campaign}/units/{unit}/indices", responses=RESPONSES, response_class=Response)
def unit_indices(
    campaign: str,
    unit: str,
    request: Request,
    session: SessionDep,
    who: OptionalPrincipal,
    f: FiltersDep,
    scoring: Scoring = None,
    format: Format = None,
) -> Response:
    """One unit's indices (`unit`) and its direct sub-units compared with each other (`units`)."""
    public = _public(session, campaign, who)
    report = indices.unit_report(session, get_catalog(), campaign, unit, filters=f, scoring=scoring)
    return _respond(request, session, report, format, f"{campaign}-{unit}-indices", public)
