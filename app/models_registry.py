"""ORM models. Import every module here so Alembic sees the whole schema."""

from app.access.models import ROLES, Account, ApiKey, AuditEvent, LoginSession, PasswordReset
from app.campaigns.models import (
    Campaign,
    CampaignQuota,
    CampaignStatus,
    CampaignUnit,
    QuotaPolicy,
    StratumCount,
)
from app.collection.form_token import FormToken
from app.collection.models import CHANNELS, Submission
from app.counts.models import AnswerBlock, Tally, TallyMoments, UnitAncestor
from app.counts.snapshot_models import ReportSnapshot
from app.questionnaires.models import QuestionnaireSource
from app.reporting.models import Edition, EditionDocument
from app.units.models import UNIT_KINDS, Counter, KioskDevice, Unit

__all__ = [
    "ROLES",
    "Account",
    "AnswerBlock",
    "ApiKey",
    "AuditEvent",
    "CampaignQuota",
    "Edition",
    "EditionDocument",
    "FormToken",
    "LoginSession",
    "PasswordReset",
    "QuestionnaireSource",
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
    "TallyMoments",
    "Unit",
    "UnitAncestor",
]
