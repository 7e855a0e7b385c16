"""The coordinator's day through the pages: create, target, open, watch, exclude, read."""

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.core import clock
from app.questionnaires.catalog import Catalog
from app.units.models import Unit
from tests.answers import body, valid_answers
from tests.factories import make_account, make_counter, make_unit
from tests.signin import sign_in


@pytest.fixture
def province(session: Session) -> dict[str, Unit]:
    p = make_unit(session, "DP", name="Tỉnh Dự Phòng")
    units = {"DP": p}
    for i in (1, 2, 3):
        d = make_unit(session, f"DP-S0{i}", "department", p, name=f"Sở {i}")
        make_counter(session, f"dp-{i}", d)
        units[d.code] = d
    make_unit(session, "DP-D1", "district", p)  # not a department: left out below
    return units


def _new_campaign(client: TestClient, csrf: str, **over: str) -> Any:
    form = {
        "csrf": csrf,
        "code": "DASH-1",
        "name": "SIPAS 2026 các sở",
        # Campaign days are Vietnamese calendar days, whatever the server's clock zone.
        "starts_on": (clock.today() - timedelta(days=9)).isoformat(),
        "ends_on": (clock.today() + timedelta(days=20)).isoformat(),
        "questionnaire": "sipas-2017/1",
        "min_sample": "2",
        "quota_policy": "accept",
        "units": "",
        "kind": "department",
        "parent": "DP",
    }
    form.update(over)
    return client.post("/dash/campaigns/new", data=form, follow_redirects=False)


