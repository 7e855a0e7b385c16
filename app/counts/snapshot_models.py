"""Published reports kept ready to serve: one row per campaign and report view."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime


class ReportSnapshot(Base):
    """The gzip-compressed JSON (and, once asked for, CSV) of one unfiltered report.

    A report of a thousand units is about 10 MB of JSON and takes most of a second to
    compute from the tallies; serving it from here costs one indexed read, the same
    whichever process or restart asks. `tally_token` is the campaign's token the
    report was computed from and `built_at` when its responses were folded in; see
    `app.counts.snapshots` for when a snapshot may still be served. `version` is
    new on every rebuild (the ETag, and the key of each process's in-memory copy).
    Derived data: deleting rows only costs a rebuild.
    """

    __tablename__ = "report_snapshot"

    campaign_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("campaign.id", ondelete="CASCADE"), primary_key=True
    )
    view: Mapped[str] = mapped_column(String(300), primary_key=True)
    version: Mapped[str] = mapped_column(String(32))
    tally_token: Mapped[str] = mapped_column(String(80))
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)
    json_gz: Mapped[bytes] = mapped_column(LargeBinary)
    csv_gz: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
