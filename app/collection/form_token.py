"""Form tokens: one per questionnaire served, spent by at most one response."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime


class FormToken(Base):
    """A served form's token (its signed string carries the same id, place and time);
    the place is a counter, or a village for a household campaign's own form.

    The row exists so that issuance can be counted (the rate limit is on serving
    forms) and so that spending is one conditional UPDATE the database serialises:
    two responses racing with one token cannot both set `submission_id`.
    """

    __tablename__ = "form_token"
    __table_args__ = (
        Index("ix_form_token_counter_issued", "counter_id", "issued_at"),
        Index("ix_form_token_device_issued", "device_id", "issued_at"),
        Index("ix_form_token_unit_issued", "unit_id", "issued_at"),
        CheckConstraint("(counter_id IS NULL) <> (unit_id IS NULL)", name="one_place"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counter.id", ondelete="CASCADE"))
    # A village's self-completion form (phiếu gửi đến nhà): no counter, its unit.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    device_id: Mapped[int | None] = mapped_column(
        ForeignKey("kiosk_device.id", ondelete="SET NULL")
    )
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The response it admitted; a resend of that same response may present it again.
    submission_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
