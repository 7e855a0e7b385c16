"""Questionnaire sources: versions uploaded by an administrator (XLSForm or YAML).

Revision ID: 0019_questionnaire_sources
Revises: 0018_filter_answer_blocks
Create Date: 2026-12-04 19:10:00

The catalog read questionnaires only from questionnaires/<slug>/v<N>.yaml; an upload
must survive restarts and be seen by every app process, so it is a row here (the
validated YAML, and the file as uploaded), loaded by the catalog beside the files.
(slug, version) is unique: a version, once saved, is never overwritten.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db import UTCDateTime

revision: str = "0019_questionnaire_sources"
down_revision: str | None = "0018_filter_answer_blocks"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "questionnaire_source",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("slug", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("original_name", sa.String(200), nullable=False),
        sa.Column("original", sa.LargeBinary(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["account.id"],
            name=op.f("fk_questionnaire_source_created_by_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questionnaire_source")),
        sa.UniqueConstraint("slug", "version", name=op.f("uq_questionnaire_source_slug_version")),
    )


def downgrade() -> None:
    op.drop_table("questionnaire_source")
