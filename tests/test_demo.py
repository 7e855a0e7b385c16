"""The demo shows the product: a campaign over the demo's units with targets, last
year's campaign to compare with, flagged responses and citizens' comments."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns.models import CampaignStatus, CampaignUnit
from app.collection.models import Submission
from app.demo import CAMPAIGN, PREVIOUS, build_previous, build_tree, load_submissions
from app.questionnaires.catalog import Catalog
from tests.access.test_dash_language import visible
from tests.factories import make_account
from tests.signin import sign_in


def test_the_demo_has_what_an_analyst_looks_at(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    campaign, pairs = build_tree(session, catalog)
    previous = build_previous(session, catalog, pairs)
    assert load_submissions(session, catalog, campaign, pairs, 1200, 3, extras=True) == 1200
    assert load_submissions(session, catalog, previous, pairs, 600, 3, extras=True) == 600
    # Twice: nothing more (ids follow the seed), and the two campaigns' rows are apart.
    assert load_submissions(session, catalog, previous, pairs, 600, 3, extras=True) == 0
    assert previous.status == CampaignStatus.closed
    scope = session.scalars(
        select(CampaignUnit).where(CampaignUnit.campaign_id == campaign.id)
    ).all()
    assert len(scope) == 33
    assert all(cu.target for cu in scope)
    flagged = session.scalar(
        select(func.count())
        .select_from(Submission)
        .where(Submission.campaign_id == campaign.id, Submission.quality_flags != [])
    )
    assert 10 < (flagged or 0) < 120  # a few, not most
    make_account(session, "demo-admin", "admin")
    sign_in(client, "demo-admin")
    base = f"/dash/campaigns/{CAMPAIGN}"
    results = client.get(f"{base}/results", params={"compare": PREVIOUS, "lang": "vi"})
    assert results.status_code == 200
    assert "Thay đổi" in results.text
    assert re.search(r"[+-]\d+,\d<br><small>[+-]?\d+ bậc", results.text)
    assert f'<option value="{PREVIOUS}" selected>' in results.text
    assert 'id="league-department"' in results.text
    assert 'id="league-commune"' in results.text
    comments = client.get(f"{base}/comments")
    assert comments.status_code == 200
    assert int(re.search(r"(\d+) ý kiến", visible(comments.text)).group(1)) > 20  # type: ignore[union-attr]
    review = client.get(f"{base}/responses", params={"state": "flagged"})
    assert "Làm quá nhanh" in visible(review.text)
    assert "Chọn một mức cho tất cả" in visible(review.text)
    progress = visible(client.get(base).text)
    assert "150" in progress  # a department's target
