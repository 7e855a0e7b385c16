"""Paper forms, units and counters uploaded from the dashboard: a preview listing every
problem by line and column with nothing stored, then a confirmation that stores it
all or nothing, within the coordinator's area."""

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.access.models import AuditEvent
from app.campaigns.models import CampaignStatus
from app.collection import uploads
from app.collection.models import Submission
from app.questionnaires.catalog import Catalog
from app.units.models import Counter, Unit
from tests.collection.test_paper_import import form, sheet
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

HIDDEN = re.compile(r'name="(data|name)" value="([^"]*)"')


@pytest.fixture
def place(session: Session, catalog: Catalog) -> dict[str, Unit]:
    p = make_unit(session, "P", name="Tỉnh P")
    s1 = make_unit(session, "P-S01", "department", p, name="Sở 1")
    other = make_unit(session, "Q", name="Tỉnh Q")
    make_counter(session, "k-1", s1)
    make_counter(session, "q-1", other)
    make_campaign(session, catalog, "UP-1", [p, other], min_sample=1)
    make_account(session, "lan@p", "coordinator", p)
    make_account(session, "xem@p", "viewer", p)
    return {"P": p, "P-S01": s1, "Q": other}


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _confirm_fields(page: str) -> dict[str, str]:
    return {k: html.unescape(v) for k, v in HIDDEN.findall(page)}


