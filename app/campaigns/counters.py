"""Which open campaign each counter feeds, and opening a campaign over counters in use.

A campaign covers its scope units and everything below them, so two open campaigns
can cover one counter. Opening a campaign never silently takes such counters over:
it is refused with the overlapping units, counters and campaign named, unless the
coordinator says, counter by counter, which campaign each one feeds. The choice is
stored (`counter_campaign`); a counter covered twice without a choice (one added
later, or campaigns opened before this rule) keeps feeding the campaign that opened
first. A submission that names its campaign still goes there.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignStatus, CampaignUnit, CounterCampaign
from app.campaigns.service import set_status
from app.collection.models import Submission
from app.core.errors import Conflict, FieldError, Invalid
from app.units.models import Counter, KioskDevice, Unit


class Overlapping(Conflict):
    """Opening would put counters already collecting for an open campaign under a second."""

    kind = "overlap"


@dataclass
class Overlap:
    """Another open campaign covering part of this one's scope."""

    campaign: str
    units: list[str] = field(default_factory=list)  # the overlapping units (the deeper side)
    counters: list[str] = field(default_factory=list)  # counters under them


@dataclass(frozen=True)
class Feed:
    counter: str
    counter_name: str
    unit: str
    campaign: str | None  # the open campaign it feeds now, if any
    chosen: bool  # by the coordinator, rather than by the first-opened rule


def _scopes(session: Session, campaign_ids: list[int]) -> dict[int, list[tuple[str, str]]]:
    """Each campaign's scope units as (code, materialised path)."""
    found: dict[int, list[tuple[str, str]]] = {i: [] for i in campaign_ids}
    rows = session.execute(
        select(CampaignUnit.campaign_id, Unit.code, Unit.path)
        .join(Unit, Unit.id == CampaignUnit.unit_id)
        .where(CampaignUnit.campaign_id.in_(campaign_ids))
        .order_by(Unit.code)
    )
    for cid, code, path in rows:
        found[cid].append((code, path))
    return found


def _open_campaigns(session: Session) -> list[Campaign]:
    return list(
        session.scalars(
            select(Campaign)
            .where(Campaign.status == CampaignStatus.open)
            .order_by(Campaign.opened_at, Campaign.id)
        )
    )


def _counters_under(session: Session, paths: list[str]) -> list[tuple[Counter, str, str]]:
    if not paths:
        return []
    return [
        (c, code, path)
        for c, code, path in session.execute(
            select(Counter, Unit.code, Unit.path)
            .join(Unit, Unit.id == Counter.unit_id)
            .where(or_(*(Unit.path.startswith(p) for p in paths)))
            .order_by(Counter.code)
        ).all()
    ]


def overlaps(session: Session, campaign: Campaign) -> list[Overlap]:
    """The open campaigns (other than this one) whose scope overlaps this one's."""
    others = [c for c in _open_campaigns(session) if c.id != campaign.id]
    if not others:
        return []
    scopes = _scopes(session, [campaign.id, *(c.id for c in others)])
    found = []
    for other in others:
        region: dict[str, str] = {}
        for code, path in scopes[campaign.id]:
            for other_code, other_path in scopes[other.id]:
                if path.startswith(other_path):
                    region[code] = path
                elif other_path.startswith(path):
                    region[other_code] = other_path
        if region:
            counters = [c.code for c, _, _ in _counters_under(session, list(region.values()))]
            found.append(Overlap(other.code, sorted(region), counters))
    return found


def refusal(campaign: Campaign, found: list[Overlap]) -> Overlapping:
    """The 409 naming each overlapping unit, its counters and the other campaign."""
    parts = [
        f"units {', '.join(o.units)} (counters {', '.join(o.counters) or 'none yet'}) "
        f"already collect for open campaign {o.campaign!r}"
        for o in found
    ]
    return Overlapping.of(
        "overlap_refused",
        [
            FieldError.of(f"units.{unit}", "unit_in_open_campaign", "overlap", campaign=o.campaign)
            for o in found
            for unit in o.units
        ],
        code=campaign.code,
        where="; ".join(parts),
    )


