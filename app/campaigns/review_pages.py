"""Review pages beside the list: one response with its answers, and excluding many.

A coordinator opens a response to see what was answered (question texts and the
chosen labels in the page's language, each flag explained) before excluding it, and
picks the reason from a list of translated reasons, with a note; several responses
can be excluded with one reason after one confirmation, each audited on its own.
"""

import uuid
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.access import dash_text
from app.access.dash_render import dash_form, dash_page, field
from app.access.security import PageManager, PagePrincipal
from app.access.service import Principal
from app.campaigns import comments, coordination, review
from app.campaigns.models import Campaign
from app.core.clock import VIETNAM
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import Invalid
from app.questionnaires.catalog import get_catalog
from app.web.render import language

router = APIRouter(include_in_schema=False)
FormDep = Depends(dash_form)
MAX_REASON = 500


def response_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Invalid.of("response_not_id", raw=value) from None


def reason_from(form: FormData, lang: str) -> tuple[str, str | None, str | None]:
    """(reason to store, reason code, problem key) from a review form: a reason picked
    from the list (stored in the coordinator's words) and an optional note; `other`
    needs the note. The older free-text `reason` field is still understood."""
    code, note = field(form, "reason_code"), field(form, "note")
    if not code or code not in review.REASONS:
        typed = field(form, "reason") or note
        if not typed:
            return "", None, "why_missing"
        return typed, None, "why_too_long" if len(typed) > MAX_REASON else None
    if code == "other" and not note:
        return "", code, "why_other_note"
    label = dash_text.t(f"why_{code}", lang)
    reason = note if code == "other" else (f"{label} – {note}" if note else label)
    return reason, code, "why_too_long" if len(reason) > MAX_REASON else None


def _limits() -> dict[str, int]:
    s = get_settings()
    return {
        "speeding": s.SPEEDING_SECONDS,
        "burst": s.BURST_SECONDS,
        "interviewer_burst": s.INTERVIEWER_BURST_COUNT,
        "interviewer_burst_minutes": s.INTERVIEWER_BURST_MINUTES,
    }


def detail_page(
    request: Request,
    session: SessionDep,
    who: Principal,
    campaign: Campaign,
    sid: uuid.UUID,
    status_code: int = 200,
    problem: str | None = None,
    form: FormData | None = None,
) -> HTMLResponse:
    """One response: what it says, its flags explained, and the exclude (or restore) form."""
    found = review.detail(session, who, campaign, sid)
    s = get_settings()
    return dash_page(
        request,
        "response.html",
        who,
        status_code=status_code,
        campaign=campaign,
        tab="responses",
        d=found,
        r=found.row,
        hidden_comments=comments.hidden_of(session, sid),
        vn=VIETNAM,
        limits=_limits(),
        replay={"count": s.REPLAY_FLAG_COUNT, "minutes": s.REPLAY_MINUTES},
        reasons=review.REASONS,
        chosen=field(form, "reason_code") if form else "",
        note=field(form, "note") if form else "",
        problem=problem,
    )


@router.get("/dash/campaigns/{code}/responses/{rid}", response_class=HTMLResponse)
def response_page(
    code: str, rid: str, request: Request, session: SessionDep, who: PagePrincipal
) -> HTMLResponse:
    """One response with its answers, before deciding to exclude it."""
    c = coordination.visible_campaign(session, who, code)
    return detail_page(request, session, who, c, response_id(rid))


def _back(code: str, back: str, excluded: int) -> RedirectResponse:
    # Back to the list as it was (state, flag, page); only its query is taken.
    params = [(k, v) for k, v in parse_qsl(back) if k in ("state", "flag", "page")]
    query = urlencode([*(params or [("state", "flagged")]), ("excluded", str(excluded))])
    return RedirectResponse(f"/dash/campaigns/{code}/responses?{query}", status_code=303)


@router.post("/dash/campaigns/{code}/responses/exclude", response_class=HTMLResponse)
def exclude_selected(
    code: str,
    request: Request,
    session: SessionDep,
    who: PageManager,
    form: FormData = FormDep,
) -> Response:
    """Responses ticked in the list: first a confirmation listing them with the
    reason, then (confirm=1) all of them excluded with that reason, or none."""
    c = coordination.visible_campaign(session, who, code)
    lang = language(request)
    ids = list(dict.fromkeys(response_id(str(v)) for v in form.getlist("ids")))
    rows = review.rows_of(session, who, c, ids) if ids else []
    reason, why, problem = reason_from(form, lang)
    confirmed = field(form, "confirm") == "1"
    status = 200
    if not ids:
        problem, status = "none_selected", 422
    elif already := [r for r in rows if r.excluded_at is not None]:
        # Say which; the rest can be confirmed again.
        problem, status = "already_excluded", 409
        problem_id = str(already[0].id)
        rows = [r for r in rows if r.excluded_at is None]
    elif confirmed and problem:
        status = 422
    elif confirmed:
        n = review.exclude_many(session, get_catalog(), who, c, ids, reason, why)
        return _back(c.code, field(form, "back"), n)
    else:
        problem = None  # the first step only asks; a reason may still be picked here
    return dash_page(
        request,
        "responses_confirm.html",
        who,
        status_code=status,
        campaign=c,
        tab="responses",
        rows=rows,
        vn=VIETNAM,
        reasons=review.REASONS,
        chosen=field(form, "reason_code"),
        note=field(form, "note"),
        back=field(form, "back"),
        problem=problem,
        problem_id=problem_id if status == 409 else "",
    )
