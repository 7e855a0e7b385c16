"""The dashboard does not mislead: confirmations, first-day pace, low targets, leaf units."""

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.progress import unit_progress
from app.core import clock
from app.questionnaires.catalog import Catalog
from app.units.models import Unit
from tests.answers import body
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in


@pytest.fixture
def today_campaign(session: Session, catalog: Catalog) -> tuple[Campaign, Unit]:
    """A draft campaign that starts today over one service centre, target 100, min 30."""
    province = make_unit(session, "GT", name="Tỉnh Gia Thịnh")
    centre = make_unit(session, "GT-TT", "service_centre", province, name="Trung tâm PVHCC")
    make_counter(session, "gt-1", centre)
    c = make_campaign(session, catalog, "GT-2026", [centre], CampaignStatus.draft)
    c.starts_on = clock.today()
    c.ends_on = clock.today() + timedelta(days=29)
    campaigns.set_targets(session, c, {"GT-TT": 100})
    make_account(session, "dieu-phoi@gt", "coordinator", province)
    session.flush()
    return c, centre


def test_open_and_close_ask_for_confirmation_without_javascript(
    client: TestClient, session: Session, today_campaign: tuple[Campaign, Unit]
) -> None:
    c, _ = today_campaign
    csrf = sign_in(client, "dieu-phoi@gt")
    asked = client.post(f"/dash/campaigns/{c.code}/status", data={"csrf": csrf, "status": "open"})
    assert asked.status_code == 200
    assert "Mở khảo sát “Campaign GT-2026”? Người dân tại 1 đơn vị" in asked.text
    assert 'name="confirm" value="1"' in asked.text
    session.refresh(c)
    assert c.status == CampaignStatus.draft  # nothing happened yet
    done = client.post(
        f"/dash/campaigns/{c.code}/status",
        data={"csrf": csrf, "status": "open", "confirm": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    session.refresh(c)
    assert c.status == CampaignStatus.open
    closing = client.post(
        f"/dash/campaigns/{c.code}/status", data={"csrf": csrf, "status": "closed"}
    )
    assert "Từ lúc này đợt không nhận phiếu mới" in closing.text
    session.refresh(c)
    assert c.status == CampaignStatus.open


def test_on_the_first_day_no_unit_is_behind(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    today_campaign: tuple[Campaign, Unit],
) -> None:
    c, _ = today_campaign
    campaigns.set_status(session, c, CampaignStatus.open)
    assert client.post("/api/v1/submissions", json=body(catalog, counter="gt-1")).status_code == 201
    sign_in(client, "dieu-phoi@gt")
    page = client.get(f"/dash/campaigns/{c.code}")
    assert 'class="pill s-early">Mới bắt đầu' in page.text
    assert "Chậm</span>" not in page.text
    assert "Tiến độ được đánh giá từ ngày thứ hai" in page.text
    # From the second day on, 1 of 100 with 28 days left is behind.
    row = unit_progress("GT-TT", "", "service_centre", 100, None, 1, c, c.starts_on + timedelta(1))
    assert row.status == "behind"
    assert unit_progress("GT-TT", "", "", 100, None, 0, c, c.starts_on).status == "early"


def test_a_target_below_the_minimum_sample_is_warned_where_it_is_set(
    client: TestClient, session: Session, today_campaign: tuple[Campaign, Unit]
) -> None:
    c, _ = today_campaign
    csrf = sign_in(client, "dieu-phoi@gt")
    settings = client.get(f"/dash/campaigns/{c.code}/settings")
    assert "Thấp hơn cỡ mẫu tối thiểu" not in settings.text  # 100 ≥ 30
    saved = client.post(
        f"/dash/campaigns/{c.code}/targets", data={"csrf": csrf, "target.GT-TT": "12"}
    )
    assert "Thấp hơn cỡ mẫu tối thiểu (30): đơn vị có thể “Đủ” nhưng sẽ không được xếp hạng" in (
        saved.text
    )


def test_drilling_into_a_unit_with_nothing_below_shows_the_unit_itself(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    today_campaign: tuple[Campaign, Unit],
) -> None:
    c, centre = today_campaign
    campaigns.set_status(session, c, CampaignStatus.open)
    for _ in range(3):
        r = client.post("/api/v1/submissions", json=body(catalog, counter="gt-1"))
        assert r.status_code == 201
    sign_in(client, "dieu-phoi@gt")
    page = client.get(f"/dash/campaigns/{c.code}/results?parent={centre.code}")
    assert page.status_code == 200
    assert "3 số phiếu" in page.text
    assert f'href="/dash/campaigns/{c.code}/units/{centre.code}"' in page.text
    assert "đây là số liệu của chính đơn vị" in page.text


def test_a_campaign_is_scoped_by_ticking_units_in_the_tree(
    client: TestClient, session: Session
) -> None:
    province = make_unit(session, "CT", name="Tỉnh Cây Tre")
    dept = make_unit(session, "CT-S1", "department", province, name="Sở Nội vụ")
    make_unit(session, "CT-S1-P", "agency", dept, name="Phòng Cải cách hành chính")
    make_unit(session, "CT-S2", "department", province, name="Sở Tài chính")
    make_account(session, "chon@ct", "coordinator", province)
    csrf = sign_in(client, "chon@ct")
    page = client.get("/dash/campaigns/new")
    # The tree, each unit under its parent, with its kind in words.
    order = [page.text.index(f'value="{c}"') for c in ("CT", "CT-S1", "CT-S1-P", "CT-S2")]
    assert order == sorted(order)
    assert "Sở Nội vụ <small>CT-S1 · Sở, ban, ngành</small>" in page.text
    form = {
        "csrf": csrf,
        "code": "CT-1",
        "name": "Khảo sát các sở",
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "questionnaire": "sipas-2017/1",
        "min_sample": "30",
        "units": "CT-S2",  # the codes box still works beside the tree
        "pick": ["CT-S1"],
    }
    r = client.post("/dash/campaigns/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    c = campaigns.get_campaign(session, "CT-1")
    assert [s.unit.code for s in campaigns.scope(session, c)] == ["CT-S1", "CT-S2"]
    settings = client.get("/dash/campaigns/CT-1/settings")
    assert 'name="pick" value="CT-S1" checked' in settings.text
