"""Published indices: per unit, at any level of the tree, as JSON or CSV."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC
from email.utils import format_datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import FileResponse
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.background import BackgroundTask

from app.access.security import ApiPrincipal, OptionalPrincipal
from app.access.service import Principal
from app.campaigns import coordination
from app.campaigns.models import Campaign
from app.campaigns.service import get_campaign, questionnaire_of
from app.collection.models import CHANNELS
from app.core.config import get_settings
from app.core.errors import FieldError, Invalid, NotFound
from app.core.inputs import BoundedDate
from app.core.replica import ReadSessionDep
from app.core.responses import errors, one_of
from app.counts import snapshots
from app.counts.report_forms import gunzip_bytes, gzip_bytes
from app.questionnaires.catalog import Rule, get_catalog
from app.reporting import editions, indices, microdata, printed, workbook
from app.reporting.models import Edition
from app.reporting.schemas import EditionOut, EditionsOut, IndicesReport
from app.units.models import UNIT_KINDS


def _options(question: str) -> Callable[[dict[str, Any]], None]:
    return one_of(lambda: get_catalog().option_codes(question))


def filters(
    service_field: Annotated[
        str | None,
        Query(
            description="Option code of service_field.", json_schema_extra=_options("service_field")
        ),
    ] = None,
    channel: Annotated[
        str | None,
        Query(description="How it was collected.", json_schema_extra=one_of(lambda: CHANNELS)),
    ] = None,
    respondent_type: Annotated[
        str | None,
        Query(
            description="Option code of respondent_type.",
            json_schema_extra=_options("respondent_type"),
        ),
    ] = None,
    gender: Annotated[
        str | None,
        Query(description="Option code of gender.", json_schema_extra=_options("gender")),
    ] = None,
    age_band: Annotated[
        str | None,
        Query(description="Option code of age_band.", json_schema_extra=_options("age_band")),
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
    Rule | None,
    Query(description="Criterion rule; default: the questionnaire's."),
]
Format = Annotated[
    Literal["json", "csv", "xlsx", "pdf"] | None,
    Query(
        description="json (default), csv (or send Accept: text/csv), xlsx: an Excel "
        "workbook of the ranking per unit kind, every block of indicators and the method, "
        "or pdf: the printed report (A4; campaign endpoint only)."
    ),
]
Shape = Annotated[
    Literal["long", "wide"],
    Query(
        description="CSV shape: long (one row per unit and indicator, unrounded, the default) "
        "or wide (the ranking table as on the screen, rounded as published, UTF-8 with BOM)."
    ),
]
Separator = Annotated[
    Literal[",", ";"],
    Query(
        description="Wide CSV separator; `;` for Excel in a Vietnamese locale (numbers then "
        "use the decimal comma)."
    ),
]
Lang = Annotated[
    Literal["vi", "en"],
    Query(
        description="Language of the labels of xlsx, wide CSV and PDF; in JSON, of `methods` "
        "(English unless `lang=vi` is given; `methods_vi` always holds the Vietnamese)."
    ),
]
Sort = Annotated[
    Literal["code", "rank", "name"],
    Query(
        description="Order of `units`: by unit code (default), by rank (1 first; tied units "
        "share a rank and keep code order; unranked, flagged units last) or by name."
    ),
]

router = APIRouter(prefix="/api/v1/campaigns", tags=["indices"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "model": IndicesReport,
        "content": {"text/csv": {}, XLSX: {}, "application/pdf": {}},
        "description": "The report. Unfiltered (published) reports carry an ETag and "
        "Last-Modified (when their responses were counted) and go out "
        "gzip-compressed to clients that accept it; they may lag the newest responses by up to "
        "REPORT_MAX_STALE_SECONDS (default 5).",
    },
    **errors(
        304,
        401,
        404,
        422,
        503,
        s401="An unknown or revoked API key.",
        s404="Unknown campaign, unit or parent, or edition. Without an API key or session a "
        "campaign is unknown until it is published (its published editions are served); a "
        "campaign outside the caller's area is unknown too.",
        s422="Bad parameter: an unknown level, option or scoring, or date_to before date_from.",
    ),
}


@dataclass(frozen=True)
class Reading:
    """What a request reads: a published edition, or (edition None) the live internal
    results a signed-in reader or a key whose area covers the campaign may see."""

    campaign: Campaign
    edition: Edition | None
    public: bool


def reading(session: Session, code: str, who: Principal | None, edition: int | None) -> Reading:
    """The public reads published editions only: an unpublished campaign is as unknown
    to it as a code that does not exist (404, no suggestions)."""
    if who is None:
        c = session.scalar(select(Campaign).where(Campaign.code == code))
        if c is None or not editions.is_published(session, c):
            raise NotFound.of("campaign_unknown", code=code)
        return Reading(c, editions.pick(session, c, edition), True)
    try:
        c = coordination.visible_campaign(session, who, code)
    except NotFound as unknown:
        # Outside the reader's area: what the public sees (published editions), if any;
        # else the error that suggests codes within the area.
        c = session.scalar(select(Campaign).where(Campaign.code == code))
        if c is None or not editions.is_published(session, c):
            raise unknown from None
        return Reading(c, editions.pick(session, c, edition), True)
    ed = None if edition is None else editions.pick(session, c, edition, internal=True)
    return Reading(c, ed, False)


def fixed(**asked: bool) -> None:
    """A published edition is the reports as published: parameters that would compute
    other figures cannot apply to it (422 naming them)."""
    names = [name for name, given in asked.items() if given]
    if names:
        raise Invalid.of(
            "edition_fixed",
            [FieldError.of(n, "edition_fixed", "fixed", names=n) for n in names],
            names=", ".join(names),
        )


def edition_report(session: Session, r: Reading, view: str, sort: str = "code") -> indices.Report:
    """One document of the edition read, marked with the edition, in `sort` order."""
    assert r.edition is not None
    report = editions.served(session, r.edition, view, r.campaign)
    if sort == "code":
        return report
    body = report.body
    body["units"] = indices.ordered(body["units"], sort)
    return indices.Report(body)


def internal(report: indices.Report) -> indices.Report:
    """Live results, marked as internal in the document itself."""
    data = editions.mark(report.json(), editions.INTERNAL_MARKS)
    return indices.Report(gz=gzip_bytes(data), origin=report.origin)


EditionParam = Annotated[
    int | None,
    Query(
        ge=1,
        description="Edition of the published results (default: the latest). Without it a "
        "signed-in reader or API key gets the live internal results.",
    ),
]


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
    session: ReadSessionDep,
    report: indices.Report,
    fmt: str | None,
    name: str,
    public: bool,
    shape: str = "long",
    sep: str = ",",
    lang: str = "vi",
) -> Response:
    """The report as JSON, CSV (long or wide) or an Excel workbook.

    A published report carries an ETag (its snapshot's version: a dashboard polling
    with If-None-Match gets 304 until the figures change) and Last-Modified (when its
    responses were counted), and goes out as the gzip bytes it is stored as to any
    client that accepts gzip."""
    wants_csv = fmt == "csv" or (fmt is None and "text/csv" in request.headers.get("accept", ""))
    variant = "json-vi" if request.query_params.get("lang") == "vi" else "json"
    if fmt == "xlsx":
        variant = f"xlsx-{lang}"
    elif wants_csv:
        variant = (
            f"csv-wide-{lang}-{'semicolon' if sep == ';' else 'comma'}"
            if shape == "wide"
            else "csv"
        )
    gzip_ok = accepts_gzip(request.headers.get("accept-encoding", ""))
    # Shared caches (a CDN in front of the public dashboard) may keep a published
    # report as long as it may be stale here anyway; private ones stay private.
    max_age = int(get_settings().REPORT_MAX_STALE_SECONDS)
    headers = {
        "Vary": "Accept, Accept-Encoding",
        "Cache-Control": f"public, max-age={max_age}" if public else "private, no-cache",
    }
    if report.origin is not None:
        headers["ETag"] = f'W/"{report.origin.version}-{variant}"'
        # When the figures' responses were folded in: "as of" for a dashboard.
        built_at = report.origin.built_at.astimezone(UTC)
        headers["Last-Modified"] = format_datetime(built_at, usegmt=True)
        if headers["ETag"] in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
    if fmt == "xlsx" or (wants_csv and shape == "wide"):
        # Made on request from the (stored) report: the figures are the JSON's.
        q = questionnaire_of(get_catalog(), get_campaign(session, report.body["campaign"]))
        as_of = report.origin.built_at if report.origin is not None else None
        if fmt == "xlsx":
            media = XLSX
            headers["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
            data = workbook.workbook(report.body, q, lang, as_of=as_of)
        else:
            media = "text/csv; charset=utf-8"
            headers["Content-Disposition"] = f'attachment; filename="{name}-table.csv"'
            precision = get_settings().RANK_PRECISION
            data = workbook.wide_csv(report.body, q, lang, sep=sep, precision=precision)
        return Response(data, media_type=media, headers=headers)
    if wants_csv:
        media = "text/csv; charset=utf-8"
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        data = snapshots.csv_gz(session, report)
        if not gzip_ok:
            data = gunzip_bytes(data)
    elif request.query_params.get("lang") == "vi" and "methods_vi" in report.body:
        # `methods` in Vietnamese, from the texts stored with the report (an edition
        # keeps the words it was published with).
        media = "application/json"
        body = report.body
        data = indices.Report({**body, "methods": body["methods_vi"]}).json()
        if gzip_ok:
            data = gzip_bytes(data)
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
    session: ReadSessionDep,
    who: OptionalPrincipal,
    f: FiltersDep,
    level: Annotated[
        str | None,
        Query(description="Unit kind to list.", json_schema_extra=one_of(lambda: UNIT_KINDS)),
    ] = None,
    parent: Annotated[str | None, Query(description="Unit code; list the units under it.")] = None,
    scoring: Scoring = None,
    compare: Annotated[
        str | None,
        Query(
            description="Previous campaign code: adds change in points and rank. A campaign "
            "on another questionnaire compares only through a mapping file "
            "(questionnaires/mappings/): `changes` per corresponding indicator and a "
            "`comparison` block; without one, 422."
        ),
    ] = None,
    top: Annotated[
        int,
        Query(
            ge=0,
            le=100,
            description="Length of the top and bottom lists (units tied at the cut-off are "
            "all included).",
        ),
    ] = 5,
    mixed: Annotated[
        bool,
        Query(
            description="Rank all listed units in one league; by default each unit kind "
            "(departments, communes, …) is ranked among its own kind."
        ),
    ] = False,
    aggregate: Annotated[
        Literal["pooled", "mean_of_units", "weighted"] | None,
        Query(
            description="Figures of a listed unit with sub-units: `pooled` (every response "
            "under it) or `mean_of_units` (unweighted mean of its unflagged direct sub-units); "
            "`weighted`: the campaign's `overall` post-stratified by its scope units' dossier "
            "counts (422 if one has none); default: the campaign's setting."
        ),
    ] = None,
    sort: Sort = "code",
    combine: Annotated[
        Literal["item_weighted", "mean"] | None,
        Query(
            description="How the index tree combines nodes that offer a choice (sipas-2023: "
            "the SIPAS and its two aspects): `item_weighted` (each child weighted by its "
            "number of items; the published method) or `mean` (simple mean of the "
            "children). 422 for a questionnaire that offers none."
        ),
    ] = None,
    format: Format = None,
    shape: Shape = "long",
    sep: Separator = ",",
    lang: Lang = "vi",
    edition: EditionParam = None,
) -> Response:
    """Indices of the campaign's units: SIPAS, factors, criteria, perception, timeliness, with n,
    95 % intervals, medians across the listed units and ranks. Without level/parent: the units in
    the campaign's scope."""
    r = reading(session, campaign, who, edition)
    if r.edition is not None:
        fixed(
            filters=f.any(),
            scoring=scoring is not None,
            compare=compare is not None,
            top=top != 5,
            mixed=mixed,
            aggregate=aggregate is not None,
            combine=combine is not None,
        )

    def get(level: str | None, parent: str | None) -> indices.Report:
        if r.edition is not None:
            return edition_report(session, r, editions.view_of(level, parent), sort)
        return internal(_live(level, parent))

    def _live(level: str | None, parent: str | None) -> indices.Report:
        return indices.report(
            session,
            get_catalog(),
            campaign,
            level=level,
            parent=parent,
            filters=f,
            scoring=scoring,
            compare=compare,
            top=top,
            mixed=mixed,
            aggregate=aggregate,
            sort=sort,
            combine=combine,
        )

    if format == "pdf":
        return _printed(session, campaign, get, level, parent, lang, r.edition)
    return _respond(
        request,
        session,
        get(level, parent),
        format,
        _file_name(f"{campaign}-indices", r),
        r.public,
        shape,
        sep,
        lang,
    )


