"""ORM models. Import every module here so Alembic sees the whole schema."""

from app.models.account import ROLES, Account, ApiKey, AuditEvent, LoginSession
from app.models.campaign import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    CampaignUnit,
    QuotaPolicy,
    StratumCount,
)
from app.models.form_token import FormToken
from app.models.snapshot import ReportSnapshot
from app.models.submission import CHANNELS, Submission
from app.models.tally import Tally, UnitAncestor
from app.models.unit import UNIT_KINDS, Counter, KioskDevice, Unit

__all__ = [
    "ROLES",
    "Account",
    "ApiKey",
    "AuditEvent",
    "CampaignQuota",
    "FormToken",
    "LoginSession",
    "QuotaPolicy",
    "ReportSnapshot",
    "StratumCount",
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