def test_paper_forms_preview_every_problem_then_store_on_confirmation(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Unit]
) -> None:
    csrf = sign_in(client, "lan@p")
    page = client.get("/dash/campaigns/UP-1/paper")
    assert page.status_code == 200
    assert "paper-template?format=xlsx" in page.text
    bad = sheet(
        catalog,
        [
            form(catalog, "1"),
            form(catalog, "2", HL=9),
            {**form(catalog, "3"), "unit": "Q"},  # another province: not this coordinator's
            {**form(catalog, "4"), "date": "02/30/2026"},
        ],
    )
    checked = client.post(
        "/dash/campaigns/UP-1/paper",
        data={"csrf": csrf, "kind": "paper"},
        files={"file": ("phieu.csv", bad, "text/csv")},
    )
    assert checked.status_code == 422
    text = checked.text
    assert "dòng 3, cột HL" in text
    assert "dòng 4, cột unit" in text
    assert "địa bàn Ông/Bà quản lý" in text
    assert "phieu.csv: 3 lỗi; chưa nhập gì" in text
    assert "dòng 5, cột date" in text
    assert 'name="confirm"' not in text
    assert _count(session, Submission) == 0

    good = sheet(catalog, [form(catalog, "1"), form(catalog, "2")])
    preview = client.post(
        "/dash/campaigns/UP-1/paper",
        data={"csrf": csrf, "kind": "paper"},
        files={"file": ("phieu.csv", good, "text/csv")},
    )
    assert preview.status_code == 200
    assert "Tệp phieu.csv không có lỗi. Khi xác nhận: thêm mới 2" in preview.text
    assert "Chưa có gì được lưu." in preview.text
    assert _count(session, Submission) == 0  # the preview stored nothing
    fields = _confirm_fields(preview.text)
    done = client.post(
        "/dash/campaigns/UP-1/paper",
        data={"csrf": csrf, "kind": "paper", "confirm": "1", **fields},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _count(session, Submission) == 2
    after = client.get(done.headers["location"])
    assert "Đã nhập: thêm mới 2, đã nhập trước đó 0." in after.text
    action = session.scalar(select(AuditEvent.action).order_by(AuditEvent.id.desc()).limit(1))
    assert action == "paper.import"
    # Confirming the same file again stores nothing twice.
    client.post(
        "/dash/campaigns/UP-1/paper",
        data={"csrf": csrf, "kind": "paper", "confirm": "1", **fields},
    )
    assert _count(session, Submission) == 2
    damaged = client.post(
        "/dash/campaigns/UP-1/paper",
        data={"csrf": csrf, "kind": "paper", "confirm": "1", "name": "x.csv", "data": "%%%"},
    )
    assert damaged.status_code == 422
    assert "hãy tải tệp lên lại" in damaged.text


def test_units_and_counters_stay_inside_the_coordinators_area(
    client: TestClient, session: Session, place: dict[str, Unit]
) -> None:
    csrf = sign_in(client, "lan@p")
    assert client.get("/dash/units").status_code == 200
    units = (
        "mã;tên;loại;mã cấp trên\n"
        "P-S02;Sở 2;department;P\n"
        "P-S02-X;Xã X;commune;P-S02\n"
        "Q-S09;Sở Q;department;Q\n"
        "TOP;Nước;country;\n"
    ).encode()
    before = _count(session, Unit)
    r = client.post(
        "/dash/units",
        data={"csrf": csrf, "kind": "units"},
        files={"file": ("don-vi.csv", units, "text/csv")},
    )
    assert r.status_code == 422
    assert "dòng 4, cột parent" in r.text
    assert "dòng 5, cột parent" in r.text
    assert "dòng 2" not in r.text
    assert "dòng 3" not in r.text
    assert _count(session, Unit) == before
    ok = units.rsplit(b"Q-S09", 1)[0]
    preview = client.post(
        "/dash/units",
        data={"csrf": csrf, "kind": "units"},
        files={"file": ("don-vi.csv", ok, "text/csv")},
    )
    assert preview.status_code == 200, preview.text
    assert "thêm mới 2" in preview.text
    assert _count(session, Unit) == before
    stored = client.post(
        "/dash/units",
        data={"csrf": csrf, "kind": "units", "confirm": "1", **_confirm_fields(preview.text)},
        follow_redirects=False,
    )
    assert stored.status_code == 303
    assert _count(session, Unit) == before + 2

    counters = "code,name,unit\nk-2,Quầy 2,P-S02\nq-1,Quầy Q,P-S02\nk-3,Quầy 3,Q\n".encode()
    r = client.post(
        "/dash/units",
        data={"csrf": csrf, "kind": "counters"},
        files={"file": ("quay.csv", counters, "text/csv")},
    )
    assert r.status_code == 422
    assert "dòng 3, cột code" in r.text  # q-1 belongs to the other province
    assert "dòng 4, cột unit" in r.text
    assert session.scalar(select(Counter.unit_id).where(Counter.code == "q-1")) == place["Q"].id


def test_a_viewer_cannot_upload_and_the_counters_list_shows_links(
    client: TestClient, session: Session, place: dict[str, Unit]
) -> None:
    csrf = sign_in(client, "xem@p")
    assert client.get("/dash/units").status_code == 403
    r = client.post(
        "/dash/units",
        data={"csrf": csrf, "kind": "counters"},
        files={"file": ("quay.csv", b"code,name,unit\nk-9,Q,P-S01\n", "text/csv")},
    )
    assert r.status_code == 403
    listing = client.get("/dash/counters")
    assert listing.status_code == 200
    assert "/s/k-1</a>" in listing.text
    assert 'href="/s/k-1/sheet.svg"' in listing.text
    assert "q-1" not in listing.text  # another province's counter


def test_a_draft_campaign_and_a_file_too_large_to_confirm_say_what_to_do(
    client: TestClient,
    session: Session,
    catalog: Catalog,
    place: dict[str, Unit],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make_campaign(session, catalog, "UP-D", [place["P-S01"]], status=CampaignStatus.draft)
    csrf = sign_in(client, "lan@p")
    good = sheet(catalog, [form(catalog, "1")])
    draft = client.post(
        "/dash/campaigns/UP-D/paper",
        data={"csrf": csrf, "kind": "paper"},
        files={"file": ("phieu.csv", good, "text/csv")},
    )
    assert draft.status_code == 422
    assert "Đợt khảo sát &#39;UP-D&#39; chưa mở hoặc đã đóng" in draft.text
    # Past what one form field carries, the preview still checks but sends to the CLI.
    monkeypatch.setattr(uploads, "MAX_PACKED", 10)
    big = client.post(
        "/dash/campaigns/UP-1/paper",
        data={"csrf": csrf, "kind": "paper"},
        files={"file": ("phieu.csv", good, "text/csv")},
    )
    assert big.status_code == 200
    assert "không có lỗi" in big.text
    assert "sipas submissions import" in big.text
    assert 'name="confirm"' not in big.text
