"""Opening a campaign over counters already collecting for another (issue 15 §12)."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.campaigns import service as campaigns
from app.campaigns.models import CampaignStatus
from app.questionnaires.catalog import Catalog
from tests.answers import body
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in


def _setup(session: Session, catalog: Catalog, place: dict[str, Any]) -> None:
    """C-2026 (open, province P) already collects at k-1; C-DEPT (draft) covers its department."""
    make_counter(session, "k-2", make_unit(session, "P-S02", "department", place["province"]))
    make_campaign(session, catalog, "C-DEPT", [place["dept"]], CampaignStatus.draft)
    make_account(session, "coord", "coordinator", place["province"])


def test_opening_over_counters_of_an_open_campaign_is_refused_until_each_is_assigned(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    _setup(session, catalog, place)
    csrf = {"X-CSRF-Token": sign_in(client, "coord")}
    refused = client.post("/api/v1/campaigns/C-DEPT/open", headers=csrf)
    assert refused.status_code == 409, refused.text
    out = refused.json()
    assert out["error"] == "overlap"
    assert "units P-S01 (counters k-1) already collect for open campaign 'C-2026'" in out["detail"]
    assert out["fields"] == [
        {"loc": "units.P-S01", "msg": "already in open campaign 'C-2026'", "code": "overlap"}
    ]
    assert campaigns.get_campaign(session, "C-DEPT").status == "draft"
    # Nothing was taken over: k-1 still feeds C-2026, without anyone naming it.
    before = client.post("/api/v1/submissions", json=body(catalog))
    assert (before.status_code, before.json()["campaign"]) == (201, "C-2026")

    wrong = client.post(
        "/api/v1/campaigns/C-DEPT/open", headers=csrf, json={"counters": {"k-1": "NOPE"}}
    )
    assert wrong.status_code == 422
    assert wrong.json()["fields"][0]["loc"] == "counters.k-1"
    assert "C-2026 or C-DEPT" in wrong.json()["fields"][0]["msg"]
    opened = client.post(
        "/api/v1/campaigns/C-DEPT/open", headers=csrf, json={"counters": {"k-1": "C-DEPT"}}
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "open"
    # Unambiguous for clients that name no campaign: the choice decides (was 422 "ambiguous").
    after = client.post("/api/v1/submissions", json=body(catalog))
    assert (after.status_code, after.json()["campaign"]) == (201, "C-DEPT")
    elsewhere = client.post("/api/v1/submissions", json=body(catalog, counter="k-2"))
    assert elsewhere.json()["campaign"] == "C-2026"
    assert any(e.action == "campaign.open" for e in accounts.audit_log(session))


def test_the_dashboard_asks_which_campaign_each_counter_feeds_and_progress_shows_it(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    _setup(session, catalog, place)
    csrf = sign_in(client, "coord")
    asked = client.post(
        "/dash/campaigns/C-DEPT/status", data={"csrf": csrf, "status": "open", "confirm": "1"}
    )
    assert asked.status_code == 200
    assert "Phạm vi trùng với đợt khảo sát đang mở" in asked.text
    assert 'name="feed.k-1" value="C-2026" checked' in asked.text
    assert 'name="feed.k-1" value="C-DEPT"' in asked.text
    assert campaigns.get_campaign(session, "C-DEPT").status == "draft"
    done = client.post(
        "/dash/campaigns/C-DEPT/status",
        data={"csrf": csrf, "status": "open", "overlap": "1", "feed.k-1": "C-DEPT"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert campaigns.get_campaign(session, "C-DEPT").status == "open"
    province = client.get("/dash/campaigns/C-2026").text
    assert 'id="feeds-elsewhere"' in province
    assert "k-1 (P-S01) → C-DEPT" in province
    dept = client.get("/dash/campaigns/C-DEPT").text
    assert 'id="feeds-elsewhere"' not in dept
    assert '<span class="pill st-open">C-DEPT</span>' in dept


def test_widening_an_open_campaign_over_another_campaigns_counters_is_refused(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    other = make_unit(session, "R")
    make_counter(session, "r-1", other)
    make_campaign(session, catalog, "C-R", [other])
    make_account(session, "admin", "admin")
    csrf = {"X-CSRF-Token": sign_in(client, "admin")}
    current = client.get("/api/v1/campaigns/C-R").json()
    settings = {
        k: current[k]
        for k in ("name", "starts_on", "ends_on", "questionnaire", "version", "min_sample")
    }
    r = client.put(
        "/api/v1/campaigns/C-R", headers=csrf, json={**settings, "units": ["R", "P-S01"]}
    )
    assert r.status_code == 409, r.text
    assert (
        "units P-S01 (counters k-1) already collect for open campaign 'C-2026'"
        in r.json()["detail"]
    )
    assert [
        s.unit.code for s in campaigns.scope(session, campaigns.get_campaign(session, "C-R"))
    ] == ["R"]
