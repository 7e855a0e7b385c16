"""Publishing: results are internal until published; editions are frozen, corrected,
withdrawn and restored; interim editions say so everywhere."""

import io
import re
from typing import Any

import pypdf
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import AuditEvent
from app.access.service import Principal
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import set_status
from app.core.errors import AppError
from app.questionnaires.catalog import Catalog
from app.reporting import editions
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit, publish
from tests.signin import sign_in

URL = "/api/v1/campaigns/C-PUB"
DEPTS = f"{URL}/indices?level=department"


@pytest.fixture
def tree(session: Session, catalog: Catalog) -> dict[str, Any]:
    """Province P with departments S1, S2 (a counter each), open campaign C-PUB (min 2)."""
    p = make_unit(session, "P")
    units = {code: make_unit(session, code, "department", p) for code in ("S1", "S2")}
    for code, unit in units.items():
        make_counter(session, f"k-{code}", unit)
    other = make_unit(session, "Q")
    make_counter(session, "k-Q", make_unit(session, "Q-S1", "department", other))
    make_campaign(session, catalog, "C-PUB", [p], min_sample=2)
    return {"P": p, "Q": other, **units}


def post(client: TestClient, catalog: Catalog, counter: str, n: int, level: int) -> None:
    """`n` responses answering `level` to every criterion."""
    for _ in range(n):
        r = client.post(
            "/api/v1/submissions",
            json=body(catalog, counter=counter, answers=valid_answers(catalog, level)),
        )
        assert r.status_code == 201, r.text


def close(session: Session) -> Campaign:
    c = session.scalar(select(Campaign).where(Campaign.code == "C-PUB"))
    assert c is not None
    set_status(session, c, CampaignStatus.closed)
    return c


def sipas(report: dict[str, Any], unit: str) -> float:
    return next(u for u in report["units"] if u["unit"] == unit)["sipas"]["value"]


def test_anonymous_sees_nothing_before_publishing_and_edition_1_after(
    session: Session, client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", 3, 5)
    post(client, catalog, "k-S2", 3, 2)
    for path in (
        f"{URL}/indices",
        f"{URL}/indices?format=csv",
        f"{URL}/indices?format=xlsx",
        f"{URL}/units/S1/indices",
        f"{URL}/editions",
        "/results/C-PUB",
        "/results/C-PUB/units/S1",
    ):
        r = client.get(path)
        assert r.status_code == 404, (path, r.status_code)
        # An unpublished campaign answers exactly as a code that does not exist.
        assert r.status_code == client.get(path.replace("C-PUB", "C-NONE")).status_code
    close(session)
    edition = publish(session, catalog, "C-PUB")
    assert edition.number == 1
    report = client.get(DEPTS).json()
    assert report["results"] == "published"
    assert report["edition"]["number"] == 1
    assert sipas(report, "S1") == 100.0
    assert sipas(report, "S2") == 0.0
    assert client.get(f"{URL}/units/S1/indices").json()["unit"]["sipas"]["value"] == 100.0
    listed = client.get(f"{URL}/editions").json()
    assert listed["published"] is True
    assert [e["number"] for e in listed["editions"]] == [1]
    assert listed["editions"][0]["published_by"] is None  # logins stay internal
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "campaign.publish"))
    assert [(a.target, a.detail["edition"]) for a in audit] == [("C-PUB", 1)]


