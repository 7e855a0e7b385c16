"""Re-fold every campaign so its tallies carry the composite-interval moments.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 14:00:00

Factor and SIPAS intervals are now linearised from per-unit pair moments (`v:` keys,
app/counts/tally.py) that older tallies lack; a report over them would have no
interval at all, or a wrong one. The moments can only come from the answers, so the
tallies are emptied and every counted response is queued again: the next report of
each campaign folds its responses once (the cost of the bulk fold in
docs/benchmarks.md), and folds are exact, so nothing else changes. Excluded
responses were subtracted from the tallies and are not queued; responses already
waiting in the queue stay queued once. Published editions keep their frozen bodies.
Stored snapshots are keyed by the tally token, which the fold renews, so none of
them is served stale.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.execute("DELETE FROM tally")
    op.execute(
        "INSERT INTO fold_queue (submission_id, campaign_id) "
        "SELECT s.id, s.campaign_id FROM submission s "
        "WHERE s.excluded_at IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM fold_queue q WHERE q.submission_id = s.id)"
    )
    op.execute("DELETE FROM report_snapshot")


def downgrade() -> None:
    # The extra keys are harmless to the older code (it reads the keys it knows).
    pass
