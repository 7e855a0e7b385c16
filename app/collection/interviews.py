"""What an interviewer's phone shows: the villages they may collect in today.

An interviewer's account is scoped to a unit (a commune, or one village); the
villages under it that an open household campaign covers today are theirs. Each
comes with its target, the forms counted there, and the interviewer's own forms.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from app.access.service import Principal
from app.campaigns.models import Campaign, CampaignKind, CampaignStatus, CampaignUnit
from app.collection.models import Submission
from app.core.clock import VIETNAM
from app.core.errors import Forbidden, NotFound
from app.counts.models import UnitAncestor
from app.units.models import Unit


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    commune: str
    campaign: str
    target: int | None  # the village's own target, when it is a scope unit
    collected: int  # counted forms there, everyone's
    mine: int  # this interviewer's forms there


def villages(session: Session, who: Principal) -> list[Village]:
    """The villages in the interviewer's area that an open household campaign covers
    today, by code; each once, under the campaign that opened first."""
    today = datetime.now(VIETNAM).date()
    scope = aliased(Unit)
    commune = aliased(Unit)
    stmt = (
        select(Unit, commune.name, Campaign)
        .select_from(CampaignUnit)
        .join(scope, scope.id == CampaignUnit.unit_id)
        .join(Campaign, Campaign.id == CampaignUnit.campaign_id)
        # A campaign covers its scope units and everything below them.
        .join(Unit, Unit.path.startswith(scope.path))
        .outerjoin(commune, commune.id == Unit.parent_id)
        .where(
            Unit.kind == "village",
            Campaign.kind == CampaignKind.household,
            Campaign.status == CampaignStatus.open,
            Campaign.starts_on <= today,
            Campaign.ends_on >= today,
        )
        .order_by(Unit.code, Campaign.opened_at, Campaign.id)
    )
    if who.unit_id is not None:
        stmt = stmt.where(
            Unit.id.in_(select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == who.unit_id))
        )
    found: dict[str, tuple[Unit, str, Campaign]] = {}
    for unit, commune_name, campaign in session.execute(stmt).all():
        found.setdefault(unit.code, (unit, commune_name or "", campaign))
    if not found:
        return []
    ids = [u.id for u, _, _ in found.values()]
    targets = {
        (cu.campaign_id, cu.unit_id): cu.target
        for cu in session.scalars(select(CampaignUnit).where(CampaignUnit.unit_id.in_(ids)))
    }
    counted = {
        (c, u): n
        for c, u, n in session.execute(
            select(Submission.campaign_id, Submission.unit_id, func.count())
            .where(Submission.unit_id.in_(ids), Submission.excluded_at.is_(None))
            .group_by(Submission.campaign_id, Submission.unit_id)
        ).tuples()
    }
    mine = {
        (c, u): n
        for c, u, n in session.execute(
            select(Submission.campaign_id, Submission.unit_id, func.count())
            .where(Submission.unit_id.in_(ids), Submission.interviewer_id == who.account_id)
            .group_by(Submission.campaign_id, Submission.unit_id)
        ).tuples()
    }
    return [
        Village(
            unit.code,
            unit.name,
            commune_name,
            campaign.code,
            targets.get((campaign.id, unit.id)),
            counted.get((campaign.id, unit.id), 0),
            mine.get((campaign.id, unit.id), 0),
        )
        for unit, commune_name, campaign in found.values()
    ]


def village(session: Session, who: Principal, code: str) -> Village:
    """One of the interviewer's villages today; 404 for any other."""
    for v in villages(session, who):
        if v.code == code:
            return v
    if session.scalar(select(Unit.id).where(Unit.code == code, Unit.kind == "village")) is None:
        raise NotFound.of("village_missing", code=code)
    raise Forbidden.of("village_not_yours", code=code)
