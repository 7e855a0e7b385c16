"""Published editions of a campaign's results: frozen report documents."""

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime

JSONVariant = JSON().with_variant(JSONB(), "postgresql")


class Edition(Base):
    """One publication (công bố) of a campaign's results, numbered from 1.

    Its documents are copies of the reports as they stood when it was published, so
    responses or exclusions arriving later never change it. Unpublishing hides every
    edition of the campaign (`hidden_at`); nothing is deleted, and publishing again
    shows them all with the new one.
    """

    __tablename__ = "edition"
    __table_args__ = (
        UniqueConstraint("campaign_id", "number"),
        CheckConstraint("number >= 1", name="number"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaign.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by: Mapped[str] = mapped_column(String(120))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), nullable=True
    )
    # An interim edition (kết quả sơ bộ) of a campaign that was still open.
    interim: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    note: Mapped[str | None] = mapped_column(Text)
    # Units whose SIPAS or rank moved since the previous edition.
    moved: Mapped[list[dict[str, Any]]] = mapped_column(JSONVariant, default=list)
    responses: Mapped[int] = mapped_column(Integer, default=0)
    excluded: Mapped[int] = mapped_column(Integer, default=0)
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str | None] = mapped_column(Text)


class EditionDocument(Base):
    """One report of an edition: the gzip JSON the report service built for a view
    (`top`, `level:<kind>`, `parent:<unit>`, `unit:<unit>`)."""

    __tablename__ = "edition_document"

    edition_id: Mapped[int] = mapped_column(
        ForeignKey("edition.id", ondelete="CASCADE"), primary_key=True
    )
    view: Mapped[str] = mapped_column(String(200), primary_key=True)
    json_gz: Mapped[bytes] = mapped_column(LargeBinary)
