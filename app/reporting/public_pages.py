"""The public results pages: a published edition's league tables and each unit's page.

No sign-in, no script, no framework, no third-party request; the styles are inline
so one request is one page (a journalist on a phone links to /results/C/units/U).
Everything shown is read from the edition's frozen documents.
"""

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select

from app.access import dash_format
from app.campaigns.models import Campaign
from app.campaigns.service import questionnaire_of
from app.core import labels
from app.core.config import get_settings
from app.core.errors import NotFound
from app.core.replica import ReadSessionDep
from app.counts.report_forms import Report
from app.questionnaires.catalog import get_catalog
from app.reporting import editions, hierarchy
from app.reporting.doc_text import flag_labels, kind_label
from app.reporting.models import Edition, EditionDocument
from app.reporting.public_text import p
from app.reporting.workbook import leagues
from app.units.models import UNIT_KINDS
from app.web.render import PAGE_HEADERS, language, remember_language, templates

router = APIRouter(include_in_schema=False)

# Published pages change only when an edition is published or withdrawn.
HEADERS = {**PAGE_HEADERS, "Cache-Control": "public, max-age=60"}


def _published(session: ReadSessionDep, code: str, number: int | None) -> tuple[Campaign, Edition]:
    """The campaign and edition asked for; an unpublished campaign is unknown here."""
    c = session.scalar(select(Campaign).where(Campaign.code == code))
    if c is None or not editions.is_published(session, c):
        raise NotFound.of("campaign_unknown", code=code)
    return c, editions.pick(session, c, number)


def _doc(session: ReadSessionDep, edition: Edition, view: str) -> dict[str, Any] | None:
    gz = session.scalar(
        select(EditionDocument.json_gz).where(
            EditionDocument.edition_id == edition.id, EditionDocument.view == view
        )
    )
    return None if gz is None else Report(gz=bytes(gz)).body


def _level_docs(session: ReadSessionDep, edition: Edition) -> list[dict[str, Any]]:
    """The edition's league tables per unit kind, in the order of the unit tree."""
    views = session.scalars(
        select(EditionDocument.view).where(
            EditionDocument.edition_id == edition.id, EditionDocument.view.like("level:%")
        )
    ).all()
    kinds = sorted((v.removeprefix("level:") for v in views), key=UNIT_KINDS.index)
    docs = [_doc(session, edition, editions.view_of(k, None)) for k in kinds]
    return [d for d in docs if d is not None]


def _render(request: Request, name: str, lang: str, **values: Any) -> HTMLResponse:
    digits = get_settings().RANK_PRECISION
    page = templates.get_template(name).render(
        p=lambda key, **kw: p(key, lang, **kw),
        lang=lang,
        other="en" if lang == "vi" else "vi",
        pct=lambda v: dash_format.num(v, lang, digits),
        num=lambda v: dash_format.num(v, lang),
        day=lambda v: dash_format.day(v, lang),
        kind=lambda k: kind_label(k, lang),
        flags=lambda f: flag_labels(f, lang),
        **values,
    )
    response = HTMLResponse(page, headers=HEADERS)
    remember_language(response, request, lang)
    return response


def _downloads(code: str, edition: Edition, unit: str | None = None) -> list[tuple[str, str]]:
    base = f"/api/v1/campaigns/{code}" + (f"/units/{unit}" if unit else "") + "/indices"
    q = f"edition={edition.number}"
    out = [
        ("dl_xlsx", f"{base}?format=xlsx&{q}"),
        ("dl_csv", f"{base}?format=csv&shape=wide&sep=%3B&{q}"),
        ("dl_long", f"{base}?format=csv&{q}"),
        ("dl_json", f"{base}?{q}"),
    ]
    if unit is None:
        out.insert(1, ("dl_pdf", f"{base}?format=pdf&{q}"))
    return out


@router.get("/results/{code}", response_class=HTMLResponse)
def results_page(
    code: str,
    request: Request,
    session: ReadSessionDep,
    edition: int | None = Query(default=None, ge=1),
) -> HTMLResponse:
    """A published campaign's league tables, one per unit kind, with the median row."""
    c, ed = _published(session, code, edition)
    lang = language(request)
    q = questionnaire_of(get_catalog(), c)
    docs = _level_docs(session, ed)
    tables = [league for body in docs for league in leagues(body)]
    return _render(
        request,
        "public/results.html",
        lang,
        campaign=c,
        edition=ed,
        shown=editions.shown_editions(session, c),
        tables=tables,
        factors=[(f.code, f.title.get(lang) or f.title["vi"]) for f in q.groups],
        downloads=_downloads(c.code, ed),
    )


@router.get("/results/{code}/units/{unit}", response_class=HTMLResponse)
def unit_page(
    code: str,
    unit: str,
    request: Request,
    session: ReadSessionDep,
    edition: int | None = Query(default=None, ge=1),
) -> HTMLResponse:
    """One unit of a published edition: SIPAS, factors and criteria beside the median
    of the units it is ranked among, its rank, and its downloads."""
    c, ed = _published(session, code, edition)
    body = _doc(session, ed, editions.unit_view(unit))
    if body is None:
        raise NotFound.of("unit_not_in_campaign", unit=unit, code=c.code)
    lang = language(request)
    q = questionnaire_of(get_catalog(), c)
    entry = body["unit"]
    league = None
    listed = _doc(session, ed, editions.view_of(entry["kind"], None))
    if listed is not None:
        league = next((g for g in leagues(listed) if any(e["unit"] == unit for e in g.units)), None)
    ranked = next((e for e in league.units if e["unit"] == unit), None) if league else None
    median = league.median if league else body["median"]

    def pick(text: dict[str, str]) -> str:
        return text.get(lang) or text["vi"]

    # A deeper tree: an aspect's row says it is one and its groups stand indented
    # under it (`node` the row's class); a factor row is as it was.
    kinds = hierarchy.kinds(q)
    deep = "aspect" in kinds.values()
    aspect = labels.node_kind("aspect", lang)
    factor_rows = [
        (
            f"{aspect}: {pick(f.title)}" if kinds[f.code] == "aspect" else pick(f.title),
            entry["factors"][f.code],
            median.get("factors", {}).get(f.code),
            kinds[f.code] if deep else "",
        )
        for f in q.groups
    ]
    item_rows = [
        (
            f"{code_}. {pick(q.questions[code_].text)}",
            entry["items"][code_],
            median.get("items", {}).get(code_),
            "",
        )
        for f in q.groups
        for code_ in f.items
        if code_ in entry["items"]
    ]
    return _render(
        request,
        "public/unit.html",
        lang,
        campaign=c,
        edition=ed,
        entry=entry,
        rank=ranked["rank"] if ranked else None,
        rank_interval=ranked.get("rank_interval") if ranked else None,
        vs_median=ranked.get("vs_median") if ranked else None,
        ranked_of=sum(1 for e in league.units if e["rank"] is not None) if league else 0,
        league=kind_label(league.name, lang) if league else "",
        median=median,
        factor_rows=factor_rows,
        nodes_heading=labels.say(labels.NODE_KINDS_DEEP, lang) if deep else "",
        item_rows=item_rows,
        downloads=_downloads(c.code, ed, unit),
    )
