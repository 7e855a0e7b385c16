"""Day and flag counts in the tallies; indexes for the review list.

Progress (responses per day) and review (responses per flag) read `day=` and
`flag=` tally keys instead of scanning every response. Responses already folded get
those keys here, counted the way `app.services.tally.row_keys` counts them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 09:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FLAGS = ("speeding", "straight_lining", "burst", "repeated_dossier")
REVIEW = {
    "postgresql": "quality_flags <> '[]'::jsonb OR over_quota OR excluded_at IS NOT NULL",
    "sqlite": "quality_flags <> '[]' OR over_quota OR excluded_at IS NOT NULL",
}


def _add_counts(key_sql: str, where: str) -> None:
    op.execute(
        "INSERT INTO tally (campaign_id, unit_id, key, n) "
        f"SELECT campaign_id, unit_id, {key_sql}, count(*) FROM submission "
        f"WHERE tallied AND excluded_at IS NULL AND ({where}) "
        "GROUP BY campaign_id, unit_id, 3 "
        "ON CONFLICT (campaign_id, unit_id, key) DO UPDATE SET n = tally.n + excluded.n"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    pg = dialect == "postgresql"
    day = (
        "'day=' || to_char(timezone('Asia/Ho_Chi_Minh', submitted_at), 'YYYY-MM-DD')"
        if pg
        else "'day=' || date(submitted_at, '+7 hours')"
    )
    flags_text = "quality_flags::text" if pg else "quality_flags"
    _add_counts(day, "true")
    for flag in FLAGS:
        _add_counts(f"'flag={flag}'", f"{flags_text} LIKE '%\"{flag}\"%'")
    _add_counts("'flag=over_quota'", "over_quota")
    _add_counts("'flag=*'", f"{flags_text} <> '[]' OR over_quota")

    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.create_index(
            "ix_submission_campaign_submitted", ["campaign_id", "submitted_at"], unique=False
        )
        batch_op.create_index(
            "ix_submission_review",
            ["campaign_id", "submitted_at"],
            unique=False,
            postgresql_where=sa.text(REVIEW["postgresql"]),
            sqlite_where=sa.text(REVIEW["sqlite"]),
        )


def downgrade() -> None:
    with op.batch_alter_table("submission", schema=None) as batch_op:
        batch_op.drop_index("ix_submission_review")
        batch_op.drop_index("ix_submission_campaign_submitted")
    op.execute("DELETE FROM tally WHERE key LIKE 'day=%' OR key LIKE 'flag=%'")
