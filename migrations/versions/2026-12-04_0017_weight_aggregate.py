"""A campaign may weight its overall figure by its scope units' dossier counts.

Revision ID: 0017_weight_aggregate
Revises: 0016
Create Date: 2026-12-04 03:30:00

`campaign.aggregate` gains `weighted` (post-stratified by the transaction counts
stored with the scope units, docs/method.md §7). Only the check constraint changes;
no row changes. Downgrading sets the campaigns that chose `weighted` back to
`pooled`, the default the older code knows.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017_weight_aggregate"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("campaign") as batch:
        batch.drop_constraint("aggregate", type_="check")
        batch.create_check_constraint(
            "aggregate", "aggregate IN ('pooled', 'mean_of_units', 'weighted')"
        )


def downgrade() -> None:
    op.execute("UPDATE campaign SET aggregate = 'pooled' WHERE aggregate = 'weighted'")
    with op.batch_alter_table("campaign") as batch:
        batch.drop_constraint("aggregate", type_="check")
        batch.create_check_constraint("aggregate", "aggregate IN ('pooled', 'mean_of_units')")
