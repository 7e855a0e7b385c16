"""The coordinator's publish page: what will become public, confirmed, and the editions."""

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.access.dash_render import dash_form, dash_page, field
from app.access.security import PageManager, PagePrincipal
from app.campaigns import coordination
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import questionnaire_of
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import AppError
from app.questionnaires.catalog import get_catalog
from app.reporting import editions, hierarchy, indices
from app.reporting.workbook import League, leagues
from app.units.models import UNIT_KINDS
from app.web.render import language

router = APIRouter(include_in_schema=False)
FormDep = Depends(dash_form)


def preview(session: SessionDep, c: Campaign) -> list[League]:
    """The league tables the public page would show if published now (live figures)."""
    kinds = sorted({u.kind for u in editions.units_covered(session, c)}, key=UNIT_KINDS.index)
    return [
        league
        for kind in kinds
        for league in leagues(indices.report(session, get_catalog(), c.code, level=kind).body)
    ]


def _page(
    request: Request,
    session: SessionDep,
    who: Any,
    c: Campaign,
    status_code: int = 200,
    problem: AppError | None = None,
    note: str = "",
    reason: str = "",
) -> HTMLResponse:
    # What no choice on this page can overcome (an open campaign can go out as interim).
    blocked = None
    if c.is_private:
        blocked = "pub_private"
    elif c.status == CampaignStatus.draft:
        blocked = "pub_draft"
    all_eds = editions.all_editions(session, c)
    q = questionnaire_of(get_catalog(), c)
    return dash_page(
        request,
        "publish.html",
        who,
        status_code,
        campaign=c,
        tab="publish",
        eds=list(reversed(all_eds)),
        next_number=(all_eds[-1].number + 1) if all_eds else 1,
        published=editions.is_published(session, c),
        closed=c.status == CampaignStatus.closed,
        blocked=blocked,
        tables=[] if blocked else preview(session, c),
        factors=[f.code for f in q.groups],
        headings=hierarchy.headings(q, language(request)),
        tree_legend=hierarchy.legend(q, language(request)),
        node_kind=hierarchy.kinds(q),
        digits=get_settings().RANK_PRECISION,
        problem=problem,
        note=note,
        reason=reason,
        public_url=f"/results/{c.code}",
    )


@router.get("/dash/campaigns/{code}/publish", response_class=HTMLResponse)
def publish_page(
    code: str, request: Request, session: SessionDep, who: PagePrincipal
) -> HTMLResponse:
    """What publishing would show the public (the league tables as they stand now),
    the form that publishes it, and the editions so far."""
    c = coordination.visible_campaign(session, who, code)
    return _page(request, session, who, c)


@router.post("/dash/campaigns/{code}/publish", response_class=HTMLResponse)
def publish(
    code: str, request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Publish the next edition (the page's form is the confirmation)."""
    c = coordination.visible_campaign(session, who, code)
    note = field(form, "note")
    try:
        editions.publish(
            session, get_catalog(), who, c, note=note or None, interim=bool(field(form, "interim"))
        )
    except AppError as exc:
        if exc.status_code == 403:
            raise
        return _page(request, session, who, c, exc.status_code, exc, note=note)
    return RedirectResponse(f"/dash/campaigns/{c.code}/publish?saved=1", status_code=303)


@router.post("/dash/campaigns/{code}/unpublish", response_class=HTMLResponse)
def unpublish(
    code: str, request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Hide every edition from the public, with the reason."""
    c = coordination.visible_campaign(session, who, code)
    reason = field(form, "reason")
    try:
        editions.unpublish(session, who, c, reason)
    except AppError as exc:
        if exc.status_code == 403:
            raise
        return _page(request, session, who, c, exc.status_code, exc, reason=reason)
    return RedirectResponse(f"/dash/campaigns/{c.code}/publish?saved=1", status_code=303)
