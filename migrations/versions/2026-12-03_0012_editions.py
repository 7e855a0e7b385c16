"""Published editions of campaign results and their frozen report documents.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 07:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from app.core.db import UTCDateTime

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "edition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", UTCDateTime(), nullable=False),
        sa.Column("published_by", sa.String(120), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("interim", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column(
            "moved",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("responses", sa.Integer(), nullable=False),
        sa.Column("excluded", sa.Integer(), nullable=False),
        sa.Column("hidden_at", UTCDateTime(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.CheckConstraint("number >= 1", name=op.f("ck_edition_number")),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_edition_campaign_id_campaign"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["account.id"],
            name=op.f("fk_edition_account_id_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_edition")),
        sa.UniqueConstraint("campaign_id", "number", name=op.f("uq_edition_campaign_id_number")),
    )
    with op.batch_alter_table("edition") as batch_op:
        batch_op.create_index("ix_edition_campaign_id", ["campaign_id"])
    op.create_table(
        "edition_document",
        sa.Column("edition_id", sa.Integer(), nullable=False),
        sa.Column("view", sa.String(200), nullable=False),
        sa.Column("json_gz", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["edition_id"],
            ["edition.id"],
            name=op.f("fk_edition_document_edition_id_edition"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("edition_id", "view", name=op.f("pk_edition_document")),
    )


def downgrade() -> None:
    op.drop_table("edition_document")
    with op.batch_alter_table("edition") as batch_op:
        batch_op.drop_index("ix_edition_campaign_id")
    op.drop_table("edition")
