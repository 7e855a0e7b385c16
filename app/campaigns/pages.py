"""The coordinator's pages: campaigns, progress, settings, response review.

Thin routes: services do the work and the checks (app/campaigns/coordination.py,
review.py). Forms post back, and on success redirect (post/redirect/get) so a
reload never repeats an action; a rejected form is shown again with its problems.
"""

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData, UploadFile

from analysis import sampling
from app.access.dash_render import dash_form, dash_page, field
from app.access.security import PageManager, PagePrincipal
from app.access.service import Principal
from app.campaigns import coordination, counters, review
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.review_pages import detail_page, reason_from
from app.campaigns.service import CampaignIn
from app.core import clock
from app.core.clock import VIETNAM
from app.core.db import SessionDep
from app.core.errors import FieldError, Invalid
from app.core.inputs import ascii_int
from app.core.replica import ReadSessionDep
from app.questionnaires.catalog import get_catalog
from app.reporting.models import Edition
from app.units import service as units
from app.units.models import UNIT_KINDS, Unit
from app.web.render import language

router = APIRouter(include_in_schema=False)
FormDep = Depends(dash_form)
SPLIT = re.compile(r"[\s,;]+")
STATUS_ORDER = {"behind": 0, "at_risk": 1, "early": 2, "on_track": 3, "no_target": 4, "done": 5}


def query_builder(request: Request) -> Callable[..., str]:
    """`query(sort="x")`: the current query string with some parameters changed."""

    def query(**changes: Any) -> str:
        params = dict(request.query_params)
        params.update({k: str(v) for k, v in changes.items()})
        params.pop("saved", None)
        return urlencode(params)

    return query


@dataclass
class CampaignForm:
    """A campaign form as typed, so a rejected form comes back as it was."""

    code: str = ""
    name: str = ""
    starts_on: str = ""
    ends_on: str = ""
    questionnaire: str = "sipas-2017/1"
    min_sample: str = "30"
    quota_policy: str = "accept"
    aggregate: str = "pooled"
    is_private: bool = False
    complaint_phone: str = ""
    complaint_url: str = ""
    units: str = ""
    kind: str = ""
    parent: str = ""
    picked: list[str] = dc_field(default_factory=list)  # ticked in the unit tree

    @classmethod
    def posted(cls, form: FormData) -> "CampaignForm":
        return cls(
            code=field(form, "code"),
            name=field(form, "name"),
            starts_on=field(form, "starts_on"),
            ends_on=field(form, "ends_on"),
            questionnaire=field(form, "questionnaire"),
            min_sample=field(form, "min_sample"),
            quota_policy=field(form, "quota_policy") or "accept",
            aggregate=field(form, "aggregate") or "pooled",
            is_private=bool(field(form, "is_private")),
            complaint_phone=field(form, "complaint_phone"),
            complaint_url=field(form, "complaint_url"),
            units=field(form, "units"),
            kind=field(form, "kind"),
            parent=field(form, "parent"),
            picked=[v for v in form.getlist("pick") if isinstance(v, str)],
        )

    @classmethod
    def of(cls, session: SessionDep, c: Campaign) -> "CampaignForm":
        return cls(
            code=c.code,
            name=c.name,
            starts_on=c.starts_on.isoformat(),
            ends_on=c.ends_on.isoformat(),
            questionnaire=f"{c.questionnaire}/{c.questionnaire_version}",
            min_sample=str(c.min_sample),
            quota_policy=c.quota_policy,
            aggregate=c.aggregate,
            is_private=c.is_private,
            complaint_phone=c.complaint_phone or "",
            complaint_url=c.complaint_url or "",
            units="\n".join(s.unit.code for s in campaigns.scope(session, c)),
        )

    def parse(self, session: SessionDep, who: Principal) -> CampaignIn:
        """The typed campaign, or every problem with the form at once."""
        problems: list[FieldError] = []

        def day(name: str, raw: str) -> date:
            try:
                return date.fromisoformat(raw)
            except ValueError:
                problems.append(FieldError.of(name, "not_a_date", "date", raw=raw))
                return date.min

        starts, ends = day("starts_on", self.starts_on), day("ends_on", self.ends_on)
        slug, _, version = self.questionnaire.partition("/")
        min_sample = ascii_int(self.min_sample)
        if min_sample is None:
            problems.append(FieldError.of("min_sample", "whole_number_min_1", "number"))
        codes = [c for c in SPLIT.split(self.units) if c] + self.picked
        if self.kind or self.parent:
            parent = units.find_unit(session, self.parent) if self.parent else None
            if parent is None or self.kind not in UNIT_KINDS:
                problems.append(FieldError.of("units", "kind_and_unit", "required"))
            else:
                codes += [u.code for u in units.units_of_kind_under(session, parent, self.kind)]
        if problems or min_sample is None:
            raise Invalid.of("form_has_problems", problems)
        return CampaignIn(
            code=self.code,
            name=self.name,
            starts_on=starts,
            ends_on=ends,
            questionnaire=slug,
            version=ascii_int(version) or 0,
            units=list(dict.fromkeys(codes)),
            min_sample=min_sample,
            is_private=self.is_private,
            quota_policy=self.quota_policy,
            aggregate=self.aggregate,
            complaint_phone=self.complaint_phone,
            complaint_url=self.complaint_url,
        )


