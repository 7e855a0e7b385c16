"""Kiosk devices enrolled at counters, and counters that always run in kiosk mode.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22 23:23:11.535310
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db import UTCDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kiosk_device",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counter.id"],
            name=op.f("fk_kiosk_device_counter_id_counter"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kiosk_device")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_kiosk_device_token_hash")),
    )
    with op.batch_alter_table("kiosk_device", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_kiosk_device_counter_id"), ["counter_id"], unique=False
        )

    with op.batch_alter_table("counter", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("kiosk", sa.Boolean(), server_default=sa.false(), nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("counter", schema=None) as batch_op:
        batch_op.drop_column("kiosk")

    with op.batch_alter_table("kiosk_device", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kiosk_device_counter_id"))

    op.drop_table("kiosk_device")
