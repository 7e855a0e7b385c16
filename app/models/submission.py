"""Completed questionnaires, one row each, never changed by analysis."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Uuid,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, UTCDateTime

CHANNELS = ("kiosk", "web", "paper", "interview")
JSONVariant = JSON().with_variant(JSONB(), "postgresql")


class Submission(Base):
    """One respondent's answers; the id is chosen by the client, which makes retries safe."""

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint("channel IN ('kiosk', 'web', 'paper', 'interview')", name="channel"),
        CheckConstraint("started_at IS NULL OR started_at <= submitted_at", name="timing"),
        CheckConstraint("questionnaire_version >= 1", name="questionnaire_version"),
        Index("ix_submission_campaign_unit", "campaign_id", "unit_id"),
        # Only the few rows not yet folded into the tallies are in this index.
        Index(
            "ix_submission_untallied",
            "campaign_id",
            postgresql_where=text("NOT tallied"),
            sqlite_where=text("NOT tallied"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="RESTRICT"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    counter_id: Mapped[int | None] = mapped_column(
        ForeignKey("counter.id", ondelete="RESTRICT"), index=True
    )
    questionnaire: Mapped[str] = mapped_column(String(64))
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answers: Mapped[dict[str, Any]] = mapped_column(JSONVariant)
    # SHA-256 of the canonical request body: an identical retry gets the original
    # receipt, a different body under the same id is a conflict.
    body_hash: Mapped[str] = mapped_column(String(64))
    quality_flags: Mapped[list[str]] = mapped_column(JSONVariant, default=list)
    # False until the row's answers are counted in `tally` (see app/services/tally.py).
    tallied: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
