"""Fold from a narrow queue: a response is written once (no `tallied` flag to flip).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 08:30:00

See app/counts/models.py FoldQueue for why. The queue is filled by a trigger on
`submission`: statement-level with a transition table on PostgreSQL (one INSERT …
SELECT per statement, however many rows a COPY brings), per row on SQLite (which
has only row triggers; one writer at a time, so it costs what the extra insert
costs).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PG_FUNCTION = """
CREATE FUNCTION sipas_enqueue_fold() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO fold_queue (submission_id, campaign_id)
    SELECT id, campaign_id FROM new_rows;
    RETURN NULL;
END
$$
"""
PG_TRIGGER = """
CREATE TRIGGER submission_enqueue_fold AFTER INSERT ON submission
REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
EXECUTE FUNCTION sipas_enqueue_fold()
"""
SQLITE_TRIGGER = """
CREATE TRIGGER submission_enqueue_fold AFTER INSERT ON submission
BEGIN
    INSERT INTO fold_queue (submission_id, campaign_id) VALUES (NEW.id, NEW.campaign_id);
END
"""


def upgrade() -> None:
    op.create_table(
        "fold_queue",
        sa.Column("submission_id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("submission_id", name=op.f("pk_fold_queue")),
    )
    op.create_index("ix_fold_queue_campaign_id", "fold_queue", ["campaign_id"])
    op.execute(
        "INSERT INTO fold_queue (submission_id, campaign_id) "
        "SELECT id, campaign_id FROM submission WHERE NOT tallied"
    )
    op.drop_index("ix_submission_untallied", table_name="submission")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_column("submission", "tallied")
        op.execute(PG_FUNCTION)
        op.execute(PG_TRIGGER)
    else:
        # SQLite drops a column in place since 3.35 (no table rebuild, which would
        # lose the trigger and cost a copy of every response).
        op.execute("ALTER TABLE submission DROP COLUMN tallied")
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "DROP TRIGGER IF EXISTS submission_enqueue_fold" + (" ON submission" if postgres else "")
    )
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS sipas_enqueue_fold()")
    with op.batch_alter_table("submission") as batch_op:
        batch_op.add_column(
            sa.Column("tallied", sa.Boolean(), server_default=sa.true(), nullable=False)
        )
    op.execute(
        "UPDATE submission SET tallied = false WHERE id IN (SELECT submission_id FROM fold_queue)"
    )
    op.create_index(
        "ix_submission_untallied",
        "submission",
        ["campaign_id"],
        postgresql_where=sa.text("NOT tallied"),
        sqlite_where=sa.text("NOT tallied"),
    )
    op.drop_index("ix_fold_queue_campaign_id", table_name="fold_queue")
    op.drop_table("fold_queue")
