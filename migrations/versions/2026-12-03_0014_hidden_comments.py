"""Citizens' comments hidden as abusive.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db import UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hidden_comment",
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.String(64), nullable=False),
        sa.Column("hidden_at", UTCDateTime(), nullable=False),
        sa.Column("hidden_by", sa.String(120), nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_hidden_comment_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", "question", name=op.f("pk_hidden_comment")),
    )


def downgrade() -> None:
    op.drop_table("hidden_comment")
