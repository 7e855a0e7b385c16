"""A campaign's complaint hotline and link, shown on the thank-you screen.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 07:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.add_column(sa.Column("complaint_phone", sa.String(40), nullable=True))
        batch_op.add_column(sa.Column("complaint_url", sa.String(300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.drop_column("complaint_url")
        batch_op.drop_column("complaint_phone")
