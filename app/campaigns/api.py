"""Campaigns for coordinators and consumers: settings, targets, quotas, progress, review.

Reads need a signed-in session or an API key; writes need a coordinator's session
and its CSRF token in `X-CSRF-Token` (API keys are read-only).
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from app.access import service as accounts
from app.access.security import ApiManager, ApiPrincipal
from app.access.service import Principal
from app.campaigns import comments, coordination, review
from app.campaigns import service as campaigns
from app.campaigns.models import CampaignStatus
from app.campaigns.review import State
from app.campaigns.schemas import (
    AuditOut,
    CampaignBody,
    CampaignCreate,
    CampaignOut,
    CommentOut,
    CommentReviewBody,
    CommentsOut,
    DayOut,
    OpenBody,
    ProgressOut,
    QuotasBody,
    ReasonBody,
    ResponseOut,
    ResponsesOut,
    ReviewOut,
    ScopeUnitOut,
    TargetsBody,
)
from app.campaigns.service import CampaignIn
from app.core.db import SessionDep
from app.core.errors import Forbidden, Invalid
from app.core.responses import errors, one_of
from app.questionnaires import quality
from app.questionnaires.catalog import get_catalog

router = APIRouter(prefix="/api/v1", tags=["campaigns"])
WHY = {
    "s401": "No session and no API key, or an unknown key.",
    "s403": "Outside the account's role or area, an API key on a write, or a missing CSRF token.",
    "s404": "Unknown campaign (or one outside your area).",
    "s409": "The change conflicts with what is stored: the code is taken, or the response is "
    "already excluded (or not excluded), or the comment already has the state asked for "
    "(a hidden one cannot be chosen for the report).",
}
# What each kind of route can answer besides its result: every one checks the caller
# (401) and reads the database (503); writes need a coordinator's session and CSRF
# token (403); a campaign in the path may be unknown (404).
LIST = errors(401, 422, 503, **WHY)
READ = errors(401, 404, 422, 503, **WHY)
CREATE = errors(401, 403, 409, 422, 503, **WHY)
WRITE = errors(401, 403, 404, 422, 503, **WHY)
REVIEW = errors(401, 403, 404, 409, 422, 503, **WHY)
ADMIN = errors(401, 403, 422, 503, **WHY)


def _out(session: SessionDep, code: str) -> CampaignOut:
    c = campaigns.get_campaign(session, code)
    return CampaignOut(
        code=c.code,
        name=c.name,
        status=c.status,
        starts_on=c.starts_on,
        ends_on=c.ends_on,
        questionnaire=c.questionnaire,
        version=c.questionnaire_version,
        min_sample=c.min_sample,
        is_private=c.is_private,
        quota_policy=c.quota_policy,
        aggregate=c.aggregate,
        kind=c.kind,
        margin_of_error=c.margin_of_error,
        complaint_phone=c.complaint_phone,
        complaint_url=c.complaint_url,
        units=[
            ScopeUnitOut(
                unit=s.unit.code,
                name=s.unit.name,
                kind=s.unit.kind,
                target=s.target,
                transactions=s.transactions,
                collected=s.collected,
            )
            for s in campaigns.scope(session, c)
        ],
        quotas=campaigns.quota_shares(session, c),
    )


def _data(code: str, body: CampaignBody) -> CampaignIn:
    return CampaignIn(
        code=code,
        name=body.name,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
        questionnaire=body.questionnaire,
        version=body.version,
        units=body.units,
        min_sample=body.min_sample,
        is_private=body.is_private,
        quota_policy=body.quota_policy,
        aggregate=body.aggregate,
        kind=body.kind,
        complaint_phone=body.complaint_phone,
        complaint_url=body.complaint_url,
    )


@router.get("/campaigns", response_model=list[CampaignOut], responses=LIST)
def list_campaigns(session: SessionDep, who: ApiPrincipal) -> list[CampaignOut]:
    """The campaigns with a unit in your area, newest first."""
    return [_out(session, c.code) for c in campaigns.visible_campaigns(session, who.unit_id)]


@router.post("/campaigns", response_model=CampaignOut, status_code=201, responses=CREATE)
def create_campaign(body: CampaignCreate, session: SessionDep, who: ApiManager) -> CampaignOut:
    """Create a draft campaign over units in your area."""
    c = coordination.create(session, get_catalog(), who, _data(body.code, body))
    return _out(session, c.code)


@router.get("/campaigns/{campaign}", response_model=CampaignOut, responses=READ)
def get_campaign(campaign: str, session: SessionDep, who: ApiPrincipal) -> CampaignOut:
    """A campaign's settings, scope units with targets and counts, and quotas."""
    return _out(session, coordination.visible_campaign(session, who, campaign).code)