def test_a_coordinator_runs_a_campaign_without_the_command_line(
    client: TestClient, session: Session, catalog: Catalog, province: dict[str, Unit]
) -> None:
    make_account(session, "lan@sonv", "coordinator", province["DP"])
    csrf = sign_in(client, "lan@sonv")

    bad = _new_campaign(client, csrf, ends_on="2020-01-01")
    assert bad.status_code == 422
    assert "ngày kết thúc trước ngày bắt đầu" in bad.text
    assert 'value="SIPAS 2026 các sở"' in bad.text  # the form comes back as typed

    created = _new_campaign(client, csrf)
    assert created.status_code == 303
    assert created.headers["location"] == "/dash/campaigns/DASH-1/settings?saved=1"
    c = campaigns.get_campaign(session, "DASH-1")
    assert [s.unit.code for s in campaigns.scope(session, c)] == ["DP-S01", "DP-S02", "DP-S03"]

    csv = "unit,transactions\nDP-S01,1000\nDP-S02,50\nDP-S09,7\nDP-S03,abc\n"
    rejected = client.post(
        "/dash/campaigns/DASH-1/targets.csv",
        data={"csrf": csrf, "margin": "0,05"},
        files={"file": ("giao-dich.csv", csv.encode(), "text/csv")},
    )
    assert rejected.status_code == 422
    assert "dòng 4, cột unit" in rejected.text
    assert "dòng 5, cột transactions" in rejected.text
    assert all(s.target is None for s in campaigns.scope(session, c))

    csv = "unit,transactions\nDP-S01,1000\nDP-S02,50\nDP-S03,0\n"
    ok = client.post(
        "/dash/campaigns/DASH-1/targets.csv",
        data={"csrf": csrf, "margin": "0,05"},
        files={"file": ("giao-dich.csv", csv.encode(), "text/csv")},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    settings = client.get(ok.headers["location"])
    assert "Đã lưu." in settings.text
    assert {s.unit.code: s.target for s in campaigns.scope(session, c)} == {
        "DP-S01": 286,
        "DP-S02": 45,
        "DP-S03": None,
    }
    assert "±5,0" in settings.text  # the margin each target gives, beside it

    opened = client.post(
        "/dash/campaigns/DASH-1/status",
        data={"csrf": csrf, "status": "open", "confirm": "1"},
        follow_redirects=False,
    )
    assert opened.status_code == 303
    # Over the following days responses arrive from the departments' counters.
    for counter, n in (("dp-1", 3), ("dp-2", 1)):
        for _ in range(n):
            r = client.post("/api/v1/submissions", json=body(catalog, counter=counter))
            assert r.status_code == 201
    now = datetime.now(UTC)
    fast = body(
        catalog,
        counter="dp-1",
        started_at=(now - timedelta(seconds=20)).isoformat(),
        submitted_at=now.isoformat(),
        answers=valid_answers(catalog, level=1),
    )
    client.post("/api/v1/submissions", json=fast)

    progress = client.get("/dash/campaigns/DASH-1")
    assert progress.status_code == 200
    # Five responses carry a flag (all straight-lined, one also speeding): counted once each.
    assert 'href="/dash/campaigns/DASH-1/responses">5</a>' in progress.text
    row = re.search(
        r'<tr class="s-(\w+)">\s*<th scope="row"><a [^>]*>DP-S01</a>.*?</tr>', progress.text, re.S
    )
    assert row is not None
    assert row.group(1) == "behind"  # 4 of 286 after 10 days: far off the pace
    assert ">286<" in row.group(0)
    assert ">4<" in row.group(0)
    api = client.get("/api/v1/campaigns/DASH-1/progress").json()
    s01 = next(u for u in api["units"] if u["unit"] == "DP-S01")
    assert (s01["collected"], s01["target"], s01["status"]) == (4, 286, "behind")
    assert s01["per_day"] == pytest.approx(0.4)  # 4 responses over 10 days
    assert api["collected"] == 5
    # Responses per day from the first day (nine days ago) to today, zeros included.
    assert len(api["daily"]) == 10
    assert api["daily"][-1] == {"date": clock.today().isoformat(), "n": 5}
    assert sum(d["n"] for d in api["daily"]) == 5
    assert f"<title>{clock.today():%d/%m/%Y}: 5</title>" in progress.text
    sorted_page = client.get("/dash/campaigns/DASH-1?sort=collected&desc=1")
    assert sorted_page.text.index(">DP-S01<") < sorted_page.text.index(">DP-S03<")

    review = client.get("/dash/campaigns/DASH-1/responses")
    assert f'id="r-{fast["id"]}"' in review.text
    assert "Làm quá nhanh" in review.text
    excluded = client.post(
        f"/dash/campaigns/DASH-1/responses/{fast['id']}/exclude",
        data={"csrf": csrf, "reason": "20 giây cho 22 câu"},
        headers={"referer": "http://testserver/dash/campaigns/DASH-1/responses?state=flagged"},
        follow_redirects=False,
    )
    assert excluded.status_code == 303
    assert excluded.headers["location"] == "/dash/campaigns/DASH-1/responses?state=flagged"
    assert "20 giây cho 22 câu" in client.get(excluded.headers["location"]).text

    results = client.get("/dash/campaigns/DASH-1/results")
    assert results.status_code == 200
    s01_row = re.search(r"DP-S01</a>.*?</tr>", results.text, re.S)
    assert s01_row is not None
    assert '<td class="num">3</td>' in s01_row.group(0)  # the speeding response is out
    unit = client.get("/dash/campaigns/DASH-1/units/DP-S01")
    assert unit.status_code == 200
    assert unit.text.count("<svg") >= 4  # factors, criteria, timeliness, perception
    assert "TC1." in unit.text


def test_pages_show_problems_instead_of_saving_bad_input(
    client: TestClient, session: Session, province: dict[str, Unit]
) -> None:
    make_account(session, "lan@sonv", "coordinator", province["DP"])
    csrf = sign_in(client, "lan@sonv")
    _new_campaign(client, csrf)
    r = client.post("/dash/campaigns/DASH-1/targets", data={"csrf": csrf, "target.DP-S01": "many"})
    assert r.status_code == 422
    assert "&#39;many&#39; không phải là số nguyên" in r.text
    r = client.post(
        "/dash/campaigns/DASH-1/quotas", data={"csrf": csrf, "quotas": "gender=female 45\nnonsense"}
    )
    assert r.status_code == 422
    assert "dòng 2" in r.text
    c = campaigns.get_campaign(session, "DASH-1")
    assert campaigns.quota_shares(session, c) == {}
    ok = client.post(
        "/dash/campaigns/DASH-1/quotas",
        data={"csrf": csrf, "quotas": "gender=female 45%\ngender=male 45"},
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert campaigns.quota_shares(session, c) == {"gender=female": 45.0, "gender=male": 45.0}
    assert client.get("/dash/campaigns/NOPE").status_code == 404
    assert "Không có đợt khảo sát" in client.get("/dash/campaigns/NOPE").text
