"""Campaign scopes without a unit and its own ancestor.

A scope holding a province and one of its districts counted the district's
responses twice in the province's totals and ranked the province against its own
district. Campaigns are now refused such a scope; this repairs the ones already
stored by keeping the top-most unit of each overlapping pair (the units below it
are included through it anyway), and drops their stored reports so they are
rebuilt on the repaired scope.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 07:10:00
"""

from collections.abc import Sequence

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


def downgrade() -> None:
    # The removed rows were redundant (their units stay covered through an ancestor).
    pass
