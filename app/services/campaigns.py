"""Campaigns: create, open, close; a campaign covers its scope units and all below them."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.catalog import Catalog, Questionnaire
from app.errors import Conflict, FieldError, Invalid, NotFound
from app.models import Campaign, CampaignStatus, CampaignUnit, Unit
from app.models.unit import CODE_PATTERN

CODE_RE = re.compile(CODE_PATTERN)


@dataclass(frozen=True)
class CampaignIn:
    code: str
    name: str
    starts_on: date
    ends_on: date
    questionnaire: str
    version: int
    units: list[str]
    min_sample: int = 30
    is_private: bool = False


def get_campaign(session: Session, code: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise NotFound(f"campaign {code!r} does not exist")
    return campaign


def questionnaire_of(catalog: Catalog, campaign: Campaign) -> Questionnaire:
    q = catalog.get(campaign.questionnaire, campaign.questionnaire_version)
    if q is None:  # the file was removed after the campaign was created
        raise NotFound(
            f"questionnaire {campaign.questionnaire} v{campaign.questionnaire_version} "
            f"of campaign {campaign.code!r} is not installed"
        )
    return q


def create_campaign(session: Session, catalog: Catalog, data: CampaignIn) -> Campaign:
    """Create a draft campaign over `data.units`; every problem is reported at once."""
    problems: list[FieldError] = []
    if not CODE_RE.match(data.code):
        problems.append(
            FieldError("code", f"{data.code!r} is not a valid code (letters, digits, . _ -)")
        )
    elif session.scalar(select(Campaign.id).where(Campaign.code == data.code)) is not None:
        raise Conflict(f"campaign {data.code!r} already exists")
    if not data.name.strip():
        problems.append(FieldError("name", "name is empty", "required"))
    if data.ends_on < data.starts_on:
        problems.append(FieldError("ends_on", "the campaign ends before it starts", "period"))
    if data.min_sample < 1:
        problems.append(FieldError("min_sample", "must be at least 1", "range"))
    if catalog.get(data.questionnaire, data.version) is None:
        known = catalog.versions(data.questionnaire)
        hint = (
            f"installed versions: {', '.join(map(str, known))}"
            if known
            else "installed: " + ", ".join(f"{q.slug} v{q.version}" for q in catalog)
        )
        problems.append(
            FieldError(
                "questionnaire",
                f"unknown questionnaire {data.questionnaire} v{data.version} ({hint})",
                "unknown",
            )
        )
    if not data.units:
        problems.append(FieldError("units", "a campaign needs at least one unit", "required"))
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(data.units)))}
    problems += [
        FieldError("units", f"unit {c!r} does not exist", "unknown")
        for c in data.units
        if c not in units
    ]
    if problems:
        raise Invalid("the campaign cannot be created", problems)
    campaign = Campaign(
        code=data.code,
        name=data.name.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        questionnaire=data.questionnaire,
        questionnaire_version=data.version,
        min_sample=data.min_sample,
        status=CampaignStatus.draft,
        is_private=data.is_private,
        created_at=datetime.now(UTC),
    )
    session.add(campaign)
    session.flush()
    for unit in units.values():
        session.add(CampaignUnit(campaign_id=campaign.id, unit_id=unit.id))
    session.flush()
    return campaign


def set_status(session: Session, campaign: Campaign, status: CampaignStatus) -> Campaign:
    """Open or close a campaign; a closed campaign can be reopened, never returned to draft."""
    if status == CampaignStatus.draft and campaign.status != CampaignStatus.draft:
        raise Conflict(
            f"campaign {campaign.code!r} is {campaign.status}; it cannot go back to draft"
        )
    campaign.status = status
    session.flush()
    return campaign


def scope_unit_ids(session: Session, campaign: Campaign) -> set[int]:
    return set(
        session.scalars(select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign.id))
    )
