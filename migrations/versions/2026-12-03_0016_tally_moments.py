"""The composite-interval moments: one vector per (campaign, unit), and a recount.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 14:00:00

Factor and SIPAS intervals are now linearised from per-unit pair moments, stored as
one little-endian int64 vector per unit in `tally_moments` (layout:
app/counts/tally.py MomentLayout; as ~1,600 tally rows per unit they made the fold
4× and the rebuild 10× slower). Older tallies have no vectors, and the moments can
only come from the answers, so the campaigns that have counted responses start
their counts over: their tallies are emptied and their counted responses queued
again, and the next report of each campaign folds them once (the cost of the bulk
fold in docs/benchmarks.md). Folds are exact, so nothing else changes. Excluded
responses were subtracted from the tallies and are not queued; responses already
waiting in the queue stay queued once; campaigns with nothing counted are left
alone. Published editions keep their frozen bodies. Stored snapshots are deleted:
they are keyed by the tally token, which the fold renews, but a snapshot still in
its freshness window would otherwise be served once more without the intervals.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "tally_moments",
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("layout", sa.String(40), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("campaign_id", "unit_id", name=op.f("pk_tally_moments")),
    )
    counted = "SELECT DISTINCT t.campaign_id FROM tally t"
    op.execute(
        "INSERT INTO fold_queue (submission_id, campaign_id) "
        "SELECT s.id, s.campaign_id FROM submission s "
        f"WHERE s.excluded_at IS NULL AND s.campaign_id IN ({counted}) "
        "AND NOT EXISTS (SELECT 1 FROM fold_queue q WHERE q.submission_id = s.id)"
    )
    op.execute("DELETE FROM tally")
    op.execute("DELETE FROM report_snapshot")


def downgrade() -> None:
    # The tallies stay whole (the older code reads the keys it knows); the vectors go.
    op.drop_table("tally_moments")