def open_campaign(
    session: Session, campaign: Campaign, counters: Mapping[str, str] | None = None
) -> list[Overlap]:
    """Open a campaign; where its scope overlaps an open campaign, only with a choice.

    `counters` maps each counter in the overlap to the campaign it is to feed (this
    one or the other). Without it an overlap is refused (409 `overlap`); with it,
    every overlapping counter must be given a valid choice (422 otherwise). Returns
    the overlaps that were settled.
    """
    if campaign.status == CampaignStatus.open:
        return []
    found = overlaps(session, campaign)
    if found and counters is None:
        raise refusal(campaign, found)
    choices = dict(counters or {})
    allowed: dict[str, set[str]] = {}
    for o in found:
        for code in o.counters:
            allowed.setdefault(code, {campaign.code}).add(o.campaign)
    problems = [
        FieldError.of(
            f"counters.{code}",
            "counter_feeds",
            "required" if code not in choices else "choice",
            options=" or ".join(sorted(options)),
        )
        for code, options in sorted(allowed.items())
        if choices.get(code) not in options
    ]
    problems += [
        FieldError.of(f"counters.{code}", "counter_not_in_overlap", "unknown")
        for code in sorted(set(choices) - set(allowed))
    ]
    if problems:
        raise Invalid.of("campaign_not_opened", problems, code=campaign.code)
    ids = dict(
        session.execute(
            select(Campaign.code, Campaign.id).where(Campaign.code.in_(choices.values()))
        )
        .tuples()
        .all()
    )
    counter_ids = dict(
        session.execute(select(Counter.code, Counter.id).where(Counter.code.in_(choices)))
        .tuples()
        .all()
    )
    now = datetime.now(UTC)
    if counter_ids:
        session.execute(
            delete(CounterCampaign).where(CounterCampaign.counter_id.in_(counter_ids.values()))
        )
    for code, chosen in choices.items():
        session.add(
            CounterCampaign(counter_id=counter_ids[code], campaign_id=ids[chosen], assigned_at=now)
        )
    set_status(session, campaign, CampaignStatus.open)
    return found


def feeds(session: Session, campaign: Campaign, area: set[int] | None = None) -> list[Feed]:
    """Every counter in the campaign's scope (and the area) and the campaign it feeds now."""
    opened = _open_campaigns(session)
    scopes = _scopes(session, [campaign.id, *(c.id for c in opened)])
    chosen = dict(
        session.execute(select(CounterCampaign.counter_id, CounterCampaign.campaign_id))
        .tuples()
        .all()
    )
    codes = {c.id: c.code for c in opened}
    result = []
    for counter, unit, path in _counters_under(session, [p for _, p in scopes[campaign.id]]):
        if area is not None and counter.unit_id not in area:
            continue
        covering = [c.id for c in opened if any(path.startswith(p) for _, p in scopes[c.id])]
        pick = chosen.get(counter.id)
        if pick is not None and pick in covering:
            result.append(Feed(counter.code, counter.name, unit, codes[pick], True))
        else:
            first = codes[covering[0]] if covering else None
            result.append(Feed(counter.code, counter.name, unit, first, False))
    return result


@dataclass(frozen=True)
class Holding:
    """An enrolled tablet that said, at its last sync, that it holds unsent responses."""

    label: str
    counter: str
    n: int
    reported_at: datetime


def holding(session: Session, campaign: Campaign, area: set[int] | None = None) -> list[Holding]:
    """Active tablets at the campaign's counters (in the area) holding unsent responses."""
    scope = _scopes(session, [campaign.id])[campaign.id]
    ids = [c.id for c, _, _ in _counters_under(session, [p for _, p in scope])]
    if not ids:
        return []
    stmt = (
        select(KioskDevice, Counter.code)
        .join(Counter, Counter.id == KioskDevice.counter_id)
        .where(
            KioskDevice.counter_id.in_(ids),
            KioskDevice.revoked_at.is_(None),
            KioskDevice.enrolled_at.is_not(None),
            KioskDevice.queue_length > 0,
        )
        .order_by(Counter.code, KioskDevice.id)
    )
    if area is not None:
        stmt = stmt.where(Counter.unit_id.in_(area))
    return [
        Holding(d.label, code, d.queue_length or 0, d.queue_reported_at or d.created_at)
        for d, code in session.execute(stmt).all()
    ]


def late_synced(session: Session, campaign: Campaign, area: set[int] | None = None) -> int:
    """Responses the campaign received after it closed (within the grace period)."""
    stmt = (
        select(func.count())
        .select_from(Submission)
        .where(Submission.campaign_id == campaign.id, Submission.late_sync)
    )
    if area is not None:
        stmt = stmt.where(Submission.unit_id.in_(area))
    return int(session.scalar(stmt) or 0)
