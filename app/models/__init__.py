"""ORM models. Import every module here so Alembic sees the whole schema."""

from app.models.campaign import Campaign, CampaignStatus, CampaignUnit
from app.models.submission import CHANNELS, Submission
from app.models.tally import Tally, UnitAncestor
from app.models.unit import UNIT_KINDS, Counter, KioskDevice, Unit

__all__ = [
    "CHANNELS",
    "UNIT_KINDS",
    "Campaign",
    "CampaignStatus",
    "CampaignUnit",
    "Counter",
    "KioskDevice",
    "Submission",
    "Tally",
    "Unit",
    "UnitAncestor",
]
