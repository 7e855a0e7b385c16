"""Household surveys (issue 18 §3): villages under communes, interviewers scoped to
them, forms per household through the same batch endpoint as the offline queue,
progress by village and interviewer, the interviewer filter and the burst flag."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.models import Account, LoginSession
from app.campaigns.models import Campaign, CampaignKind, CampaignStatus
from app.campaigns.service import CampaignIn, create_campaign, set_status, set_targets
from app.collection import admission
from app.collection.models import Submission
from app.core.config import get_settings
from app.core.errors import Invalid
from app.questionnaires.catalog import Catalog
from app.units.models import Unit
from app.units.service import import_units
from tests.answers import valid_answers
from tests.factories import PASSWORD, make_account, make_counter, make_unit
from tests.signin import sign_in

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def household_campaign(
    session: Session,
    catalog: Catalog,
    code: str,
    units: list[Unit],
    kind: str = "household",
    questionnaire: str = "sipas-2017",
) -> Campaign:
    """An open campaign over `units` (the household method's own questionnaire is
    sipas-2023; most tests here keep the shorter answers of sipas-2017)."""
    campaign = create_campaign(
        session,
        catalog,
        CampaignIn(
            code=code,
            name=f"Điều tra hộ {code}",
            starts_on=date(2026, 1, 1),
            ends_on=date(max(date.today().year, 2026), 12, 31),
            questionnaire=questionnaire,
            version=1,
            units=[u.code for u in units],
            kind=kind,
        ),
    )
    set_status(session, campaign, CampaignStatus.open)
    return campaign


@pytest.fixture
def field_2023(session: Session, catalog: Catalog) -> dict[str, Any]:
    """The same villages and people as `field`, the campaign on sipas-2023."""
    return _field(session, catalog, "sipas-2023")


@pytest.fixture
def field(session: Session, catalog: Catalog) -> dict[str, Any]:
    return _field(session, catalog, "sipas-2017")


def _field(session: Session, catalog: Catalog, questionnaire: str) -> dict[str, Any]:
    """A province, commune X1 with villages T1 and T2, commune X2 with village T3, a
    household campaign over the three villages (targets 5, 3, 4), a coordinator of
    the province, an interviewer of commune X1 and one of village T3."""
    province = make_unit(session, "BN", name="Tỉnh Bắc Ninh")
    x1 = make_unit(session, "X1", "commune", province, name="Xã Đông Phong")
    x2 = make_unit(session, "X2", "commune", province, name="Xã Tam Đa")
    t1 = make_unit(session, "T1", "village", x1, name="Thôn Đông")
    t2 = make_unit(session, "T2", "village", x1, name="Thôn Đoài")
    t3 = make_unit(session, "T3", "village", x2, name="Thôn Nam")
    campaign = household_campaign(
        session, catalog, "HO-2026", [t1, t2, t3], questionnaire=questionnaire
    )
    set_targets(session, campaign, {"T1": 5, "T2": 3, "T3": 4})
    make_account(session, "dieu-phoi@bn", "coordinator", province)
    make_account(session, "lan@bn", "interviewer", x1)
    make_account(session, "minh@bn", "interviewer", t3)
    return {"province": province, "x1": x1, "t1": t1, "t2": t2, "t3": t3, "campaign": campaign}


def interviewer_signs_in(client: TestClient, login: str) -> str:
    """Sign in as an interviewer; returns the CSRF token of their villages page."""
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token is not None
    r = client.post(
        "/login",
        data={"login": login, "password": PASSWORD, "csrf": token.group(1), "next": "/dash"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    assert r.headers["location"] == "/s/interview"  # never the dashboard
    home = client.get("/s/interview")
    assert home.status_code == 200
    found = CSRF.search(home.text)
    assert found is not None
    return found.group(1)


def form(
    catalog: Catalog,
    village: str,
    minutes_ago: float = 1,
    channel: str = "interview",
    **answers: Any,
) -> dict[str, Any]:
    """One household's form as the offline queue holds it (a village, no counter)."""
    done = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "id": str(uuid.uuid4()),
        "questionnaire": "sipas-2017",
        "version": 1,
        "unit": village,
        "channel": channel,
        "started_at": (done - timedelta(minutes=20)).isoformat(),
        "submitted_at": done.isoformat(),
        # Not every item alike (that is `straight_lining`, another flag).
        "answers": valid_answers(catalog, **{"TC1": 5, **answers}),
    }


