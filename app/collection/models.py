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

from app.core.db import Base, UTCDateTime

CHANNELS = ("kiosk", "web", "paper", "interview")
# A response that needs a coordinator's look: flagged, over quota or excluded. Spelled
# per database, and used verbatim by the review query so the partial index applies.
REVIEW_PREDICATE = {
    "postgresql": "quality_flags <> '[]'::jsonb OR over_quota OR excluded_at IS NOT NULL",
    "sqlite": "quality_flags <> '[]' OR over_quota OR excluded_at IS NOT NULL",
}
JSONVariant = JSON().with_variant(JSONB(), "postgresql")


class Submission(Base):
    """One respondent's answers; the id is chosen by the client, which makes retries safe."""

    __tablename__ = "submission"
    __table_args__ = (
        CheckConstraint("channel IN ('kiosk', 'web', 'paper', 'interview')", name="channel"),
        CheckConstraint("started_at IS NULL OR started_at <= submitted_at", name="timing"),
        CheckConstraint("questionnaire_version >= 1", name="questionnaire_version"),
        Index("ix_submission_campaign_unit", "campaign_id", "unit_id"),
        Index("ix_submission_counter_received", "counter_id", "received_at"),
        Index("ix_submission_device_submitted", "device_id", "submitted_at"),
        Index("ix_submission_api_key_received", "api_key_id", "received_at"),
        Index("ix_submission_campaign_dossier", "campaign_id", "dossier_hash"),
        # The review list: newest first, all responses or only the few that need a look.
        Index("ix_submission_campaign_submitted", "campaign_id", "submitted_at"),
        # Forms per interviewer (progress, review filter) and their burst neighbours.
        Index("ix_submission_interviewer_submitted", "interviewer_id", "submitted_at"),
        Index(
            "ix_submission_review",
            "campaign_id",
            "submitted_at",
            postgresql_where=text(REVIEW_PREDICATE["postgresql"]),
            sqlite_where=text(REVIEW_PREDICATE["sqlite"]),
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
    # Counted beyond a full quota under the campaign's "accept" policy.
    over_quota: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The enrolled kiosk it came from, if any: bursts and rate limits are per device.
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("kiosk_device.id", ondelete="SET NULL")
    )
    # Keyed hash (HMAC-SHA-256 with SECRET_KEY) of the dossier code, never the code.
    dossier_hash: Mapped[str | None] = mapped_column(String(64))
    # A coordinator's exclusion: the row stays, the indices leave it out.
    excluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    excluded_by: Mapped[str | None] = mapped_column(String(120))
    exclude_reason: Mapped[str | None] = mapped_column(String(500))
    # Whether its answers are in `tally` yet is not kept here: a trigger queues
    # every new row in `fold_queue` (app/counts/models.py), so the row is written once.
    # The write-scoped API key that pushed it, if any: its rate limit counts these.
    api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.id", ondelete="SET NULL"))
    # Finished while its campaign was open, received after it closed (within
    # LATE_SYNC_GRACE_DAYS): an offline kiosk's queue. Counted like any other.
    late_sync: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The interviewer (account) who filled it in a household's presence (channel
    # `interview`); kept if the account is later disabled, never if it is removed.
    interviewer_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL")
    )
