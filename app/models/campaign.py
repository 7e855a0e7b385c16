"""Survey campaigns (đợt khảo sát) and the units they cover."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime


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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Changes (a new random value) whenever the campaign's tallies change; cached
    # reports are keyed by it, so they can never outlive the data they were made from.
    tally_token: Mapped[str] = mapped_column(String(32), default=lambda: uuid.uuid4().hex)


class CampaignUnit(Base):
    """A unit in a campaign's scope; its sub-units are covered too."""

    __tablename__ = "campaign_unit"
    __table_args__ = (CheckConstraint("target IS NULL OR target >= 1", name="target"),)

    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    target: Mapped[int | None] = mapped_column(Integer)
