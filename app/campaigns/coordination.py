"""What coordinators do to campaigns, checked against their role and subtree, and audited.

The API and the dashboard pages both call these, so the rules and the audit trail
are the same whichever way a change arrives.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.service import Principal
from app.campaigns import counters, progress
from app.campaigns import service as campaigns
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import CampaignIn, TargetLine
from app.core.clock import today
from app.core.config import get_settings
from app.core.errors import Forbidden
from app.counts import tally
from app.questionnaires.catalog import Catalog, get_catalog
from app.units import service as units
from app.units.models import Unit


def visible_campaign(session: Session, who: Principal, code: str) -> Campaign:
    """The campaign, if the principal may see it (others get the same 404 as unknown codes)."""
    visible = None if who.unit_id is None else campaigns.visible_campaigns(session, who.unit_id)
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None or (visible is not None and campaign not in visible):
        # Suggest only campaigns this principal may see: no other area's codes leak.
        raise campaigns.unknown_campaign(
            session, code, None if visible is None else [c.id for c in visible]
        )
    return campaign


def _may_manage(session: Session, who: Principal, unit_codes: list[str]) -> None:
    if not who.can_manage:
        raise Forbidden.of("role_read_only", role=who.role)
    if who.unit_id is None:
        return
    outside = [
        code
        for code in unit_codes
        if (unit := units.find_unit(session, code)) is not None
        and not accounts.in_scope(session, who, unit.id)
    ]
    if outside:
        raise Forbidden.of("outside_area", codes=", ".join(outside))


def _may_change(session: Session, who: Principal, campaign: Campaign) -> None:
    _may_manage(session, who, [s.unit.code for s in campaigns.scope(session, campaign)])


def check_may_change(session: Session, who: Principal, campaign: Campaign) -> None:
    """Refuse (403) a principal that may not change this campaign (role or area)."""
    _may_change(session, who, campaign)


def fresh(session: Session, catalog: Catalog, campaign: Campaign) -> None:
    """Fold the campaign's newest responses into its tallies (what reports do first)."""
    tally.fold_campaign(session, campaign, campaigns.questionnaire_of(catalog, campaign))


def daily_of(session: Session, who: Principal, campaign: Campaign) -> list[tuple[date, int]]:
    """Responses per day in the principal's area, the newest responses folded in first."""
    fresh(session, get_catalog(), campaign)
    return progress.daily(session, campaign, today(), who.unit_id)


def create(session: Session, catalog: Catalog, who: Principal, data: CampaignIn) -> Campaign:
    _may_manage(session, who, data.units)
    campaign = campaigns.create_campaign(session, catalog, data)
    accounts.audit(
        session,
        who.actor,
        "campaign.create",
        campaign.code,
        {"units": data.units, "starts_on": str(data.starts_on), "ends_on": str(data.ends_on)},
    )
    return campaign


def edit(
    session: Session, catalog: Catalog, who: Principal, campaign: Campaign, data: CampaignIn
) -> list[str]:
    _may_change(session, who, campaign)
    _may_manage(session, who, data.units)
    is_open = campaign.status == CampaignStatus.open
    before = (
        {o.campaign: set(o.units) for o in counters.overlaps(session, campaign)} if is_open else {}
    )
    changed = campaigns.update_campaign(session, catalog, campaign, data)
    if is_open and "units" in changed:
        # Widening an open campaign over another's counters is the same take-over as
        # opening over them: refused (the request's transaction is rolled back).
        new = [
            o
            for o in counters.overlaps(session, campaign)
            if set(o.units) - before.get(o.campaign, set())
        ]
        if new:
            raise counters.refusal(campaign, new)
    if changed:
        accounts.audit(session, who.actor, "campaign.edit", campaign.code, {"changed": changed})
    return changed


def change_status(
    session: Session,
    who: Principal,
    campaign: Campaign,
    status: CampaignStatus,
    feeds: Mapping[str, str] | None = None,
) -> Campaign:
    """Open or close; opening over counters of another open campaign needs `feeds`
    (counter code → the campaign it is to feed), see app/campaigns/counters.py."""
    _may_change(session, who, campaign)
    before = campaign.status
    if status == CampaignStatus.open:
        settled = counters.open_campaign(session, campaign, feeds)
    else:
        settled = []
        campaigns.set_status(session, campaign, status)
    if before != status:
        detail = {"counters": dict(feeds or {})} if settled else None
        accounts.audit(
            session,
            who.actor,
            f"campaign.{'open' if status == 'open' else status}",
            campaign.code,
            detail,
        )
    return campaign


def feeds_of(session: Session, who: Principal, campaign: Campaign) -> list[counters.Feed]:
    """The counters of the campaign's scope in the principal's area, each with the
    open campaign it feeds now."""
    return counters.feeds(session, campaign, accounts.subtree_ids(session, who))


@dataclass(frozen=True)
class Devices:
    """What the progress page says about kiosks: tablets holding responses, late syncs."""

    holding: list[counters.Holding]
    late_synced: int
    grace_days: int


def devices_of(session: Session, who: Principal, campaign: Campaign) -> Devices:
    area = accounts.subtree_ids(session, who)
    return Devices(
        counters.holding(session, campaign, area),
        counters.late_synced(session, campaign, area),
        get_settings().LATE_SYNC_GRACE_DAYS,
    )


def set_targets(
    session: Session, who: Principal, campaign: Campaign, targets: Mapping[str, int | None]
) -> int:
    _may_change(session, who, campaign)
    n = campaigns.set_targets(session, campaign, targets)
    accounts.audit(session, who.actor, "campaign.targets", campaign.code, {"targets": targets})
    return n


def targets_from_transactions(
    session: Session, who: Principal, campaign: Campaign, data: bytes, margin: float, name: str
) -> list[TargetLine]:
    _may_change(session, who, campaign)
    lines = campaigns.targets_from_transactions(session, campaign, data, margin, name)
    accounts.audit(
        session,
        who.actor,
        "campaign.targets_from_transactions",
        campaign.code,
        {"file": name, "margin": margin, "units": len(lines)},
    )
    return lines


def set_quotas(
    session: Session,
    catalog: Catalog,
    who: Principal,
    campaign: Campaign,
    shares: Mapping[str, float],
) -> None:
    _may_change(session, who, campaign)
    campaigns.set_quotas(session, catalog, campaign, shares)
    accounts.audit(session, who.actor, "campaign.quotas", campaign.code, {"quotas": shares})


def progress_of(session: Session, who: Principal, campaign: Campaign) -> progress.Progress:
    """Progress of the scope units in the principal's area (and of its own unit, when the
    campaign covers it from above)."""
    own = session.get(Unit, who.unit_id) if who.unit_id is not None else None
    return progress.progress(session, campaign, today(), accounts.subtree_ids(session, who), own)
