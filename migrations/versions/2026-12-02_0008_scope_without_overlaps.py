"""Campaign scopes without a unit and its own ancestor; how a campaign aggregates.

A scope holding a province and one of its districts counted the district's
responses twice in the province's totals and ranked the province against its own
district. Campaigns are now refused such a scope; this repairs the ones already
stored by keeping the top-most unit of each overlapping pair (the units below it
are included through it anyway), and drops their stored reports so they are
rebuilt on the repaired scope.

`campaign.aggregate` says how a unit with sub-units gets its figures by default:
`pooled` (as until now) or `mean_of_units`.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_UNDER_ANOTHER = """
    EXISTS (
        SELECT 1 FROM campaign_unit AS above
        JOIN unit_ancestor AS ua ON ua.ancestor_id = above.unit_id
        WHERE above.campaign_id = campaign_unit.campaign_id
          AND ua.unit_id = campaign_unit.unit_id
          AND ua.distance > 0
    )
"""


def upgrade() -> None:
    op.execute(
        "DELETE FROM report_snapshot WHERE campaign_id IN "
        f"(SELECT campaign_id FROM campaign_unit WHERE {_UNDER_ANOTHER})"
    )
    op.execute(f"DELETE FROM campaign_unit WHERE {_UNDER_ANOTHER}")
    with op.batch_alter_table("campaign") as batch:
        batch.add_column(
            sa.Column("aggregate", sa.String(16), nullable=False, server_default="pooled")
        )
        batch.create_check_constraint("aggregate", "aggregate IN ('pooled', 'mean_of_units')")


def downgrade() -> None:
    # The removed scope rows were redundant (their units stay covered through an
    # ancestor), so only the column goes.
    with op.batch_alter_table("campaign") as batch:
        batch.drop_constraint("aggregate", type_="check")
        batch.drop_column("aggregate")
