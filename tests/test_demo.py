"""The demo shows the product: a campaign over the demo's units with targets, last
year's campaign to compare with, flagged responses and citizens' comments."""

import re

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.models import Account, AuditEvent
from app.campaigns import comments
from app.campaigns.models import CampaignStatus, CampaignUnit
from app.collection.models import Submission
from app.demo import (
    ABUSIVE,
    CAMPAIGN,
    DUPLICATE_REASON,
    HOUSEHOLD,
    PREVIOUS,
    Reviewed,
    build_household,
    build_previous,
    build_tree,
    demo_accounts,
    load_submissions,
    publish_previous,
    review_demo,
)
from app.questionnaires.catalog import Catalog
from app.reporting.models import Edition
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
    # A change in points at the published precision (maybe marked against a previous
    # figure too small to rank), then in places.
    change = r"[+-]?\d+,\d\d(?:<sup[^>]*>[^<]*</sup>)?<br><small>[+-]?\d+ bậc"
    assert re.search(change, results.text)
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


def test_the_demo_accounts_sign_in_with_what_it_prints_and_see_their_area(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    campaign, pairs = build_tree(session, catalog)
    previous = build_previous(session, catalog, pairs)
    assert publish_previous(session, catalog, previous) is None  # nothing to publish yet
    load_submissions(session, catalog, previous, pairs, 300, 2, extras=True)
    assert publish_previous(session, catalog, previous) == 1
    assert publish_previous(session, catalog, previous) == 1  # once
    people = {p.login: p for p in demo_accounts(session)}
    assert {(p.role, p.area) for p in people.values()} == {
        ("admin", None),
        ("coordinator", "DEMO"),
        ("viewer", "DEMO-S02"),
    }
    public = client.get(f"/results/{PREVIOUS}")
    assert public.status_code == 200
    assert "Sở Tư pháp" in public.text
    viewer = people["sotuphap@demo"]
    sign_in(client, viewer.login, viewer.password)
    mine = client.get(f"/api/v1/campaigns/{PREVIOUS}/comments", params={"state": "all"})
    assert mine.status_code == 200
    units = {c["unit"] for c in mine.json()["comments"]}
    assert units == {"DEMO-S02"}  # only the viewer's department
    client.post("/logout", data={"csrf": client.cookies.get("csrf") or ""})
    client.cookies.clear()
    again = {p.login: p for p in demo_accounts(session)}  # a rerun: new passwords
    assert again["dieuphoi@demo"].password != people["dieuphoi@demo"].password
    sign_in(client, "dieuphoi@demo", again["dieuphoi@demo"].password)
    every = client.get(f"/api/v1/campaigns/{PREVIOUS}/comments", params={"state": "all"})
    assert len({c["unit"] for c in every.json()["comments"]}) > 5


def test_the_demo_reviews_its_campaign_once_as_its_admin(
    session: Session, catalog: Catalog
) -> None:
    campaign, pairs = build_tree(session, catalog)
    previous = build_previous(session, catalog, pairs)
    load_submissions(session, catalog, campaign, pairs, 1200, 3, extras=True)
    load_submissions(session, catalog, previous, pairs, 300, 2, extras=True)
    assert publish_previous(session, catalog, previous) == 1
    edition = session.scalars(select(Edition).where(Edition.campaign_id == previous.id)).one()
    admin = session.scalars(select(Account).where(Account.login == "quantri@demo")).one()
    assert (edition.published_by, edition.account_id) == ("quantri@demo", admin.id)
    assert review_demo(session, catalog, campaign) == Reviewed(chosen=3, hidden=1, excluded=2)
    assert review_demo(session, catalog, campaign) == Reviewed(0, 0, 0)  # once
    told = comments.for_report(session, campaign)
    assert len(told.chosen) == 3
    assert len({c.text for c in told.chosen}) == 3
    assert ABUSIVE not in {c.text for c in told.chosen}
    gone = session.scalars(
        select(Submission).where(
            Submission.campaign_id == campaign.id, Submission.excluded_at.is_not(None)
        )
    ).all()
    assert [s.exclude_reason for s in gone] == [DUPLICATE_REASON] * 2
    assert {s.excluded_by for s in gone} == {"quantri@demo"}
    for s in gone:  # each is a copy of a response that still counts
        kept = session.scalars(
            select(Submission).where(
                Submission.body_hash == s.body_hash, Submission.excluded_at.is_(None)
            )
        ).one()
        assert kept.unit_id == s.unit_id
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.actor == "quantri@demo")
    ).all()
    assert sorted(set(actions)) == [
        "campaign.publish",
        "comment.choose",
        "comment.hide",
        "response.exclude",
    ]
    assert actions.count("comment.choose") == 3


def test_the_demo_runs_a_household_campaign_on_the_2023_questionnaire(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    _, pairs = build_tree(session, catalog)
    household, homes = build_household(session, catalog, pairs)
    assert household.code == HOUSEHOLD
    assert (household.questionnaire, household.status) == ("sipas-2023", CampaignStatus.open)
    assert len(homes) == 20  # the communes, each with its interviewers' counter
    assert load_submissions(session, catalog, household, homes, 1500, 4, extras=True) == 1500
    assert load_submissions(session, catalog, household, homes, 1500, 4, extras=True) == 0
    bodies = session.scalars(
        select(Submission.answers).where(Submission.campaign_id == household.id)
    ).all()
    assert {a["adult"] for a in bodies} == {"yes"}
    # A resident who dealt with no procedure says "don't know" (0) to every service item.
    service = [f"S{i}" for i in range(24, 40)]
    never = [a for a in bodies if all(a[c] == 0 for c in service)]
    assert 0.2 < len(never) / len(bodies) < 0.7
    assert {a["C1_economy"] for a in bodies} == {1, 2, 3, 4}  # a 4-level question
    make_account(session, "demo-admin", "admin")
    sign_in(client, "demo-admin")
    report = client.get(f"/api/v1/campaigns/{HOUSEHOLD}/indices").json()
    assert report["tree"]
    factors = report["overall"]["factors"]
    assert set(factors) >= {"policy", "service", "I_A", "II_E"}
    # Fewer residents rate the service aspect than the policy aspect.
    assert factors["service"]["n"] < factors["policy"]["n"]
    assert 60 < report["overall"]["sipas"]["value"] < 95
    page = client.get(f"/dash/campaigns/{HOUSEHOLD}/results", params={"lang": "vi"})
    assert page.status_code == 200
    assert "Cung ứng dịch vụ hành chính công" in visible(page.text)
