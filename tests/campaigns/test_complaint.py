"""A campaign's complaint hotline and link: set from the API and the dashboard, shown
on the thank-you page (phone and kiosk, both languages)."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.campaigns import service as campaigns
from app.core.errors import Invalid
from app.questionnaires.catalog import Catalog
from app.units.service import get_unit
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

NEW = {
    "code": "HOT-1",
    "name": "Đợt có đường dây nóng",
    "starts_on": "2026-01-01",
    "ends_on": "2026-12-31",
    "units": ["HP"],
}


@pytest.fixture
def admin_csrf(client: TestClient, session: Session) -> str:
    make_unit(session, "HP", name="Tỉnh HP")
    make_account(session, "admin@hp", "admin")
    return sign_in(client, "admin@hp")


def test_the_api_sets_changes_and_clears_the_contact(
    client: TestClient, session: Session, admin_csrf: str
) -> None:
    h = {"x-csrf-token": admin_csrf}
    body = dict(NEW, complaint_phone=" 0292 3821 821 ", complaint_url="https://pakn.hp.gov.vn")
    created = client.post("/api/v1/campaigns", json=body, headers=h)
    assert created.status_code == 201, created.text
    assert created.json()["complaint_phone"] == "0292 3821 821"
    assert created.json()["complaint_url"] == "https://pakn.hp.gov.vn"
    settings = {k: v for k, v in body.items() if k != "code"}
    changed = client.put(
        "/api/v1/campaigns/HOT-1", json=dict(settings, complaint_phone="1900 1234"), headers=h
    )
    assert changed.json()["complaint_phone"] == "1900 1234"
    cleared = client.put(
        "/api/v1/campaigns/HOT-1",
        json=dict(settings, complaint_phone=None, complaint_url=""),
        headers=h,
    )
    assert (cleared.json()["complaint_phone"], cleared.json()["complaint_url"]) == (None, None)


def test_a_bad_phone_or_link_is_refused_and_nothing_is_stored(
    client: TestClient, session: Session, admin_csrf: str
) -> None:
    body = dict(NEW, complaint_phone="gọi cho tôi", complaint_url="javascript:alert(1)")
    r = client.post("/api/v1/campaigns", json=body, headers={"x-csrf-token": admin_csrf})
    assert r.status_code == 422
    assert {f["loc"] for f in r.json()["fields"]} >= {"complaint_phone", "complaint_url"}
    assert client.get("/api/v1/campaigns/HOT-1").status_code == 404


def test_the_service_refuses_links_a_phone_cannot_open(session: Session, catalog: Catalog) -> None:
    c = make_campaign(session, catalog, "HOT-2", [make_unit(session, "HQ")])
    for url in (
        "ftp://x.vn",
        "https://",
        "pakn.gov.vn",
        "https://a b.vn",
        "https://x/" + "a" * 300,
    ):
        with pytest.raises(Invalid):
            campaigns.set_complaint_contact(session, c, None, url)
    for phone in ("12", "+", "0292-3821-821-x", "1" * 41):
        with pytest.raises(Invalid):
            campaigns.set_complaint_contact(session, c, phone, None)
    campaigns.set_complaint_contact(session, c, "+84 (292) 3821.821", "http://pakn.vn/a?b=1")
    assert c.complaint_phone == "+84 (292) 3821.821"


def test_the_dashboard_form_saves_it_and_names_a_bad_one_in_vietnamese(
    client: TestClient, session: Session, catalog: Catalog, admin_csrf: str
) -> None:
    c = make_campaign(session, catalog, "HOT-3", [get_unit(session, "HP")])
    page = client.get("/dash/campaigns/HOT-3/settings")
    assert "Số điện thoại đường dây nóng" in page.text
    form = {
        "csrf": admin_csrf,
        "name": c.name,
        "starts_on": "2026-01-01",
        "ends_on": "2026-12-31",
        "questionnaire": "sipas-2017/1",
        "min_sample": "30",
        "quota_policy": "accept",
        "units": "HP",
        "complaint_phone": "abc",
        "complaint_url": "dichvucong.gov.vn",
    }
    bad = client.post("/dash/campaigns/HOT-3/settings", data=form)
    assert bad.status_code == 422
    assert (
        "Số điện thoại đường dây nóng</strong>: &#39;abc&#39; không phải là số điện thoại"
        in bad.text
    )
    assert "không phải là đường dẫn (bắt đầu bằng https://" in bad.text
    assert 'value="dichvucong.gov.vn"' in bad.text  # the form comes back as typed
    session.refresh(c)
    assert c.complaint_phone is None
    form |= {"complaint_phone": "0292 3821 821", "complaint_url": "https://dichvucong.gov.vn"}
    ok = client.post("/dash/campaigns/HOT-3/settings", data=form, follow_redirects=False)
    assert ok.status_code == 303
    session.refresh(c)
    assert (c.complaint_phone, c.complaint_url) == ("0292 3821 821", "https://dichvucong.gov.vn")
    assert 'value="0292 3821 821"' in client.get("/dash/campaigns/HOT-3/settings").text


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("vi", ("gọi đường dây nóng", "gửi phản ánh trực tuyến tại", "Phiếu được tổng hợp")),
        ("en", ("call the hotline", "write online at", "counted anonymously")),
    ],
)
def test_the_thank_you_page_says_where_to_complain(
    client: TestClient, session: Session, catalog: Catalog, lang: str, words: tuple[str, ...]
) -> None:
    p = make_unit(session, "TP")
    make_counter(session, "tp-web", p)
    make_counter(session, "tp-kiosk", p).kiosk = True
    c = make_campaign(session, catalog, "HOT-4", [p])
    plain = client.get(f"/s/tp-web/thanks?lang={lang}")
    assert "dichvucong.gov.vn" in plain.text  # no contact set: the national portal
    assert "tel:" not in plain.text
    campaigns.set_complaint_contact(session, c, "0292 3821 821", "https://pakn.tp.gov.vn/gui")
    for path in ("/s/tp-web/thanks", "/s/tp-web/form"):  # without and with the script
        page = client.get(f"{path}?lang={lang}").text
        assert all(w in page for w in words), path
        assert '<a href="tel:02923821821">0292 3821 821</a>' in page
        assert '<a href="https://pakn.tp.gov.vn/gui" rel="noopener noreferrer">' in page
    # A kiosk shows them to note down: a link would leave the survey.
    kiosk = client.get(f"/s/tp-kiosk/thanks?lang={lang}").text
    assert "<strong>0292 3821 821</strong>" in kiosk
    assert "<strong>https://pakn.tp.gov.vn/gui</strong>" in kiosk
    assert "tel:" not in kiosk
    assert 'href="https://pakn' not in kiosk
