"""How a campaign's sample is filling: per scope unit and stratum, against targets and days left."""

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from sqlalchemy import Text, case, func, select
from sqlalchemy.orm import Session, aliased

from app.access.models import Account
from app.campaigns import quotas
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign, CampaignUnit, StratumCount
from app.collection.models import Submission
from app.counts import tally
from app.counts.models import UnitAncestor
from app.units.models import Unit

Status = Literal["done", "on_track", "at_risk", "behind", "no_target", "early"]
# Pace is judged from the second day on: on the first day nobody could yet have
# answered at the pace a target needs (a campaign opened at 16:00 is not "behind").
JUDGE_FROM_DAY = 2


@dataclass(frozen=True)
class StratumProgress:
    stratum: str  # "gender=female"
    share: float | None  # percent of the unit's target, when a quota is set
    target: int | None
    collected: int


@dataclass(frozen=True)
class UnitProgress:
    unit: str
    name: str
    kind: str
    target: int | None
    transactions: int | None
    collected: int
    percent: float | None  # of target, 0–100+, unrounded
    per_day: float  # mean responses a day so far
    needed_per_day: float | None  # to reach the target by the last day
    projected: date | None  # when the target is reached at the current pace
    status: Status
    strata: list[StratumProgress] = field(default_factory=list)


@dataclass(frozen=True)
class VillageProgress:
    """A village of a household campaign: forms counted there against its target
    (the target is the village's when it is itself a scope unit)."""

    unit: str
    name: str
    commune: str | None  # the code of the unit above it
    target: int | None
    collected: int
    percent: float | None


@dataclass(frozen=True)
class InterviewerProgress:
    """Forms one interviewer filled in the campaign (counted ones, and all of them)."""

    login: str
    name: str
    forms: int  # counted (not excluded)
    excluded: int
    flagged: int  # carrying any quality flag
    villages: int
    last_at: datetime | None


@dataclass(frozen=True)
class Progress:
    campaign: str
    status: str
    starts_on: date
    ends_on: date
    today: date
    days_elapsed: int
    days_left: int
    target: int
    collected: int
    margin_of_error: float | None
    quota_policy: str
    units: list[UnitProgress]
    kind: str = "counter"
    villages: list[VillageProgress] = field(default_factory=list)
    interviewers: list[InterviewerProgress] = field(default_factory=list)


def _status(
    target: int | None,
    collected: int,
    projected: date | None,
    ends_on: date,
    per_day: float,
    needed: float | None,
    elapsed: int = JUDGE_FROM_DAY,
) -> Status:
    """Green when the target is met or the pace reaches it in time; amber when the pace
    must less than double; red otherwise (nothing yet, or the period is over). On the
    first day the pace is not judged yet ("early")."""
    if target is None:
        return "no_target"
    if collected >= target:
        return "done"
    if elapsed < JUDGE_FROM_DAY:
        return "early"
    if projected is not None and projected <= ends_on:
        return "on_track"
    if per_day > 0 and needed is not None and needed <= 2 * per_day:
        return "at_risk"
    return "behind"


def unit_progress(
    code: str,
    name: str,
    kind: str,
    target: int | None,
    transactions: int | None,
    collected: int,
    c: Campaign,
    today: date,
) -> UnitProgress:
    """One unit's figures; pace is responses per day since the campaign began."""
    start = c.starts_on
    elapsed = max(0, min((today - start).days + 1, (c.ends_on - start).days + 1))
    left = max(0, (c.ends_on - max(today, start)).days + (1 if today <= c.ends_on else 0))
    per_day = collected / elapsed if elapsed else 0.0
    remaining = None if target is None else max(0, target - collected)
    needed = None if remaining is None else (remaining / left if left else math.inf)
    if remaining is None:
        projected = None
    elif remaining == 0:
        projected = today
    elif per_day > 0:
        # Today's responses are already in: the rest come from tomorrow on.
        projected = today + timedelta(days=math.ceil(remaining / per_day))
    else:
        projected = None
    status = _status(target, collected, projected, c.ends_on, per_day, needed, elapsed)
    return UnitProgress(
        unit=code,
        name=name,
        kind=kind,
        target=target,
        transactions=transactions,
        collected=collected,
        percent=None if not target else 100 * collected / target,
        per_day=per_day,
        needed_per_day=None if needed is None or math.isinf(needed) else needed,
        projected=projected,
        status=status,
    )