def _file_name(base: str, r: Reading) -> str:
    """Downloads of an edition say which in their name, and an interim one "so-bo"
    (kết quả sơ bộ); live results keep the plain name (their contents say internal)."""
    if r.edition is None:
        return base
    return f"{base}-e{r.edition.number}" + ("-so-bo" if r.edition.interim else "")


def _printed(
    session: ReadSessionDep,
    campaign: str,
    get: Callable[[str | None, str | None], indices.Report],
    level: str | None,
    parent: str | None,
    lang: str,
    edition: Edition | None = None,
) -> Response:
    """The printed report: the headline of the campaign (its single scope unit, or the
    whole) and the league tables of the units asked for (by default that unit's
    sub-units); an edition's with the sample frozen when it was published."""
    c = get_campaign(session, campaign)
    q = questionnaire_of(get_catalog(), c)
    frozen = editions.frozen_sample(session, edition) if edition is not None else None
    data = printed.campaign_report(
        session,
        c,
        q,
        lambda lv, pa: get(lv, pa).body,
        level,
        parent,
        lang,
        printed.Sample.from_json(frozen) if frozen is not None else None,
    )
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{c.code}-bao-cao.pdf"'},
    )


@router.get("/{campaign}/units/{unit}/indices", responses=RESPONSES, response_class=Response)
def unit_indices(
    campaign: str,
    unit: str,
    request: Request,
    session: ReadSessionDep,
    who: OptionalPrincipal,
    f: FiltersDep,
    scoring: Scoring = None,
    sort: Sort = "code",
    format: Format = None,
    shape: Shape = "long",
    sep: Separator = ",",
    lang: Lang = "vi",
    edition: EditionParam = None,
) -> Response:
    """One unit's indices (`unit`) and its direct sub-units compared with each other (`units`)."""
    r = reading(session, campaign, who, edition)
    if format == "pdf":
        raise Invalid.of(
            "pdf_campaign_only", [FieldError.of("format", "pdf_use_campaign", "value")]
        )
    if r.edition is not None:
        fixed(filters=f.any(), scoring=scoring is not None)
        report = edition_report(session, r, editions.unit_view(unit), sort)
    else:
        report = internal(
            indices.unit_report(
                session, get_catalog(), campaign, unit, filters=f, scoring=scoring, sort=sort
            )
        )
    name = _file_name(f"{campaign}-{unit}-indices", r)
    return _respond(request, session, report, format, name, r.public, shape, sep, lang)


