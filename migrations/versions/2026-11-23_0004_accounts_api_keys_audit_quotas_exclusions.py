"""Accounts, sessions, API keys, audit log; quotas and progress counts; exclusions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 07:16:19.452279
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.core.db import UTCDateTime

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.Column("actor", sa.String(length=120), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("target", sa.String(length=200), nullable=False),
        sa.Column(
            "detail",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index("ix_audit_event_at", ["at"], unique=False)

    op.create_table(
        "account",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=120), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("disabled_at", UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'coordinator', 'viewer')", name=op.f("ck_account_role")
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_account_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_account")),
        sa.UniqueConstraint("login", name=op.f("uq_account_login")),
    )
    op.create_table(
        "api_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=12), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("last_used_at", UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_api_key_unit_id_unit"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_key")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_api_key_key_hash")),
    )
    op.create_table(
        "campaign_quota",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=64), nullable=False),
        sa.Column("option", sa.String(length=64), nullable=False),
        sa.Column("share", sa.Float(), nullable=False),
        sa.CheckConstraint("share > 0 AND share <= 100", name=op.f("ck_campaign_quota_share")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_quota_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "campaign_id", "question", "option", name=op.f("pk_campaign_quota")
        ),
    )
    op.create_table(
        "stratum_count",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("stratum", sa.String(length=130), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_stratum_count_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_stratum_count_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("campaign_id", "unit_id", "stratum", name=op.f("pk_stratum_count")),
    )
    op.create_table(
        "login_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_login_session_account_id_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_session")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_login_session_token_hash")),
    )
    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_session_account_id"), ["account_id"], unique=False
        )

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("quota_policy", sa.String(length=10), server_default="accept", nullable=False)
        )
        batch_op.add_column(sa.Column("margin_of_error", sa.Float(), nullable=True))
        batch_op.create_check_constraint("quota_policy", "quota_policy IN ('accept', 'stop')")
        batch_op.create_check_constraint(
            "margin_of_error",
            "margin_of_error IS NULL OR (margin_of_error > 0 AND margin_of_error < 1)",
        )

    with op.batch_alter_table("campaign_unit", schema=None) as batch_op:
        batch_op.add_column(sa.Column("transactions", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("collected", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.create_check_constraint(
            "transactions", "transactions IS NULL OR transactions >= 0"
        )
        batch_op.create_check_constraint("collected", "collected >= 0")

    # Progress of campaigns that already hold responses: every response under each scope unit.
    op.execute(
        "UPDATE campaign_unit SET collected = (SELECT count(*) FROM submission s "
        "JOIN unit_ancestor a ON a.unit_id = s.unit_id "
        "WHERE s.campaign_id = campaign_unit.campaign_id AND a.ancestor_id = campaign_unit.unit_id)"
    )

    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("over_quota", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.add_column(sa.Column("device_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("dossier_hash", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("excluded_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("excluded_by", sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column("exclude_reason", sa.String(length=500), nullable=True))
        batch_op.create_index(
            "ix_submission_campaign_dossier", ["campaign_id", "dossier_hash"], unique=False
        )
        batch_op.create_index(
            "ix_submission_counter_received", ["counter_id", "received_at"], unique=False
        )
        batch_op.create_index(
            "ix_submission_device_submitted", ["device_id", "submitted_at"], unique=False
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_submission_device_id_kiosk_device"),
            "kiosk_device",
            ["device_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_submission_device_id_kiosk_device"), type_="foreignkey"
        )
        batch_op.drop_index("ix_submission_device_submitted")
        batch_op.drop_index("ix_submission_counter_received")
        batch_op.drop_index("ix_submission_campaign_dossier")
        batch_op.drop_column("exclude_reason")
        batch_op.drop_column("excluded_by")
        batch_op.drop_column("excluded_at")
        batch_op.drop_column("dossier_hash")
        batch_op.drop_column("device_id")
        batch_op.drop_column("over_quota")

    # Constraints before their columns: SQLite's table copy would keep a check on a
    # column that is gone.
    with op.batch_alter_table("campaign_unit", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_campaign_unit_collected"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_campaign_unit_transactions"), type_="check")
        batch_op.drop_column("collected")
        batch_op.drop_column("transactions")

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_campaign_margin_of_error"), type_="check")
        batch_op.drop_constraint(batch_op.f("ck_campaign_quota_policy"), type_="check")
        batch_op.drop_column("margin_of_error")
        batch_op.drop_column("quota_policy")

    with op.batch_alter_table("login_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_session_account_id"))

    op.drop_table("login_session")
    op.drop_table("stratum_count")
    op.drop_table("campaign_quota")
    op.drop_table("api_key")
    op.drop_table("account")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_event_at")

    op.drop_table("audit_event")
