"""Form tokens, write-scoped API keys, and the key a submission came with.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 22:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.core.db import UTCDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "form_token",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("counter_id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("submission_id", sa.Uuid(), nullable=True),
        sa.Column("used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["counter_id"],
            ["counter.id"],
            name=op.f("fk_form_token_counter_id_counter"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["device_id"],
            ["kiosk_device.id"],
            name=op.f("fk_form_token_device_id_kiosk_device"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_form_token")),
    )
    with op.batch_alter_table("form_token") as batch_op:
        batch_op.create_index("ix_form_token_counter_issued", ["counter_id", "issued_at"])
        batch_op.create_index("ix_form_token_device_issued", ["device_id", "issued_at"])

    with op.batch_alter_table("api_key") as batch_op:
        batch_op.add_column(
            sa.Column("scope", sa.String(10), server_default="read", nullable=False)
        )
        batch_op.create_check_constraint("scope", "scope IN ('read', 'write')")

    with op.batch_alter_table("submission") as batch_op:
        batch_op.add_column(sa.Column("api_key_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_submission_api_key_id_api_key"),
            "api_key",
            ["api_key_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index("ix_submission_api_key_received", ["api_key_id", "received_at"])


def downgrade() -> None:
    with op.batch_alter_table("submission") as batch_op:
        batch_op.drop_index("ix_submission_api_key_received")
        batch_op.drop_constraint("fk_submission_api_key_id_api_key", type_="foreignkey")
        batch_op.drop_column("api_key_id")
    with op.batch_alter_table("api_key") as batch_op:
        batch_op.drop_constraint("scope", type_="check")
        batch_op.drop_column("scope")
    with op.batch_alter_table("form_token") as batch_op:
        batch_op.drop_index("ix_form_token_device_issued")
        batch_op.drop_index("ix_form_token_counter_issued")
    op.drop_table("form_token")
