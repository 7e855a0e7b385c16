"""Answer blocks: a columnar copy of the counted answers, for filtered reports.

Revision ID: 0018_filter_answer_blocks
Revises: 0017_weight_aggregate
Create Date: 2026-12-04 03:20:00

Filtered reports counted every matching response's JSON answers in Python (39 s at
10⁶ responses); they now read `answer_block` rows (app/counts/columns.py), which the
fold appends as it counts. Backfill is lazy, not here: a campaign whose blocks do not
add up to its tallied responses (every campaign counted before this revision) has
them rebuilt from its responses by its first filtered report, once, under the
campaign's row lock. The migration needs no questionnaire, so it stays a plain DDL
step on both backends.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_filter_answer_blocks"
down_revision: str | None = "0017_weight_aggregate"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_block",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.String(40), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_block")),
    )
    op.create_index(op.f("ix_answer_block_campaign_id"), "answer_block", ["campaign_id"])
    if op.get_bind().dialect.name == "postgresql":
        # The answers are small integers of high entropy: PostgreSQL's pglz would
        # spend a filtered report's time decompressing for little gain.
        op.execute("ALTER TABLE answer_block ALTER COLUMN data SET STORAGE EXTERNAL")


def downgrade() -> None:
    op.drop_index(op.f("ix_answer_block_campaign_id"), table_name="answer_block")
    op.drop_table("answer_block")
