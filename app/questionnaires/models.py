"""Questionnaire versions uploaded by an administrator (the files under questionnaires/
are the others). One row per (slug, version), never updated: a change is a new
version. Every app process reads them into its catalog (catalog.sync_uploaded)."""

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime


class QuestionnaireSource(Base):
    """An uploaded questionnaire version: its validated YAML, and the file as uploaded."""

    __tablename__ = "questionnaire_source"
    __table_args__ = (UniqueConstraint("slug", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60))
    version: Mapped[int] = mapped_column(Integer)
    # The questionnaire in our YAML (what the catalog loads), whatever was uploaded.
    source: Mapped[str] = mapped_column(Text)
    # SHA-256 of `source`: the catalog's cheap test for "has anything changed".
    digest: Mapped[str] = mapped_column(String(64))
    original_name: Mapped[str] = mapped_column(String(200))
    original: Mapped[bytes] = mapped_column(LargeBinary)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
