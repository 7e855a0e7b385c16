"""Report snapshots: published reports kept ready to serve.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 11:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db import UTCDateTime

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_snapshot",
        sa.Column(
            "campaign_id",
            sa.Integer(),
            sa.ForeignKey("campaign.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("view", sa.String(300), primary_key=True),
        sa.Column("version", sa.String(32), nullable=False),
        sa.Column("tally_token", sa.String(80), nullable=False),
        sa.Column("built_at", UTCDateTime(), nullable=False),
        sa.Column("json_gz", sa.LargeBinary(), nullable=False),
        sa.Column("csv_gz", sa.LargeBinary(), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("report_snapshot")
