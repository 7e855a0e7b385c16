"""Survey campaigns (đợt khảo sát) and the units they cover."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime

COMPLAINT_PHONE_LENGTH = 40
COMPLAINT_URL_LENGTH = 300


class QuotaPolicy(StrEnum):
    # Keep accepting once a unit's target is reached, marking the extra responses.
    accept = "accept"
    # Stop accepting at that unit's counters, with a polite message to the respondent.
    stop = "stop"


class Aggregate(StrEnum):
    # A higher level's figure from every response under it (a unit with most of the
    # responses weighs most).
    pooled = "pooled"
    # The unweighted mean of its unflagged direct sub-units, as the Ministry averages
    # provinces.
    mean_of_units = "mean_of_units"
    # The campaign's overall figure post-stratified by its scope units' dossier counts
    # (CampaignUnit.transactions): each unit weighs by its share of the dossiers.
    weighted = "weighted"


class CampaignKind(StrEnum):
    # Respondents leaving a counter (kiosk, QR code at the counter, paper).
    counter = "counter"
    # The 2023 method: interviewers visit households in sampled villages; no counter.
    household = "household"


class CampaignStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class Campaign(Base):
    """A survey of a set of units over a period with one questionnaire version."""

    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),
        CheckConstraint("ends_on >= starts_on", name="period"),
        CheckConstraint("min_sample >= 1", name="min_sample"),
        CheckConstraint("questionnaire_version >= 1", name="questionnaire_version"),
        CheckConstraint("quota_policy IN ('accept', 'stop')", name="quota_policy"),
        CheckConstraint("aggregate IN ('pooled', 'mean_of_units', 'weighted')", name="aggregate"),
        CheckConstraint("kind IN ('counter', 'household')", name="kind"),
        CheckConstraint(
            "margin_of_error IS NULL OR (margin_of_error > 0 AND margin_of_error < 1)",
            name="margin_of_error",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    questionnaire: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    min_sample: Mapped[int] = mapped_column(Integer, default=30)
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.draft)
    is_private: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    quota_policy: Mapped[str] = mapped_column(
        String(10), default=QuotaPolicy.accept, server_default=QuotaPolicy.accept
    )
    # How a listed unit with sub-units gets its figures by default (see Aggregate).
    aggregate: Mapped[str] = mapped_column(
        String(16), default=Aggregate.pooled, server_default=Aggregate.pooled
    )
    # `household`: responses name a village (no counter needed), interviewers collect.
    kind: Mapped[str] = mapped_column(
        String(12), default=CampaignKind.counter, server_default=CampaignKind.counter
    )
    # e in n = N / (1 + N e²), when targets were computed from transaction counts.
    margin_of_error: Mapped[float | None] = mapped_column(Float)
    # Where a citizen can complain about their case, shown on the thank-you screen
    # (optional; a survey answer is not a complaint).
    complaint_phone: Mapped[str | None] = mapped_column(String(COMPLAINT_PHONE_LENGTH))
    complaint_url: Mapped[str | None] = mapped_column(String(COMPLAINT_URL_LENGTH))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When it was last closed: offline kiosks may still deliver responses finished
    # before this, for LATE_SYNC_GRACE_DAYS (app/collection/service.py).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When it was last opened: where open campaigns overlap and the coordinator did not
    # say otherwise, a counter keeps feeding the one that opened first.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Changes (a new random value) whenever the campaign's tallies change; cached
    # reports are keyed by it, so they can never outlive the data they were made from.
    tally_token: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex)


class CampaignUnit(Base):
    """A unit in a campaign's scope; its sub-units are covered too."""

    __tablename__ = "campaign_unit"
    __table_args__ = (
        CheckConstraint("target IS NULL OR target >= 1", name="target"),
        CheckConstraint("transactions IS NULL OR transactions >= 0", name="transactions"),
        CheckConstraint("collected >= 0", name="collected"),
    )

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    target: Mapped[int | None] = mapped_column(Integer)
    # Dossiers handled in the period (N), when the target was computed from it.
    transactions: Mapped[int | None] = mapped_column(Integer)
    # Responses counted towards the target (excluded ones are not). Kept in step with
    # each insert under a row lock, so a quota cannot overshoot under concurrency.
    collected: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CampaignQuota(Base):
    """A stratum's share of every unit's target, e.g. gender=female 45 %."""

    __tablename__ = "campaign_quota"
    __table_args__ = (CheckConstraint("share > 0 AND share <= 100", name="share"),)

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    option: Mapped[str] = mapped_column(String(64), primary_key=True)
    share: Mapped[float] = mapped_column(Float)


class StratumCount(Base):
    """Responses per scope unit and stratum (`question=option`), kept like `collected`."""

    __tablename__ = "stratum_count"

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), primary_key=True
    )
    stratum: Mapped[str] = mapped_column(String(130), primary_key=True)
    n: Mapped[int] = mapped_column(Integer)


class CounterCampaign(Base):
    """Which open campaign a counter feeds where the scopes of open campaigns overlap.

    Chosen by the coordinator when opening a campaign over counters that already
    collect for another (app/campaigns/service.py); the submission path reads it.
    """

    __tablename__ = "counter_campaign"

    counter_id: Mapped[int] = mapped_column(
        ForeignKey("counter.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime)


class HiddenComment(Base):
    """A citizen's free-text answer hidden as abusive by a coordinator (audited).

    The response and its answers stay as they were and still count in the indices;
    the comments page lists the comment as hidden, and no export of comments (nor
    the microdata) carries its text. Showing it again deletes the row.
    """

    __tablename__ = "hidden_comment"

    submission_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    hidden_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hidden_by: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(String(500))


class ReportComment(Base):
    """A citizen's free-text answer a coordinator chose to print in the report
    (*đưa vào báo cáo*; audited). Hiding the comment as abusive removes the choice,
    and a hidden comment cannot be chosen: the report never prints an abusive text.
    """

    __tablename__ = "report_comment"

    submission_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("submission.id", ondelete="CASCADE"), primary_key=True
    )
    question: Mapped[str] = mapped_column(String(64), primary_key=True)
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    chosen_by: Mapped[str] = mapped_column(String(120))