@router.put("/campaigns/{campaign}", response_model=CampaignOut, responses=WRITE)
def edit_campaign(
    campaign: str, body: CampaignBody, session: SessionDep, who: ApiManager
) -> CampaignOut:
    """Replace a campaign's settings and scope (the code stays)."""
    c = coordination.visible_campaign(session, who, campaign)
    coordination.edit(session, get_catalog(), who, c, _data(c.code, body))
    return _out(session, c.code)


def _status(session: SessionDep, who: Principal, campaign: str, status: str) -> CampaignOut:
    c = coordination.visible_campaign(session, who, campaign)
    coordination.change_status(session, who, c, CampaignStatus(status))
    return _out(session, c.code)


@router.post(
    "/campaigns/{campaign}/open",
    response_model=CampaignOut,
    responses=errors(
        401,
        403,
        404,
        409,
        422,
        503,
        **{
            **WHY,
            "s409": "`overlap`: counters in the scope already collect for another open "
            "campaign; send `counters` to say which campaign each one feeds.",
        },
    ),
)
def open_campaign(
    campaign: str, session: SessionDep, who: ApiManager, body: OpenBody | None = None
) -> CampaignOut:
    """Start accepting responses; over counters of another open campaign, say which each feeds."""
    c = coordination.visible_campaign(session, who, campaign)
    feeds = body.counters if body is not None else None
    coordination.change_status(session, who, c, CampaignStatus.open, feeds)
    return _out(session, c.code)


@router.post("/campaigns/{campaign}/close", response_model=CampaignOut, responses=WRITE)
def close_campaign(campaign: str, session: SessionDep, who: ApiManager) -> CampaignOut:
    """Stop accepting responses (a closed campaign can be reopened)."""
    return _status(session, who, campaign, "closed")


@router.put("/campaigns/{campaign}/targets", response_model=CampaignOut, responses=WRITE)
def set_targets(
    campaign: str, body: TargetsBody, session: SessionDep, who: ApiManager
) -> CampaignOut:
    """Set sample targets per scope unit."""
    c = coordination.visible_campaign(session, who, campaign)
    coordination.set_targets(session, who, c, body.targets)
    return _out(session, c.code)


@router.post("/campaigns/{campaign}/targets.csv", response_model=CampaignOut, responses=WRITE)
async def targets_from_csv(
    campaign: str,
    request: Request,
    session: SessionDep,
    who: ApiManager,
    margin: Annotated[float, Query(gt=0, lt=1, description="e, e.g. 0.05")] = 0.05,
) -> CampaignOut:
    """Targets n = N/(1+N·e²) from a CSV body `unit,transactions` (text/csv, UTF-8)."""
    data = await request.body()
    c = coordination.visible_campaign(session, who, campaign)
    coordination.targets_from_transactions(session, who, c, data, margin, "body")
    return _out(session, c.code)


@router.put("/campaigns/{campaign}/quotas", response_model=CampaignOut, responses=WRITE)
def set_quotas(
    campaign: str, body: QuotasBody, session: SessionDep, who: ApiManager
) -> CampaignOut:
    """Replace the stratum quotas (gender, age band, service field, respondent type)."""
    c = coordination.visible_campaign(session, who, campaign)
    coordination.set_quotas(session, get_catalog(), who, c, body.quotas)
    return _out(session, c.code)


@router.get("/campaigns/{campaign}/progress", response_model=ProgressOut, responses=READ)
def campaign_progress(campaign: str, session: SessionDep, who: ApiPrincipal) -> ProgressOut:
    """Collected against target per scope unit and stratum, pace and projected completion."""
    c = coordination.visible_campaign(session, who, campaign)
    out = ProgressOut.model_validate(
        coordination.progress_of(session, who, c), from_attributes=True
    )
    out.daily = [DayOut(date=d, n=n) for d, n in coordination.daily_of(session, who, c)]
    return out


@router.get("/campaigns/{campaign}/responses", response_model=ResponsesOut, responses=READ)
def list_responses(
    campaign: str,
    session: SessionDep,
    who: ApiPrincipal,
    state: Annotated[State, Query(description="flagged (default), excluded, over_quota, all")] = (
        "flagged"
    ),
    flag: Annotated[
        str | None,
        Query(
            description="Only responses with this flag.",
            json_schema_extra=one_of(lambda: (*quality.ALL, "over_quota")),
        ),
    ] = None,
    # 50 a page: 10⁹ pages is more than any campaign holds, and keeps the
    # offset within the databases' 64-bit integers.
    page: Annotated[int, Query(ge=1, le=1_000_000_000)] = 1,
    interviewer: Annotated[
        str | None,
        Query(max_length=120, description="Only the forms this interviewer (login) filled."),
    ] = None,
) -> ResponsesOut:
    """Responses for review, newest first, 50 a page, with flag counts (no answers)."""
    c = coordination.visible_campaign(session, who, campaign)
    listing = review.list_responses(session, who, c, state, flag, page, interviewer)
    return ResponsesOut(
        total=listing.total,
        page=page,
        flag_counts=listing.flag_counts,
        excluded=listing.excluded,
        responses=[ResponseOut.model_validate(r, from_attributes=True) for r in listing.rows],
    )


