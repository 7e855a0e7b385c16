"""Household surveys: villages, interviewers, household campaigns.

Revision ID: 0020_household_interviewers
Revises: 0019_questionnaire_sources
Create Date: 2026-12-04 19:00:00

The 2023 method samples villages and residential groups (thôn, tổ dân phố) under
communes and interviews households there: units of kind `village`, accounts of role
`interviewer`, campaigns of kind `household` (responses name a village, no counter),
the interviewer of each interviewed response on the submission, and form tokens
bound to a village (a household's own form, sent later from a phone's queue).

On SQLite the submission table is rebuilt for its new foreign key (a named one:
ALTER TABLE ADD COLUMN keeps neither the name nor ON DELETE where reflection sees
them), which drops the fold trigger of 0011: it is created again.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_household_interviewers"
down_revision: str | None = "0019_questionnaire_sources"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS_BEFORE = (
    "country",
    "ministry",
    "province",
    "department",
    "district",
    "commune",
    "service_centre",
    "agency",
)
ROLES_BEFORE = ("admin", "coordinator", "viewer")
# As created by 0011_fold_queue.
SQLITE_TRIGGER = """
CREATE TRIGGER submission_enqueue_fold AFTER INSERT ON submission
BEGIN
    INSERT INTO fold_queue (submission_id, campaign_id) VALUES (NEW.id, NEW.campaign_id);
END
"""


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _recheck(table: str, name: str, condition: str) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(name, type_="check")
        batch.create_check_constraint(name, condition)


def upgrade() -> None:
    _recheck("unit", "kind", _in("kind", (*KINDS_BEFORE, "village")))
    _recheck("account", "role", _in("role", (*ROLES_BEFORE, "interviewer")))
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(sa.Column("kind", sa.String(12), nullable=False, server_default="counter"))
        batch.create_check_constraint("kind", "kind IN ('counter', 'household')")
    with op.batch_alter_table("submission") as batch:
        batch.add_column(sa.Column("interviewer_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_submission_interviewer_id_account",
            "account",
            ["interviewer_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index(
            "ix_submission_interviewer_submitted", ["interviewer_id", "submitted_at"]
        )
    _sqlite_trigger()
    # A village's own form gets a form token too, bound to the village: a household's
    # phone may send it from its offline queue.
    with op.batch_alter_table("form_token") as batch:
        batch.alter_column("counter_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("unit_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_form_token_unit_id_unit", "unit", ["unit_id"], ["id"], ondelete="CASCADE"
        )
        batch.create_index("ix_form_token_unit_issued", ["unit_id", "issued_at"])
        batch.create_check_constraint("one_place", "(counter_id IS NULL) <> (unit_id IS NULL)")


def _sqlite_trigger() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS submission_enqueue_fold")
        op.execute(SQLITE_TRIGGER)


def downgrade() -> None:
    op.execute("DELETE FROM form_token WHERE unit_id IS NOT NULL")
    with op.batch_alter_table("form_token") as batch:
        batch.drop_constraint("one_place", type_="check")
        batch.drop_index("ix_form_token_unit_issued")
        batch.drop_constraint("fk_form_token_unit_id_unit", type_="foreignkey")
        batch.drop_column("unit_id")
        batch.alter_column("counter_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("submission") as batch:
        batch.drop_index("ix_submission_interviewer_submitted")
        batch.drop_constraint("fk_submission_interviewer_id_account", type_="foreignkey")
        batch.drop_column("interviewer_id")
    _sqlite_trigger()
    with op.batch_alter_table("campaign") as batch:
        batch.drop_constraint("kind", type_="check")
        batch.drop_column("kind")
    op.execute(
        "DELETE FROM login_session WHERE account_id IN "
        "(SELECT id FROM account WHERE role = 'interviewer')"
    )
    op.execute("DELETE FROM account WHERE role = 'interviewer'")
    op.execute("DELETE FROM unit WHERE kind = 'village'")
    _recheck("account", "role", _in("role", ROLES_BEFORE))
    _recheck("unit", "kind", _in("kind", KINDS_BEFORE))