def progress(
    session: Session,
    campaign: Campaign,
    today: date,
    visible: set[int] | None = None,
    own: Unit | None = None,
) -> Progress:
    """Progress of every scope unit (only those in `visible`, when given).

    `own` is the viewer's unit: where the campaign's scope lies above it (a district
    coordinator in a province-wide campaign), its own row is added, counted from the
    responses since targets belong to the scope units.
    """
    shares = campaigns.quota_shares(session, campaign)
    counts: dict[int, dict[str, int]] = {}
    for unit_id, stratum, n in session.execute(
        select(StratumCount.unit_id, StratumCount.stratum, StratumCount.n).where(
            StratumCount.campaign_id == campaign.id
        )
    ):
        counts.setdefault(unit_id, {})[stratum] = n
    units = []
    for s in campaigns.scope(session, campaign):
        if visible is not None and s.unit.id not in visible:
            continue
        row = unit_progress(
            s.unit.code,
            s.unit.name,
            s.unit.kind,
            s.target,
            s.transactions,
            s.collected,
            campaign,
            today,
        )
        mine = counts.get(s.unit.id, {})
        strata = [
            StratumProgress(
                key,
                shares.get(key),
                quotas.stratum_target(shares[key], s.target)
                if key in shares and s.target
                else None,
                mine.get(key, 0),
            )
            for key in sorted(set(shares) | set(mine))
        ]
        units.append(
            UnitProgress(**{**row.__dict__, "strata": strata})  # frozen: rebuild with strata
        )
    if own is not None and campaigns.covering_scope(session, campaign, own.id):
        row = unit_progress(
            own.code,
            own.name,
            own.kind,
            None,
            None,
            campaigns.responses_under(session, campaign, own.id),
            campaign,
            today,
        )
        units.append(row)
    start, end = campaign.starts_on, campaign.ends_on
    household = campaign.kind == "household"
    return Progress(
        campaign=campaign.code,
        status=campaign.status,
        starts_on=start,
        ends_on=end,
        today=today,
        days_elapsed=max(0, min((today - start).days + 1, (end - start).days + 1)),
        days_left=max(0, (end - max(today, start)).days + (1 if today <= end else 0)),
        target=sum(u.target or 0 for u in units),
        collected=sum(u.collected for u in units),
        margin_of_error=campaign.margin_of_error,
        quota_policy=campaign.quota_policy,
        units=units,
        kind=campaign.kind,
        # Household campaigns only: a counter campaign's million responses are not
        # grouped by village and interviewer on every look at its progress.
        villages=villages(session, campaign, visible) if household else [],
        interviewers=interviewers(session, campaign, visible) if household else [],
    )


def villages(
    session: Session, campaign: Campaign, visible: set[int] | None = None
) -> list[VillageProgress]:
    """Every village under the campaign's scope (in `visible`), with its counted forms
    and its target; empty for a campaign without villages."""
    scope = aliased(Unit)
    parent = aliased(Unit)
    rows = session.execute(
        select(Unit.id, Unit.code, Unit.name, parent.code)
        .join(UnitAncestor, UnitAncestor.unit_id == Unit.id)
        .join(CampaignUnit, CampaignUnit.unit_id == UnitAncestor.ancestor_id)
        .join(scope, scope.id == CampaignUnit.unit_id)
        .outerjoin(parent, parent.id == Unit.parent_id)
        .where(CampaignUnit.campaign_id == campaign.id, Unit.kind == "village")
        .order_by(Unit.code)
    ).all()
    if not rows:
        return []
    targets = dict(
        session.execute(
            select(CampaignUnit.unit_id, CampaignUnit.target).where(
                CampaignUnit.campaign_id == campaign.id
            )
        )
        .tuples()
        .all()
    )
    counted = dict(
        session.execute(
            select(Submission.unit_id, func.count())
            .where(Submission.campaign_id == campaign.id, Submission.excluded_at.is_(None))
            .group_by(Submission.unit_id)
        )
        .tuples()
        .all()
    )
    out = []
    for unit_id, code, name, commune in dict.fromkeys(rows):
        if visible is not None and unit_id not in visible:
            continue
        target, n = targets.get(unit_id), counted.get(unit_id, 0)
        out.append(
            VillageProgress(code, name, commune, target, n, 100 * n / target if target else None)
        )
    return out


def interviewers(
    session: Session, campaign: Campaign, visible: set[int] | None = None
) -> list[InterviewerProgress]:
    """Forms per interviewer in the campaign (in `visible` units), most forms first."""
    flagged = case((func.cast(Submission.quality_flags, Text).like('%"%'), 1), else_=0)
    stmt = (
        select(
            Account.login,
            Account.name,
            func.sum(case((Submission.excluded_at.is_(None), 1), else_=0)),
            func.sum(case((Submission.excluded_at.is_not(None), 1), else_=0)),
            func.sum(flagged),
            func.count(func.distinct(Submission.unit_id)),
            func.max(Submission.submitted_at),
        )
        .join(Account, Account.id == Submission.interviewer_id)
        .where(Submission.campaign_id == campaign.id)
        .group_by(Account.login, Account.name)
    )
    if visible is not None:
        stmt = stmt.where(Submission.unit_id.in_(visible))
    rows = [
        InterviewerProgress(login, name, int(n or 0), int(x or 0), int(f or 0), int(v), last)
        for login, name, n, x, f, v, last in session.execute(stmt).all()
    ]
    return sorted(rows, key=lambda r: (-r.forms, r.login))


def daily(
    session: Session, campaign: Campaign, today: date, under: int | None = None
) -> list[tuple[date, int]]:
    """Counted responses per Vietnamese calendar day, from the campaign's first day to
    today (or its last day), days without responses included as zeros; read from the
    tallies (`day=` keys), so it costs the same at a thousand responses or a million."""
    totals = tally.key_totals(session, campaign.id, under, "day=")
    counts = {date.fromisoformat(k.removeprefix("day=")): n for k, n in totals.items() if n}
    start = campaign.starts_on
    days = (min(today, campaign.ends_on) - start).days + 1
    return [
        (start + timedelta(days=i), counts.get(start + timedelta(days=i), 0))
        for i in range(max(days, 0))
    ]
