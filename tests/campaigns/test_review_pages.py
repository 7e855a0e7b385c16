"""Review pages (issue 15 item 19): open a response before excluding it, pick a
translated reason, exclude many with one reason after one confirmation."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import AuditEvent
from app.collection.models import Submission
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_account
from tests.signin import sign_in

URL = "/dash/campaigns/C-2026/responses"


def _fast(client: TestClient, catalog: Catalog, **answers: Any) -> str:
    now = datetime.now(UTC)
    b = body(
        catalog,
        started_at=(now - timedelta(seconds=12)).isoformat(),
        submitted_at=now.isoformat(),
        answers=valid_answers(catalog, level=1, **answers),
    )
    assert client.post("/api/v1/submissions", json=b).status_code == 201
    return str(b["id"])


def _excluded(session: Session, *ids: str) -> list[str | None]:
    session.expire_all()
    return [
        session.scalar(select(Submission.exclude_reason).where(Submission.id == uuid.UUID(i)))
        for i in ids
    ]


def test_a_response_shows_its_answers_and_flags_in_the_page_language(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    rid = _fast(client, catalog, TC1=0)
    make_account(session, "coord@p", "coordinator", place["province"])
    sign_in(client, "coord@p")
    listing = client.get(URL).text
    assert f'href="{URL}/{rid}"' in listing  # the row shows (and links) the audit log's id
    assert f">{rid}</code>" in listing
    # No text box pre-filled with an English code: a list of translated reasons.
    assert not re.search(r"<input[^>]*value=\"speeding", listing)
    assert "Làm quá nhanh, không kịp đọc câu hỏi" in listing  # the reasons, translated

    vi = client.get(f"{URL}/{rid}").text
    assert "Nơi ngồi chờ tại Bộ phận tiếp nhận và trả kết quả có đủ chỗ ngồi" in vi
    assert "Không áp dụng / không biết" in vi  # TC1 = 0, by its label
    assert "Rất không hài lòng" in vi  # the other criteria, 1
    assert "Chính quyền xã/phường; Mạng Internet" in vi  # a multiple choice, both labels
    assert "Hoàn thành trong 12 giây, nhanh hơn ngưỡng 60 giây" in vi  # the flag explained
    assert "(không hỏi, theo câu trả lời trước)" in vi  # late_apology: not asked (on time)
    en = client.get(f"{URL}/{rid}?lang=en").text
    assert "The waiting area at the reception and result desk has enough seats" in en
    assert "Very dissatisfied" in en
    assert "The commune or ward authority; The Internet" in en
    assert "Finished in 12 s, faster than the 60 s" in en


def test_excluding_one_needs_a_reason_from_the_list_or_a_note(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    rid = _fast(client, catalog)
    make_account(session, "coord@p", "coordinator", place["province"])
    csrf = sign_in(client, "coord@p")
    url = f"{URL}/{rid}/exclude"
    none = client.post(url, data={"csrf": csrf, "reason_code": "", "note": ""})
    assert none.status_code == 422
    assert "Hãy chọn lý do loại phiếu" in none.text
    other = client.post(url, data={"csrf": csrf, "reason_code": "other", "note": ""})
    assert other.status_code == 422
    assert "hãy ghi rõ lý do" in other.text
    assert _excluded(session, rid) == [None]

    done = client.post(
        url,
        data={"csrf": csrf, "reason_code": "speeding", "note": "12 giây"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert _excluded(session, rid) == ["Làm quá nhanh, không kịp đọc câu hỏi – 12 giây"]
    event = session.scalars(select(AuditEvent).where(AuditEvent.target == f"C-2026/{rid}")).one()
    assert event.detail["reason_code"] == "speeding"


def test_bulk_exclude_confirms_once_then_excludes_each_with_one_reason(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    a, b, c = (_fast(client, catalog) for _ in range(3))
    make_account(session, "coord@p", "coordinator", place["province"])
    csrf = sign_in(client, "coord@p")
    form = {"csrf": csrf, "ids": [a, b], "reason_code": "test", "note": "", "back": "state=all"}

    asked = client.post(f"{URL}/exclude", data=form)
    assert asked.status_code == 200
    assert "Loại 2 phiếu dưới đây khỏi mọi chỉ số" in asked.text
    assert a in asked.text
    assert b in asked.text
    assert c not in asked.text
    assert _excluded(session, a, b) == [None, None]  # nothing until confirmed

    done = client.post(f"{URL}/exclude", data={**form, "confirm": "1"}, follow_redirects=False)
    assert done.status_code == 303
    assert done.headers["location"] == f"{URL}?state=all&excluded=2"
    assert "Đã loại 2 phiếu." in client.get(done.headers["location"]).text
    assert _excluded(session, a, b, c) == ["Phiếu thử hoặc tập huấn"] * 2 + [None]
    targets = session.scalars(
        select(AuditEvent.target).where(AuditEvent.action == "response.exclude")
    ).all()
    assert sorted(targets) == sorted([f"C-2026/{a}", f"C-2026/{b}"])

    # One already excluded among them: nothing more is excluded, and the page says which.
    again = client.post(f"{URL}/exclude", data={**form, "ids": [b, c], "confirm": "1"})
    assert again.status_code == 409
    assert f"Phiếu {b} đã bị loại trước đó" in again.text
    assert _excluded(session, c) == [None]
    nothing = client.post(f"{URL}/exclude", data={**form, "ids": [], "confirm": "1"})
    assert nothing.status_code == 422
    assert "Chưa chọn phiếu nào" in nothing.text
    no_reason = client.post(
        f"{URL}/exclude", data={**form, "ids": [c], "reason_code": "", "confirm": "1"}
    )
    assert no_reason.status_code == 422
    assert _excluded(session, c) == [None]


def test_viewers_may_look_but_not_exclude(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    rid = _fast(client, catalog)
    make_account(session, "view@p", "viewer", place["province"])
    csrf = sign_in(client, "view@p")
    page = client.get(f"{URL}/{rid}")
    assert page.status_code == 200
    assert "Rất không hài lòng" in page.text
    assert 'name="reason_code"' not in page.text
    r = client.post(
        f"{URL}/exclude",
        data={"csrf": csrf, "ids": [rid], "reason_code": "test", "confirm": "1"},
    )
    assert r.status_code == 403
    assert _excluded(session, rid) == [None]
    assert client.get(f"{URL}/{uuid.uuid4()}").status_code == 404