def unit_tree(rows: list[Unit]) -> list[tuple[Unit, int]]:
    """Units in tree order (each under its parent) with their depth below the top shown."""
    ids = {u.id for u in rows}
    below: dict[int | None, list[Unit]] = {}
    for u in rows:
        below.setdefault(u.parent_id if u.parent_id in ids else None, []).append(u)
    out: list[tuple[Unit, int]] = []

    def walk(parent: int | None, level: int) -> None:
        for u in sorted(below.get(parent, []), key=lambda u: u.code):
            out.append((u, level))
            walk(u.id, level + 1)

    walk(None, 0)
    return out


def _form_context(session: SessionDep, who: Principal) -> dict[str, Any]:
    return {
        "questionnaires": list(get_catalog()),
        "kinds": UNIT_KINDS,
        "parents": units.units_in(session, who.unit_id, parents_only=True),
        "tree": unit_tree(units.units_in(session, who.unit_id)),
    }


@router.get("/dash", response_class=HTMLResponse)
def campaign_list(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """The campaigns in the coordinator's area with their overall progress and the
    edition the public sees (if any)."""
    rows = [
        (c, coordination.progress_of(session, who, c))
        for c in campaigns.visible_campaigns(session, who.unit_id)
    ]
    return dash_page(request, "campaigns.html", who, rows=rows, shown=_shown_editions(session))


def _shown_editions(session: SessionDep) -> dict[int, Edition]:
    """Each campaign's latest edition the public sees (none when unpublished)."""
    found: dict[int, Edition] = {}
    for e in session.scalars(
        select(Edition).where(Edition.hidden_at.is_(None)).order_by(Edition.number)
    ):
        found[e.campaign_id] = e
    return found


@router.get("/dash/campaigns/new", response_class=HTMLResponse)
def new_campaign_page(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """The form for a new campaign."""
    today = clock.today()
    form = CampaignForm(starts_on=today.isoformat(), ends_on=date(today.year, 12, 31).isoformat())
    return dash_page(request, "campaign_new.html", who, form=form, **_form_context(session, who))


@router.post("/dash/campaigns/new", response_class=HTMLResponse)
def create_campaign(
    request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Create the campaign (a draft) and go to its settings to set targets."""
    typed = CampaignForm.posted(form)
    try:
        c = coordination.create(session, get_catalog(), who, typed.parse(session, who))
    except Invalid as exc:
        return dash_page(
            request,
            "campaign_new.html",
            who,
            422,
            form=typed,
            problems=exc,
            **_form_context(session, who),
        )
    return RedirectResponse(f"/dash/campaigns/{c.code}/settings?saved=1", status_code=303)


def _progress_rows(
    p: Any, session: SessionDep, under: str, status: str, sort: str, desc: bool
) -> list[Any]:
    rows = list(p.units)
    if under:
        root = units.find_unit(session, under)
        inside = {u.code for u in units.units_in(session, root.id)} if root is not None else set()
        rows = [u for u in rows if u.unit in inside]
    if status:
        rows = [u for u in rows if u.status == status]
    keys: dict[str, Any] = {
        "unit": lambda u: u.unit,
        "target": lambda u: u.target or 0,
        "collected": lambda u: u.collected,
        "percent": lambda u: -1 if u.percent is None else u.percent,
        "per_day": lambda u: u.per_day,
        "needed": lambda u: u.needed_per_day or 0,
        "projected": lambda u: u.projected or date.max,
        "status": lambda u: STATUS_ORDER[u.status],
    }
    rows.sort(key=keys.get(sort, keys["status"]), reverse=desc)
    return rows


@router.get("/dash/campaigns/{code}", response_class=HTMLResponse)
def progress_page(
    code: str,
    request: Request,
    session: ReadSessionDep,
    who: PagePrincipal,
    under: str = "",
    status: str = "",
    sort: str = "status",
    desc: bool = False,
) -> HTMLResponse:
    """Live progress: per unit and stratum against target, pace and projected completion."""
    c = coordination.visible_campaign(session, who, code)
    p = coordination.progress_of(session, who, c)
    counts = review.flag_counts(session, who, c)
    return dash_page(
        request,
        "progress.html",
        who,
        campaign=c,
        p=p,
        units=_progress_rows(p, session, under, status, sort, desc),
        parents=units.units_in(session, who.unit_id, parents_only=True),
        under=under,
        status=status,
        sort=sort,
        desc=desc,
        flagged=counts.flagged,
        excluded=counts.excluded,
        days=coordination.daily_of(session, who, c),
        query=query_builder(request),
        feeds=coordination.feeds_of(session, who, c),
        devices=coordination.devices_of(session, who, c),
        vn=VIETNAM,
    )


def _settings(
    request: Request,
    session: SessionDep,
    who: Principal,
    c: Campaign,
    status: int = 200,
    form: CampaignForm | None = None,
    problems: Invalid | None = None,
) -> HTMLResponse:
    return dash_page(
        request,
        "settings.html",
        who,
        status,
        campaign=c,
        tab="settings",
        form=form or CampaignForm.of(session, c),
        scope=campaigns.scope(session, c),
        quotas=campaigns.quota_shares(session, c),
        margin_of=lambda n_tx, n: sampling.margin_of(n_tx, n) if n_tx and n else None,
        problems=problems,
        saved=request.query_params.get("saved") == "1",
        **_form_context(session, who),
    )


@router.get("/dash/campaigns/{code}/settings", response_class=HTMLResponse)
def settings_page(
    code: str, request: Request, session: SessionDep, who: PagePrincipal
) -> HTMLResponse:
    """Status, targets (typed or from dossier counts), quotas and the campaign's settings."""
    return _settings(request, session, who, coordination.visible_campaign(session, who, code))


def _saved(code: str) -> RedirectResponse:
    return RedirectResponse(f"/dash/campaigns/{code}/settings?saved=1", status_code=303)


@router.post("/dash/campaigns/{code}/settings", response_class=HTMLResponse)
def save_settings(
    code: str, request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Save the campaign's settings and scope."""
    c = coordination.visible_campaign(session, who, code)
    typed = CampaignForm.posted(form)
    typed.code = c.code
    try:
        coordination.edit(session, get_catalog(), who, c, typed.parse(session, who))
    except Invalid as exc:  # services check everything before they change anything
        return _settings(request, session, who, c, 422, typed, exc)
    return _saved(c.code)


@router.post("/dash/campaigns/{code}/status")
def change_status(
    code: str, request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Open, close or reopen, after a confirmation page; over counters of another open
    campaign, ask who feeds which."""
    c = coordination.visible_campaign(session, who, code)
    wanted = field(form, "status")
    if wanted not in ("open", "closed"):
        raise Invalid.of(
            "status_open_closed", [FieldError.of("status", "status_open_closed", "unknown")]
        )
    # The overlap page posts one `feed.<counter>` per counter in the overlap; having
    # chosen there is the confirmation.
    overlap = bool(field(form, "overlap"))
    if field(form, "confirm") != "1" and not overlap:
        # A confirmation step that needs no JavaScript: the same form again, confirmed.
        return dash_page(
            request,
            "confirm_status.html",
            who,
            campaign=c,
            wanted=wanted,
            reach=len(campaigns.scope(session, c)),
        )
    feeds = {k.removeprefix("feed."): field(form, k) for k in form if k.startswith("feed.")}
    try:
        coordination.change_status(
            session, who, c, CampaignStatus(wanted), feeds if overlap else None
        )
    except (counters.Overlapping, Invalid) as exc:
        if wanted != "open":
            raise
        found = counters.overlaps(session, c)
        return dash_page(
            request,
            "open_overlap.html",
            who,
            # The question page is an answer, not a failure: 200 (the API says 409).
            200 if isinstance(exc, counters.Overlapping) else 422,
            campaign=c,
            tab="settings",
            overlaps=found,
            problems=exc,
            chosen=feeds,
        )
    return _saved(c.code)


def _rejected(
    request: Request, session: SessionDep, who: Principal, code: str, exc: Invalid
) -> HTMLResponse:
    return _settings(
        request, session, who, coordination.visible_campaign(session, who, code), 422, None, exc
    )


@router.post("/dash/campaigns/{code}/targets", response_class=HTMLResponse)
def save_targets(
    code: str, request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Targets typed per unit (empty clears)."""
    c = coordination.visible_campaign(session, who, code)
    targets: dict[str, int | None] = {}
    problems = []
    for name in form:
        if not name.startswith("target."):
            continue
        raw = field(form, name)
        unit = name.removeprefix("target.")
        n = ascii_int(raw)
        if raw and n is None:
            problems.append(FieldError.of(f"targets.{unit}", "not_whole_number", raw=raw))
        targets[unit] = n if n else None
    try:
        if problems:
            raise Invalid.of("targets_not_set", problems)
        coordination.set_targets(session, who, c, targets)
    except Invalid as exc:
        return _rejected(request, session, who, code, exc)
    return _saved(c.code)


@router.post("/dash/campaigns/{code}/targets.csv", response_class=HTMLResponse)
async def targets_from_file(
    code: str, request: Request, session: SessionDep, who: PageManager
) -> Response:
    """Targets from an uploaded CSV of dossier counts, n = N/(1+N·e²)."""
    # The form (with its file) was parsed once by the CSRF check and is cached.
    form = await request.form()
    c = coordination.visible_campaign(session, who, code)
    upload = form.get("file")
    try:
        margin_raw = field(form, "margin").replace(",", ".")
        try:
            margin = float(margin_raw)
        except ValueError:
            raise Invalid.of(
                "margin_not_number", [FieldError.of("margin", "margin_example", raw=margin_raw)]
            ) from None
        if not isinstance(upload, UploadFile):
            raise Invalid.of("choose_csv", [FieldError.of("file", "no_file", "required")])
        data = await upload.read()
        # Database work off the event loop, as FastAPI does for synchronous routes.
        await run_in_threadpool(
            coordination.targets_from_transactions,
            session,
            who,
            c,
            data,
            margin,
            upload.filename or "file",
        )
    except Invalid as exc:
        return _rejected(request, session, who, code, exc)
    return _saved(c.code)


@router.post("/dash/campaigns/{code}/quotas", response_class=HTMLResponse)
def save_quotas(
    code: str, request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Stratum quotas, one `question=option share` per line."""
    c = coordination.visible_campaign(session, who, code)
    shares: dict[str, float] = {}
    problems = []
    for n, line in enumerate(field(form, "quotas").splitlines(), start=1):
        parts = line.replace("%", " ").split()
        if not parts:
            continue
        try:
            if len(parts) != 2:
                raise ValueError
            shares[parts[0]] = float(parts[1].replace(",", "."))
        except ValueError:
            problems.append(FieldError.of(f"line {n}", "quota_line", line=line))
    try:
        if problems:
            raise Invalid.of("quotas_unreadable", problems)
        coordination.set_quotas(session, get_catalog(), who, c, shares)
    except Invalid as exc:
        return _rejected(request, session, who, code, exc)
    return _saved(c.code)


@router.get("/dash/campaigns/{code}/responses", response_class=HTMLResponse)
def responses_page(
    code: str,
    request: Request,
    session: SessionDep,
    who: PagePrincipal,
    state: review.State = "flagged",
    flag: str | None = None,
    page: int = 1,
) -> HTMLResponse:
    """Flagged responses to review: exclude with a reason, or restore."""
    c = coordination.visible_campaign(session, who, code)
    listing = review.list_responses(session, who, c, state, flag, page)
    return dash_page(
        request,
        "responses.html",
        who,
        campaign=c,
        tab="responses",
        listing=listing,
        reasons=review.REASONS,
        state=state,
        page=page,
        page_size=review.PAGE_SIZE,
        vn=VIETNAM,
        query=query_builder(request),
        saved=request.query_params.get("saved") == "1",
    )


def _response_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise Invalid.of("response_not_id", raw=value) from None


def _back_to_review(request: Request, code: str) -> RedirectResponse:
    # Back to the list the coordinator was looking at (same state, flag and page).
    referer = request.headers.get("referer", "")
    query = referer.partition("?")[2] if f"/dash/campaigns/{code}/responses" in referer else ""
    return RedirectResponse(
        f"/dash/campaigns/{code}/responses?{query or 'state=flagged'}", status_code=303
    )


@router.post("/dash/campaigns/{code}/responses/{response_id}/exclude")
def exclude_response(
    code: str,
    response_id: str,
    request: Request,
    session: SessionDep,
    who: PageManager,
    form: FormData = FormDep,
) -> Response:
    """Exclude one response with the reason picked (and noted) on its page."""
    c = coordination.visible_campaign(session, who, code)
    sid = _response_id(response_id)
    reason, why, problem = reason_from(form, language(request))
    if problem:
        return detail_page(request, session, who, c, sid, 422, problem, form)
    review.exclude(session, get_catalog(), who, c, sid, reason, why)
    return _back_to_review(request, c.code)


@router.post("/dash/campaigns/{code}/responses/{response_id}/restore")
def restore_response(
    code: str,
    response_id: str,
    request: Request,
    session: SessionDep,
    who: PageManager,
    form: FormData = FormDep,
) -> Response:
    """Count an excluded response again."""
    c = coordination.visible_campaign(session, who, code)
    review.restore(session, who, c, _response_id(response_id), field(form, "reason"))
    return _back_to_review(request, c.code)
