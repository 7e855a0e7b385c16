"""Citizens' comments chosen for the printed report.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 13:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db import UTCDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_comment",
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.String(64), nullable=False),
        sa.Column("chosen_at", UTCDateTime(), nullable=False),
        sa.Column("chosen_by", sa.String(120), nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submission.id"],
            name=op.f("fk_report_comment_submission_id_submission"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("submission_id", "question", name=op.f("pk_report_comment")),
    )


def downgrade() -> None:
    op.drop_table("report_comment")
