"""Tallies (report rollups), the unit closure table, and submission.tallied.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 21:40:31.099372
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tally",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=100), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "unit_id", "key", name=op.f("pk_tally")),
    )
    op.create_table(
        "unit_ancestor",
        sa.Column("ancestor_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("distance", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["ancestor_id"],
            ["unit.id"],
            name=op.f("fk_unit_ancestor_ancestor_id_unit"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["unit.id"], name=op.f("fk_unit_ancestor_unit_id_unit"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("ancestor_id", "unit_id", name=op.f("pk_unit_ancestor")),
    )
    with op.batch_alter_table("unit_ancestor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_unit_ancestor_unit_id"), ["unit_id"], unique=False)

    # Every existing unit gets its closure rows, from its materialised path.
    conn = op.get_bind()
    rows = []
    for unit_id, path in conn.execute(sa.text("SELECT id, path FROM unit")):
        chain = [int(p) for p in path.split("/") if p]
        rows += [{"a": a, "u": unit_id, "d": len(chain) - 1 - i} for i, a in enumerate(chain)]
    if rows:
        conn.execute(
            sa.text(
                "INSERT INTO unit_ancestor (ancestor_id, unit_id, distance) VALUES (:a, :u, :d)"
            ),
            rows,
        )

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.add_column(sa.Column("tally_token", sa.String(length=32), nullable=True))

    conn.execute(sa.text("UPDATE campaign SET tally_token = 'initial-' || id"))
    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.alter_column("tally_token", existing_type=sa.String(length=32), nullable=False)

    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("tallied", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
        batch_op.create_index(
            "ix_submission_untallied",
            ["campaign_id"],
            unique=False,
            postgresql_where=sa.text("NOT tallied"),
            sqlite_where=sa.text("NOT tallied"),
        )


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_submission_untallied",
            postgresql_where=sa.text("NOT tallied"),
            sqlite_where=sa.text("NOT tallied"),
        )
        batch_op.drop_column("tallied")

    with op.batch_alter_table("unit_ancestor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_unit_ancestor_unit_id"))

    with op.batch_alter_table("campaign", schema=None) as batch_op:
        batch_op.drop_column("tally_token")

    op.drop_table("unit_ancestor")
    op.drop_table("tally")