def test_published_edition_is_frozen_against_later_responses_and_exclusions(
    session: Session, client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", 2, 5)
    post(client, catalog, "k-S2", 2, 5)
    c = close(session)
    publish(session, catalog, "C-PUB", interim=False)
    # Reopened and more (worse) responses arrive: the public still reads edition 1.
    set_status(session, c, CampaignStatus.open)
    post(client, catalog, "k-S1", 6, 1)
    public = client.get(DEPTS).json()
    assert sipas(public, "S1") == 100.0
    assert public["edition"]["responses"] == 4
    unit = client.get(f"{URL}/units/S1/indices").json()
    assert unit["unit"]["n"] == 2
    # A signed-in reader sees the live figures, marked internal.
    make_account(session, "coord", "coordinator", tree["P"])
    sign_in(client, "coord")
    live = client.get(DEPTS).json()
    assert live["results"] == "internal"
    assert sipas(live, "S1") == 25.0
    # ...and the published edition when asking for it.
    assert sipas(client.get(DEPTS + "&edition=1").json(), "S1") == 100.0


def test_correction_is_edition_2_with_note_and_moved_units_and_edition_1_stays(
    session: Session, client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", 2, 5)
    post(client, catalog, "k-S2", 2, 4)
    c = close(session)
    publish(session, catalog, "C-PUB")
    set_status(session, c, CampaignStatus.open)
    post(client, catalog, "k-S2", 2, 1)
    set_status(session, c, CampaignStatus.closed)
    with pytest.raises(AppError) as refused:
        publish(session, catalog, "C-PUB")  # a correction says why
    assert refused.value.status_code == 422
    assert refused.value.fields[0].loc == "note"
    with pytest.raises(AppError) as too_long:
        publish(session, catalog, "C-PUB", note="x" * 1001)
    assert too_long.value.fields[0].loc == "note"
    second = publish(session, catalog, "C-PUB", note="added 2 late paper forms of S2")
    assert second.number == 2
    assert [m["unit"] for m in second.moved] == ["P", "S2"]
    s2 = next(m for m in second.moved if m["unit"] == "S2")
    assert s2["sipas"] == [100.0, 50.0]
    latest = client.get(DEPTS).json()
    assert latest["edition"]["number"] == 2
    assert latest["edition"]["note"] == "added 2 late paper forms of S2"
    assert sipas(latest, "S2") == 50.0
    first = client.get(DEPTS + "&edition=1").json()
    assert first["edition"]["number"] == 1
    assert sipas(first, "S2") == 100.0
    assert client.get(f"{URL}/indices", params={"edition": 3}).status_code == 404
    listed = client.get(f"{URL}/editions").json()["editions"]
    assert [(e["number"], e["note"]) for e in listed] == [
        (1, None),
        (2, "added 2 late paper forms of S2"),
    ]
    assert [m["unit"] for m in listed[1]["moved"]] == ["P", "S2"]


def test_unpublish_hides_every_edition_and_publishing_again_restores_them(
    session: Session, client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", 2, 5)
    c = close(session)
    publish(session, catalog, "C-PUB")
    admin = Principal("tests", "admin", None)
    with pytest.raises(AppError) as no_reason:
        editions.unpublish(session, admin, c, "  ")
    assert no_reason.value.fields[0].loc == "reason"
    assert editions.unpublish(session, admin, c, "wrong unit names") == 1
    for path in (f"{URL}/indices", f"{URL}/indices?edition=1", f"{URL}/editions"):
        assert client.get(path).status_code == 404, path
    assert client.get("/results/C-PUB").status_code == 404
    # Nothing was deleted: a signed-in reader still lists it, withdrawn, with the reason.
    make_account(session, "boss", "admin")
    sign_in(client, "boss")
    hidden = client.get(f"{URL}/editions").json()
    assert hidden["published"] is False
    assert [(e["number"], e["hidden"], e["hidden_reason"]) for e in hidden["editions"]] == [
        (1, True, "wrong unit names")
    ]
    client.cookies.clear()
    publish(session, catalog, "C-PUB", note="unit names corrected")
    listed = client.get(f"{URL}/editions").json()["editions"]
    assert [e["number"] for e in listed] == [1, 2]
    assert client.get(f"{URL}/indices?edition=1").status_code == 200
    actions = [
        a.action
        for a in session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        if "publish" in a.action
    ]
    assert actions == ["campaign.publish", "campaign.unpublish", "campaign.publish"]


def test_open_campaign_publishes_only_as_interim_and_says_so_everywhere(
    session: Session, client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", 2, 5)
    with pytest.raises(AppError) as still_open:
        publish(session, catalog, "C-PUB")
    assert still_open.value.status_code == 409
    assert client.get(f"{URL}/indices").status_code == 404
    publish(session, catalog, "C-PUB", interim=True)
    report = client.get(f"{URL}/indices").json()
    assert report["results"] == "interim"
    assert report["edition"]["interim"] is True
    assert "sơ bộ" in report["notice"]
    assert "preliminary" in report["notice"]
    assert client.get(f"{URL}/units/S1/indices").json()["results"] == "interim"
    csv = client.get(f"{URL}/indices", params={"format": "csv"})
    assert "so-bo" in csv.headers["content-disposition"]
    xlsx = client.get(f"{URL}/indices", params={"format": "xlsx"})
    assert "so-bo" in xlsx.headers["content-disposition"]
    cells = [
        str(v)
        for ws in load_workbook(io.BytesIO(xlsx.content)).worksheets
        for row in ws.iter_rows(values_only=True)
        for v in row
        if v
    ]
    assert any("KẾT QUẢ SƠ BỘ" in v for v in cells)
    pdf = client.get(f"{URL}/indices", params={"format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.headers["content-type"] == "application/pdf"
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages]
    assert "KẾT QUẢ SƠ BỘ" in pages[0]
    # Every page's running header says so, none says "internal".
    assert all("KẾT QUẢ SƠ BỘ, bản công bố số 1" in p for p in pages)
    assert not any("NỘI BỘ" in p for p in pages)
    for lang, word in (("vi", "sơ bộ"), ("en", "Preliminary")):
        page = client.get("/results/C-PUB", params={"lang": lang})
        assert page.status_code == 200
        assert word.lower() in page.text.lower()
        unit = client.get("/results/C-PUB/units/S1", params={"lang": lang})
        assert word.lower() in unit.text.lower()


def test_draft_and_private_campaigns_cannot_be_published(
    session: Session, catalog: Catalog, tree: dict[str, Any]
) -> None:
    make_campaign(session, catalog, "C-DRAFT", [tree["Q"]], status=CampaignStatus.draft)
    with pytest.raises(AppError) as draft:
        publish(session, catalog, "C-DRAFT", interim=True)
    assert draft.value.status_code == 409
    c = close(session)
    c.is_private = True
    with pytest.raises(AppError) as private:
        publish(session, catalog, "C-PUB")
    assert private.value.status_code == 409


def test_published_editions_refuse_parameters_that_would_compute_other_figures(
    session: Session, client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", 2, 5)
    close(session)
    publish(session, catalog, "C-PUB")
    r = client.get(f"{URL}/indices", params={"gender": "female", "scoring": "mean20"})
    assert r.status_code == 422
    assert {f["loc"] for f in r.json()["fields"]} == {"filters", "scoring"}
    ranked = client.get(f"{URL}/indices", params={"sort": "rank", "level": "department"})
    assert ranked.status_code == 200
    assert [u["unit"] for u in ranked.json()["units"]][0] == "S1"


def test_live_results_follow_the_readers_area_and_publishing_follows_the_role(
    session: Session, client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", 2, 5)
    c = close(session)
    make_account(session, "q-coord", "coordinator", tree["Q"])
    make_account(session, "p-viewer", "viewer", tree["P"])
    sign_in(client, "q-coord")
    # Outside the account's area the campaign is unknown, live or published.
    assert client.get(f"{URL}/indices").status_code == 404
    with pytest.raises(AppError) as outside:
        editions.publish(session, catalog, Principal("q-coord", "coordinator", tree["Q"].id), c)
    assert outside.value.status_code == 403
    with pytest.raises(AppError) as viewer:
        editions.publish(session, catalog, Principal("p-viewer", "viewer", tree["P"].id), c)
    assert viewer.value.status_code == 403
    # Once published, outside the area is the public's view: the edition, not live.
    publish(session, catalog, "C-PUB")
    assert client.get(f"{URL}/indices").json()["results"] == "published"
    client.cookies.clear()
    sign_in(client, "p-viewer")
    assert client.get(f"{URL}/indices").json()["results"] == "internal"


def test_the_dashboard_previews_publishes_and_withdraws(
    session: Session, client: TestClient, catalog: Catalog, tree: dict[str, Any]
) -> None:
    post(client, catalog, "k-S1", 2, 5)
    post(client, catalog, "k-S2", 2, 2)
    make_account(session, "coord", "coordinator", tree["P"])
    csrf = sign_in(client, "coord")
    page = client.get("/dash/campaigns/C-PUB/publish")
    assert page.status_code == 200
    # The preview is the league table the public would see, best first (read from
    # the table's row headers: the page's CSRF tokens are random and may hold "S2").
    assert re.findall(r'<th scope="row">(S\d) ', page.text) == ["S1", "S2"]
    assert "Bản số" not in page.text  # nothing published yet
    assert "Kết quả nội bộ" in client.get("/dash/campaigns/C-PUB/results").text
    refused = client.post("/dash/campaigns/C-PUB/publish", data={"csrf": csrf})
    assert refused.status_code == 409
    assert "sơ bộ" in refused.text
    done = client.post(
        "/dash/campaigns/C-PUB/publish",
        data={"csrf": csrf, "interim": "1", "confirm": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    listing = client.get("/dash").text
    assert "Bản số 1" in listing
    assert "sơ bộ" in listing
    no_reason = client.post("/dash/campaigns/C-PUB/unpublish", data={"csrf": csrf, "reason": ""})
    assert no_reason.status_code == 422
    assert "lý do" in no_reason.text.lower()
    gone = client.post(
        "/dash/campaigns/C-PUB/unpublish",
        data={"csrf": csrf, "reason": "công bố nhầm"},
        follow_redirects=False,
    )
    assert gone.status_code == 303
    assert "công bố nhầm" in client.get("/dash/campaigns/C-PUB/publish").text
    client.cookies.clear()
    assert client.get("/results/C-PUB").status_code == 404


def test_public_pages_stay_under_50_kb_for_a_province_of_forty_departments(
    session: Session, client: TestClient, catalog: Catalog
) -> None:
    p = make_unit(session, "BIG")
    for i in range(40):
        unit = make_unit(session, f"BIG-S{i:02d}", "department", p, name=f"Sở số {i} tỉnh Lớn")
        make_counter(session, f"k-big-{i}", unit)
    make_campaign(session, catalog, "C-BIG", [p], min_sample=1)
    for i in range(40):
        post(client, catalog, f"k-big-{i}", 1, 1 + i % 5)
    c = session.scalar(select(Campaign).where(Campaign.code == "C-BIG"))
    assert c is not None
    set_status(session, c, CampaignStatus.closed)
    publish(session, catalog, "C-BIG")
    for lang in ("vi", "en"):
        league = client.get("/results/C-BIG", params={"lang": lang})
        assert league.status_code == 200
        assert league.text.count("/results/C-BIG/units/BIG-S") == 40
        assert len(league.content) <= 50_000, len(league.content)
        unit = client.get("/results/C-BIG/units/BIG-S07", params={"lang": lang})
        assert unit.status_code == 200
        assert len(unit.content) <= 50_000, len(unit.content)
        assert "<script" not in league.text + unit.text
        assert "http://" not in league.text + unit.text
        assert "https://" not in league.text + unit.text