def _uuid(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Invalid.of("response_not_uuid", raw=value) from None


@router.post(
    "/campaigns/{campaign}/responses/{response_id}/exclude",
    response_model=ReviewOut,
    responses=REVIEW,
)
def exclude_response(
    campaign: str, response_id: str, body: ReasonBody, session: SessionDep, who: ApiManager
) -> ReviewOut:
    """Leave a response out of every index and count, with a reason (audited)."""
    c = coordination.visible_campaign(session, who, campaign)
    review.exclude(session, get_catalog(), who, c, _uuid(response_id), body.reason)
    return ReviewOut(id=response_id, state="excluded")


@router.post(
    "/campaigns/{campaign}/responses/{response_id}/restore",
    response_model=ReviewOut,
    responses=REVIEW,
)
def restore_response(
    campaign: str, response_id: str, body: ReasonBody, session: SessionDep, who: ApiManager
) -> ReviewOut:
    """Count an excluded response again (audited)."""
    c = coordination.visible_campaign(session, who, campaign)
    review.restore(session, who, c, _uuid(response_id), body.reason)
    return ReviewOut(id=response_id, state="counted")


def _comment_out(c: comments.Comment) -> CommentOut:
    return CommentOut(
        response_id=c.id,
        question=c.question,
        text=c.text,
        unit=c.unit,
        unit_name=c.unit_name,
        channel=c.channel,
        submitted_at=c.submitted_at,
        hidden=c.hidden_at is not None,
        hidden_at=c.hidden_at,
        hidden_by=c.hidden_by,
        hidden_reason=c.hidden_reason,
        chosen=c.chosen_at is not None,
        chosen_at=c.chosen_at,
    )


@router.get("/campaigns/{campaign}/comments", response_model=CommentsOut, responses=READ)
def list_comments(
    campaign: str,
    session: SessionDep,
    who: ApiPrincipal,
    unit: Annotated[str | None, Query(description="Only under this unit (its code).")] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=comments.MAX_SEARCH,
            description="Words the comment contains (case and Vietnamese marks ignored).",
        ),
    ] = None,
    question: Annotated[str | None, Query(description="Only this free-text question.")] = None,
    state: Annotated[
        comments.State, Query(description="shown (default), hidden, chosen (for the report), all")
    ] = "shown",
    page: Annotated[int, Query(ge=1, le=1_000_000_000)] = 1,
) -> CommentsOut:
    """Citizens' comments within the caller's area, newest first, 50 a page."""
    c = coordination.visible_campaign(session, who, campaign)
    query = comments.Query(unit or None, (q or "").strip() or None, question or None, state)
    listing = comments.list_comments(session, who, c, query, page)
    return CommentsOut(
        total=listing.total,
        page=page,
        page_size=comments.PAGE_SIZE,
        comments=[_comment_out(x) for x in listing.rows],
    )


@router.post(
    "/campaigns/{campaign}/comments/{response_id}/{question}/{action}",
    response_model=CommentOut,
    responses=REVIEW,
)
def review_comment(
    campaign: str,
    response_id: str,
    question: str,
    action: comments.Action,
    session: SessionDep,
    who: ApiManager,
    body: CommentReviewBody | None = None,
) -> CommentOut:
    """Hide a comment as abusive (with a reason), show it again, choose it for the printed
    report or take it out again (audited); answers the comment as it is now."""
    c = coordination.visible_campaign(session, who, campaign)
    sid = _uuid(response_id)
    reason = body.reason if body is not None else ""
    comments.review_comment(session, who, c, sid, question, action, reason)
    return _comment_out(comments.comment_of(session, who, c, sid, question))


@router.get("/audit", response_model=list[AuditOut], responses=ADMIN)
def audit_log(
    session: SessionDep, who: ApiPrincipal, limit: Annotated[int, Query(ge=1, le=1000)] = 200
) -> list[AuditOut]:
    """The latest coordinator actions (admins only)."""
    if not who.is_admin:
        raise Forbidden.of("audit_admin_only")
    return [
        AuditOut.model_validate(e, from_attributes=True) for e in accounts.audit_log(session, limit)
    ]