def answers_2023(level: int = 4) -> dict[str, Any]:
    """An adult's answers to sipas-2023: 23 policy items (4 levels), 16 service items
    (5 levels) and a few of the perception questions."""
    answers: dict[str, Any] = {"adult": "yes", "C1_economy": 4, "C5": "some", "C8_school": "yes"}
    answers |= {f"P{i:02d}": min(level, 4) for i in range(1, 24)}
    answers |= {f"S{i}": level for i in range(24, 40)} | {"S24": 5}
    return answers | {"C2": ["internet", "media"], "C10_digital": 3}


def form_2023(village: str, minutes_ago: float, level: int = 4) -> dict[str, Any]:
    done = datetime.now(UTC) - timedelta(minutes=minutes_ago)
    return {
        "id": str(uuid.uuid4()),
        "questionnaire": "sipas-2023",
        "version": 1,
        "unit": village,
        "channel": "interview",
        "started_at": (done - timedelta(minutes=25)).isoformat(),
        "submitted_at": done.isoformat(),
        "answers": answers_2023(level),
    }


def batch(client: TestClient, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = client.post("/api/v1/submissions/batch", json={"submissions": items})
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


# 1. Villages -----------------------------------------------------------------------


def test_the_unit_import_takes_villages_under_communes_and_refuses_one_elsewhere(
    session: Session,
) -> None:
    make_unit(session, "HY", name="Tỉnh Hưng Yên")
    good = (
        "code,name,kind,parent\n"
        "HY-X1,Xã Tân Dân,commune,HY\n"
        "HY-X1-T1,Thôn Đông,village,HY-X1\n"
        "HY-X1-T2,Tổ dân phố 2,village,HY-X1\n"
    )
    import_units(session, good.encode(), "villages.csv")
    kinds = dict(
        session.execute(select(Unit.code, Unit.kind).where(Unit.code.like("HY-%"))).tuples().all()
    )
    assert kinds == {"HY-X1": "commune", "HY-X1-T1": "village", "HY-X1-T2": "village"}
    bad = "code,name,kind,parent\nHY-T9,Thôn Lạc,village,HY\n"
    with pytest.raises(Invalid) as caught:
        import_units(session, bad.encode(), "bad.csv")
    problem = caught.value.fields[0]
    assert problem.loc == "line 2, column parent"
    assert problem.params == {"parent": "HY", "kind": "province"}
    assert session.scalar(select(Unit.id).where(Unit.code == "HY-T9")) is None


def test_a_village_is_named_in_both_languages(client: TestClient, field: dict[str, Any]) -> None:
    from app.core import labels

    assert labels.kind("village", "vi") == "Thôn, tổ dân phố"
    assert labels.kind("village", "en") == "Village or residential group"


# 2. Interviewers -------------------------------------------------------------------


def test_a_coordinator_creates_interviewers_only(
    client: TestClient, session: Session, field: dict[str, Any]
) -> None:
    csrf = sign_in(client, "dieu-phoi@bn")
    page = client.get("/dash/users")
    assert page.status_code == 200
    assert '<option value="interviewer">' in page.text
    assert '<option value="coordinator">' not in page.text
    new = {"csrf": csrf, "login": "hoa@bn", "name": "Nguyễn Thị Hoa", "password": PASSWORD}
    r = client.post(
        "/dash/users", data={**new, "role": "interviewer", "unit": "X2"}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    made = session.scalar(select(Account).where(Account.login == "hoa@bn"))
    assert made is not None
    assert made.role == "interviewer"
    r = client.post(
        "/dash/users", data={**new, "login": "boss@bn", "role": "coordinator", "unit": "X2"}
    )
    assert r.status_code == 403
    assert "điều tra viên" in r.text
    assert session.scalar(select(Account).where(Account.login == "boss@bn")) is None


def test_an_interviewer_only_fills_forms_and_stays_signed_in_for_the_field_day(
    client: TestClient, session: Session, field: dict[str, Any]
) -> None:
    interviewer_signs_in(client, "lan@bn")
    cookie = client.cookies.get("sipas_session")
    assert cookie
    login = session.scalar(
        select(LoginSession)
        .join(Account, Account.id == LoginSession.account_id)
        .where(Account.login == "lan@bn")
    )
    assert login is not None
    hours = (login.expires_at - login.created_at).total_seconds() / 3600
    assert hours == get_settings().INTERVIEWER_SESSION_HOURS == 14
    for path in ("/dash", "/dash/campaigns/HO-2026", "/dash/campaigns/HO-2026/responses"):
        assert client.get(path).status_code == 403, path
    api = client.get("/api/v1/campaigns/HO-2026/progress")
    assert api.status_code == 403
    assert api.json()["error"] == "forbidden"
    # The internal results are not theirs: they read what the public reads (an
    # unpublished campaign does not exist for it).
    assert client.get("/api/v1/campaigns/HO-2026/indices").status_code == 404


def test_the_villages_page_lists_only_the_interviewers_villages(
    client: TestClient, field: dict[str, Any]
) -> None:
    interviewer_signs_in(client, "lan@bn")
    home = client.get("/s/interview")
    assert 'id="v-T1"' in home.text
    assert 'id="v-T2"' in home.text
    assert 'id="v-T3"' not in home.text  # commune X2 is not hers
    assert 'href="/s/village/T1/form" data-precache' in home.text
    assert client.get("/s/interview/T3/card").status_code == 403
    card = client.get("/s/interview/T1/card")
    assert card.status_code == 200
    assert "/s/village/T1" in card.text
    assert "<svg" in card.text
    form_page = client.get("/s/village/T1/form")
    assert 'data-channel="interview"' in form_page.text
    assert 'data-unit="T1"' in form_page.text
    assert 'id="interview-mode"' in form_page.text


def test_signed_out_the_village_link_is_the_households_own_form(
    client: TestClient, field: dict[str, Any]
) -> None:
    assert client.get("/s/interview", follow_redirects=False).headers["location"] == (
        "/login?next=/s/interview"
    )
    page = client.get("/s/village/T1/form")
    assert page.status_code == 200
    assert 'data-channel="web"' in page.text
    assert 'id="interview-mode"' not in page.text
    assert client.get("/s/village/NOPE").status_code == 404


# 3. Submissions ----------------------------------------------------------------------


def test_an_interview_form_records_its_interviewer_and_needs_no_counter(
    client: TestClient, session: Session, catalog: Catalog, field: dict[str, Any]
) -> None:
    interviewer_signs_in(client, "lan@bn")
    one = form(catalog, "T1")
    r = client.post("/api/v1/submissions", json=one)
    assert r.status_code == 201, r.text
    assert r.json()["unit"] == "T1"
    assert r.json()["campaign"] == "HO-2026"
    row = session.get(Submission, uuid.UUID(one["id"]))
    assert row is not None
    assert row.counter_id is None
    assert row.channel == "interview"
    lan = session.scalar(select(Account.id).where(Account.login == "lan@bn"))
    assert row.interviewer_id == lan
    outside = client.post("/api/v1/submissions", json=form(catalog, "T3"))
    assert outside.status_code == 403
    assert "T3" in outside.json()["detail"]


def test_an_interview_form_without_an_interviewer_is_refused_and_a_households_own_is_taken(
    client: TestClient, session: Session, catalog: Catalog, field: dict[str, Any]
) -> None:
    r = client.post("/api/v1/submissions?lang=en", json=form(catalog, "T1"))
    assert r.status_code == 403
    assert r.json()["error"] == "interviewer_required"
    assert "signed-in interviewer" in r.json()["detail"]
    own = form(catalog, "T2", channel="web")
    r = client.post("/api/v1/submissions", json=own)
    assert r.status_code == 201, r.text
    row = session.get(Submission, uuid.UUID(own["id"]))
    assert row is not None
    assert row.channel == "web"
    assert row.interviewer_id is None


def test_a_village_of_a_counter_campaign_takes_no_form_and_neither_or_both_is_refused(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    province = make_unit(session, "HD")
    commune = make_unit(session, "HD-X", "commune", province)
    village = make_unit(session, "HD-X-T", "village", commune)
    make_counter(session, "hd-k", commune)
    household_campaign(session, catalog, "HD-2026", [province], kind=CampaignKind.counter)
    r = client.post("/api/v1/submissions", json=form(catalog, village.code, channel="web"))
    assert r.status_code == 422
    assert r.json()["fields"][0]["code"] == "no_campaign"
    neither = {k: v for k, v in form(catalog, village.code, channel="web").items() if k != "unit"}
    r = client.post("/api/v1/submissions?lang=en", json=neither)
    assert r.status_code == 422
    assert r.json()["fields"][0]["loc"] == "counter"
    assert "village code" in r.json()["fields"][0]["msg"]
    both = {**form(catalog, village.code, channel="web"), "counter": "hd-k"}
    r = client.post("/api/v1/submissions", json=both)
    assert r.status_code == 422
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_many_forms_from_one_interviewer_within_minutes_are_flagged(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    field: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(get_settings(), "INTERVIEWER_BURST_COUNT", 3)
    monkeypatch.setattr(get_settings(), "INTERVIEWER_BURST_MINUTES", 10)
    interviewer_signs_in(client, "lan@bn")
    # A real field morning: one household every 25 minutes.
    paced = [form(catalog, "T1", minutes_ago=100 - 25 * i) for i in range(3)]
    # Then three forms in six minutes.
    rushed = [form(catalog, "T2", minutes_ago=9 - 3 * i) for i in range(3)]
    assert [x["status"] for x in batch(client, paced)] == [201] * 3
    # Sent one by one (live): each sees the ones already stored.
    for item in rushed:
        assert client.post("/api/v1/submissions", json=item).status_code == 201
    flags = {str(s.id): s.quality_flags for s in session.scalars(select(Submission)).all()}
    assert [flags[p["id"]] for p in paced] == [[], [], []]
    assert [flags[r["id"]] for r in rushed] == [[], [], ["interviewer_burst"]]
    csrf = sign_in(client, "dieu-phoi@bn")
    assert csrf
    page = client.get(f"/dash/campaigns/HO-2026/responses/{rushed[2]['id']}")
    assert "Nhiều phiếu của một điều tra viên trong ít phút" in page.text
    assert "trong vòng 10 phút" in page.text


# 4. End to end -----------------------------------------------------------------------


def test_an_interviewer_day_from_the_offline_queue_to_the_coordinators_progress(
    client: TestClient, session: Session, catalog: Catalog, field_2023: dict[str, Any]
) -> None:
    """Lan interviews households in two villages without network; her phone's queue
    sends them as one batch, then again (the reply was lost); Minh sends one in his
    village. The coordinator sees each village against its target, forms per
    interviewer, and Lan's forms alone in the review list."""
    interviewer_signs_in(client, "lan@bn")
    # Finished over the morning (queued: older than the live window).
    morning = [form_2023("T1", minutes_ago=240 - 30 * i) for i in range(4)]
    morning += [form_2023("T2", minutes_ago=90 - 30 * i, level=2) for i in range(2)]
    first = batch(client, morning)
    assert [x["status"] for x in first] == [201] * 6
    again = batch(client, morning)  # the reply was lost: the queue sends it all again
    assert [x["status"] for x in again] == [200] * 6
    assert [x["receipt"] for x in again] == [x["receipt"] for x in first]
    assert session.scalar(select(func.count()).select_from(Submission)) == 6
    client.post("/logout", data={"csrf": CSRF.search(client.get("/s/interview").text).group(1)})  # type: ignore[union-attr]
    client.cookies.clear()

    interviewer_signs_in(client, "minh@bn")
    assert [x["status"] for x in batch(client, [form_2023("T3", minutes_ago=30)])] == [201]
    client.cookies.clear()

    sign_in(client, "dieu-phoi@bn")
    progress = client.get("/api/v1/campaigns/HO-2026/progress").json()
    assert progress["kind"] == "household"
    villages = {
        v["unit"]: (v["commune"], v["collected"], v["target"]) for v in progress["villages"]
    }
    assert villages == {"T1": ("X1", 4, 5), "T2": ("X1", 2, 3), "T3": ("X2", 1, 4)}
    people = {i["login"]: (i["forms"], i["villages"]) for i in progress["interviewers"]}
    assert people == {"lan@bn": (6, 2), "minh@bn": (1, 1)}
    page = client.get("/dash/campaigns/HO-2026")
    assert 'id="villages"' in page.text
    assert 'id="interviewers"' in page.text
    assert "Thôn Đoài" in page.text
    assert "interviewer=lan%40bn" in page.text

    listing = client.get("/api/v1/campaigns/HO-2026/responses?state=all&interviewer=lan@bn").json()
    assert listing["total"] == 6
    assert {r["interviewer"] for r in listing["responses"]} == {"lan@bn"}
    assert {r["unit"] for r in listing["responses"]} == {"T1", "T2"}
    minh = client.get("/api/v1/campaigns/HO-2026/responses?state=all&interviewer=minh@bn")
    assert minh.json()["total"] == 1
    unknown = client.get("/api/v1/campaigns/HO-2026/responses?interviewer=nobody@bn")
    assert unknown.status_code == 422
    # The report by village, on the 2023 tree: every item satisfied in T1; in T2 only
    # S24 of the 39 (item-weighted: 16/39 of service's 1/16 satisfied = 100/39).
    report = client.get("/api/v1/campaigns/HO-2026/indices?level=village").json()
    assert report["questionnaire"] == "sipas-2023"
    by_village = {u["unit"]: (u["n"], u["sipas"]["value"]) for u in report["units"]}
    assert by_village == {"T1": (4, 100.0), "T2": (2, pytest.approx(100 / 39)), "T3": (1, 100.0)}
    assert set(report["units"][0]["factors"]) >= {"policy", "service"}
    review = client.get("/dash/campaigns/HO-2026/responses?state=all&interviewer=minh@bn")
    assert review.text.count('<tr id="r-') == 1
    assert "minh@bn" in review.text


def test_a_coordinator_opens_a_household_survey_of_a_communes_villages_on_the_dashboard(
    client: TestClient, session: Session, field: dict[str, Any]
) -> None:
    csrf = sign_in(client, "dieu-phoi@bn")
    page = client.get("/dash/campaigns/new?lang=en")
    assert "Households in villages (interviewers; no counter needed)" in page.text
    assert '<option value="village">Village or residential group</option>' in page.text
    r = client.post(
        "/dash/campaigns/new",
        data={
            "csrf": csrf,
            "code": "HO-X1",
            "name": "Điều tra hộ xã Đông Phong",
            "starts_on": "2026-01-01",
            "ends_on": f"{max(date.today().year, 2026)}-12-31",
            "questionnaire": "sipas-2017/1",
            "min_sample": "30",
            "campaign_kind": "household",
            "kind": "village",
            "parent": "X1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    made = session.scalar(select(Campaign).where(Campaign.code == "HO-X1"))
    assert made is not None
    assert made.kind == "household"
    scope = client.get("/api/v1/campaigns/HO-X1").json()
    assert scope["kind"] == "household"
    assert sorted(u["unit"] for u in scope["units"]) == ["T1", "T2"]


TOKEN = re.compile(r'name="form_token" value="([^"]+)"')


def test_a_households_own_form_sent_later_from_its_phone_needs_the_token_of_its_village(
    client: TestClient, session: Session, catalog: Catalog, field: dict[str, Any]
) -> None:
    """Phiếu gửi đến nhà filled without network: it arrives an hour later with the
    token served with the village's form; the token admits one form, in that village."""
    assert TOKEN.search(client.get("/s/village/T1/form").text) is not None
    # The same token as the page serves, issued when the household opened the form
    # (an hour and a quarter ago: it was then filled offline and sent now).
    opened = datetime.now(UTC) - timedelta(minutes=75)
    token = admission.issue(session, None, None, now=opened, unit_id=field["t1"].id)
    assert token is not None
    late = form(catalog, "T1", minutes_ago=60, channel="web")
    assert client.post("/api/v1/submissions", json=late).status_code == 403  # no token
    elsewhere = {**form(catalog, "T2", minutes_ago=60, channel="web"), "form_token": token}
    r = client.post("/api/v1/submissions", json=elsewhere)
    assert r.status_code == 403
    assert r.json()["error"] == "token_invalid"
    r = client.post("/api/v1/submissions", json={**late, "form_token": token})
    assert r.status_code == 201, r.text
    again = {**form(catalog, "T1", minutes_ago=50, channel="web"), "form_token": token}
    r = client.post("/api/v1/submissions", json=again)
    assert r.status_code == 403
    assert r.json()["error"] == "token_used"
    assert session.scalar(select(func.count()).select_from(Submission)) == 1
    # The interviewer's form needs none: their sign-in admits it.
    interviewer_signs_in(client, "lan@bn")
    assert TOKEN.search(client.get("/s/village/T1/form").text) is None
