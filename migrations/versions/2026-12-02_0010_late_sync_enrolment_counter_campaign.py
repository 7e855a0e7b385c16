"""Late-synced responses, single-use enrolment links, tablet queues, counter campaigns.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db import UTCDateTime

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("submission") as batch_op:
        batch_op.add_column(
            sa.Column("late_sync", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    with op.batch_alter_table("campaign") as batch_op:
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("opened_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE campaign SET opened_at = created_at WHERE status <> 'draft'")
    with op.batch_alter_table("kiosk_device") as batch_op:
        batch_op.add_column(sa.Column("enrol_hash", sa.String(64), nullable=True))
        batch_op.add_column(sa.Column("enrol_expires_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("enrolled_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("queue_length", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("queue_reported_at", UTCDateTime(), nullable=True))
        batch_op.create_index("ix_kiosk_device_enrol_hash", ["enrol_hash"], unique=True)
    # Tablets enrolled before links became single-use keep working: their cookie
    # is the token they were enrolled with.
    op.execute("UPDATE kiosk_device SET enrolled_at = created_at")
    op.create_table(
        "counter_campaign",
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("assigned_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counter.id"],
            name=op.f("fk_counter_campaign_counter_id_counter"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_counter_campaign_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("counter_id", name=op.f("pk_counter_campaign")),
    )
    with op.batch_alter_table("counter_campaign") as batch_op:
        batch_op.create_index("ix_counter_campaign_campaign_id", ["campaign_id"])


def downgrade() -> None:
    with op.batch_alter_table("counter_campaign") as batch_op:
        batch_op.drop_index("ix_counter_campaign_campaign_id")
    op.drop_table("counter_campaign")
    with op.batch_alter_table("kiosk_device") as batch_op:
        batch_op.drop_index("ix_kiosk_device_enrol_hash")
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would recreate these tables, which
    # other tables reference, and SQLite refuses to drop a referenced table.
    for table, column in (
        ("kiosk_device", "queue_reported_at"),
        ("kiosk_device", "queue_length"),
        ("kiosk_device", "enrolled_at"),
        ("kiosk_device", "enrol_expires_at"),
        ("kiosk_device", "enrol_hash"),
        ("campaign", "closed_at"),
        ("campaign", "opened_at"),
        ("submission", "late_sync"),
    ):
        op.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