@router.get(
    "/{campaign}/microdata",
    response_class=FileResponse,
    responses={
        200: {
            "description": "One row per response: codes as variables, with variable and value "
            "labels (sav, dta, xlsx), in the caller's area only; no dossier hash, device or "
            "address.",
            "content": {media: {} for media in microdata.MEDIA.values()},
        },
        **errors(
            401,
            404,
            422,
            503,
            s401="Microdata need an API key or a session.",
            s404="Unknown campaign, or one outside the caller's area.",
        ),
    },
)
def campaign_microdata(
    campaign: str,
    session: ReadSessionDep,
    who: ApiPrincipal,
    format: Annotated[
        microdata.MicroFormat,
        Query(description="csv (UTF-8 with BOM), xlsx, sav (SPSS) or dta (Stata 15)."),
    ] = "csv",
    lang: Lang = "vi",
) -> FileResponse:
    """The campaign's responses as microdata for analysts (SPSS, Stata, CSV, Excel)."""
    c = coordination.visible_campaign(session, who, campaign)
    q = questionnaire_of(get_catalog(), c)
    path = microdata.export(session, c, q, format, lang, under=who.unit_id)
    return FileResponse(
        path,
        media_type=microdata.MEDIA[format],
        filename=f"{c.code}-microdata.{format}",
        background=BackgroundTask(path.unlink, missing_ok=True),
    )


@router.get(
    "/{campaign}/editions",
    response_model=EditionsOut,
    responses=errors(
        401,
        404,
        422,
        503,
        s401="An unknown or revoked API key.",
        s404="Unknown campaign, or (without a key or session) unpublished.",
    ),
)
def campaign_editions(
    campaign: str, session: ReadSessionDep, who: OptionalPrincipal
) -> EditionsOut:
    """The campaign's published editions, oldest first (signed-in readers also see
    withdrawn ones, and who published each)."""
    r = reading(session, campaign, who, None)
    listed = (
        editions.shown_editions(session, r.campaign)
        if r.public
        else editions.all_editions(session, r.campaign)
    )
    return EditionsOut(
        campaign=r.campaign.code,
        published=editions.is_published(session, r.campaign),
        editions=[
            EditionOut(
                **editions.meta(e),
                published_by=None if r.public else e.published_by,
                hidden=e.hidden_at is not None,
                hidden_reason=None if r.public else e.hidden_reason,
            )
            for e in listed
        ],
    )
