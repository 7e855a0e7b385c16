"""The administrative tree and the service points (counters) under it."""

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.db import Base, UTCDateTime

# Local government has two levels since July 2025, but campaigns before that date
# use the old three-level map, so the tree depth is never fixed.
UNIT_KINDS = (
    "country",
    "ministry",
    "province",
    "department",
    "district",
    "commune",
    "service_centre",
    "agency",
    # Thôn, tổ dân phố under a commune: the household survey of the 2023 method
    # samples them and interviews households there.
    "village",
)
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
# Words the citizen pages use after /s/ for themselves (/s/village/…, /s/interview,
# /s/sw.js): a counter so coded would be hidden behind them (/s/<counter> is its
# page), so no counter may take one. tests/units checks every /s/ route is here.
RESERVED_COUNTER_CODES = frozenset({"village", "interview", "sw.js"})


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Unit(Base):
    """An administrative unit: ministry, province, department, district, commune, centre."""

    __tablename__ = "unit"
    __table_args__ = (
        CheckConstraint(_in("kind", UNIT_KINDS), name="kind"),
        CheckConstraint(
            "valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="validity"
        ),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        Index("ix_unit_path", "path"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    # Materialised path of ancestor ids, "1/7/42/", so "every unit under X" is one
    # indexed prefix scan on both SQLite and PostgreSQL.
    path: Mapped[str] = mapped_column(String(400))
    depth: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], lazy="raise")


class Counter(Base):
    """A service point (one-stop counter, kiosk) with the public code printed on its QR sheet."""

    __tablename__ = "counter"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    # A counter whose link is only ever opened on its own tablet runs the
    # questionnaire in kiosk mode for everyone; otherwise only enrolled devices do.
    kiosk: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    unit: Mapped[Unit] = relationship(lazy="raise")


class KioskDevice(Base):
    """A tablet enrolled at a counter: it runs the questionnaire in kiosk mode.

    The device holds a random token in a cookie; only its SHA-256 is stored, so a
    copy of the database cannot enrol a rogue device.
    """

    __tablename__ = "kiosk_device"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    counter_id: Mapped[int] = mapped_column(
        ForeignKey("counter.id", ondelete="CASCADE"), index=True
    )
    label: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The one-time enrolment link: its token's SHA-256 until it is opened (then the
    # device gets a fresh token of its own), and when it stops working.
    enrol_hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    enrol_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the link was opened on the tablet; a device is in use only from then.
    enrolled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Responses the tablet said it still holds (queued or refused as too late), as
    # of its last sync: the coordinator sees a device that holds unsent responses.
    queue_length: Mapped[int | None] = mapped_column(Integer)
    queue_reported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
