"""Citizens' comments: listed per unit with date and channel, searchable, hidden as
abusive (audited, within the coordinator's area, not by a viewer), and a hidden
comment leaves every export of comments (CSV, Excel, the microdata)."""

import io
import re
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.models import AuditEvent
from app.campaigns.models import ReportComment
from app.questionnaires.catalog import Catalog
from app.units.models import Unit
from tests.access.test_dash_language import visible
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit, read_with_key
from tests.signin import sign_in

PAGE = "/dash/campaigns/C-CMT/comments"
ABUSE = "Cán bộ X là đồ ăn hại"


def post(client: TestClient, catalog: Catalog, counter: str, channel: str, **answers: Any) -> str:
    b = body(catalog, counter=counter, channel=channel, answers=valid_answers(catalog, **answers))
    r = client.post("/api/v1/submissions", json=b)
    assert r.status_code == 201, r.text
    return str(b["id"])


@pytest.fixture
def world(client: TestClient, session: Session, catalog: Catalog) -> dict[str, Any]:
    p = make_unit(session, "P", name="Tỉnh Lai Châu")
    s1 = make_unit(session, "S1", "department", p, name="Sở Tư pháp")
    s2 = make_unit(session, "S2", "department", p, name="Sở Y tế")
    make_counter(session, "k-S1", s1)
    make_counter(session, "k-S2", s2)
    make_campaign(session, catalog, "C-CMT", [p], min_sample=1)
    ids = {
        # A procedure's name beside a comment: one comment; a name alone: none.
        "slow": post(
            client,
            catalog,
            "k-S1",
            "kiosk",
            comment="Thủ tục còn chậm, phải chờ lâu",
            procedure_name="Chứng thực bản sao",
        ),
        "abuse": post(client, catalog, "k-S1", "web", comment=ABUSE),
        "thanks": post(client, catalog, "k-S2", "paper", comment="Cảm ơn cán bộ tận tình"),
        "name": post(client, catalog, "k-S2", "kiosk", procedure_name="Cấp bản sao trích lục"),
        "none": post(client, catalog, "k-S2", "kiosk"),
    }
    make_account(session, "lan@sonv", "coordinator", p)
    make_account(session, "binh@sotp", "coordinator", s1)
    make_account(session, "xem@sonv", "viewer", p)
    return ids


def listed(page: str) -> list[tuple[str, str]]:
    """(response id, question) of the comments listed, in order."""
    return [(m[0], m[1]) for m in re.findall(r'id="c-([0-9a-f-]{36})-(\w+)"', page)]


def test_comments_are_listed_with_unit_date_and_channel_and_can_be_searched(
    client: TestClient, world: dict[str, Any]
) -> None:
    sign_in(client, "lan@sonv")
    page = client.get(PAGE, params={"lang": "vi"})
    assert page.status_code == 200
    shown = {sid for sid, _ in listed(page.text)}
    assert shown == {world["slow"], world["abuse"], world["thanks"]}
    assert listed(page.text).count((world["slow"], "comment")) == 1
    text = visible(page.text)
    assert "Thủ tục còn chậm, phải chờ lâu" in text
    assert "Sở Tư pháp" in text
    assert "Máy tính bảng tại quầy" in text
    assert "Phiếu giấy" in text
    assert "3 ý kiến" in text
    assert "Chứng thực bản sao" not in text
    assert "Cấp bản sao trích lục" not in text
    found = client.get(PAGE, params={"q": "chậm"}).text
    assert [sid for sid, _ in listed(found)] == [world["slow"]]
    assert [sid for sid, _ in listed(client.get(PAGE, params={"q": "CẢM ƠN"}).text)] == [
        world["thanks"]
    ]
    assert {sid for sid, _ in listed(client.get(PAGE, params={"unit": "S2"}).text)} == {
        world["thanks"]
    }
    # A procedure's name is no comment to filter by.
    assert client.get(PAGE, params={"question": "procedure_name"}).status_code == 422
    only = client.get(PAGE, params={"question": "comment", "unit": "S2"}).text
    assert [sid for sid, _ in listed(only)] == [world["thanks"]]
    # Without marks, as people often type; every word must be there; % is no wildcard.
    assert [sid for sid, _ in listed(client.get(PAGE, params={"q": "cho lau"}).text)] == [
        world["slow"]
    ]
    assert listed(client.get(PAGE, params={"q": "chậm cảm"}).text) == []
    assert listed(client.get(PAGE, params={"q": "%"}).text) == []
    # A response's answers open from its comment, with the way back.
    opened = client.get(f"/dash/campaigns/C-CMT/responses/{world['slow']}?from=comments")
    assert opened.status_code == 200
    assert "Thủ tục còn chậm" in opened.text
    assert "Về danh sách ý kiến" in opened.text
    assert "Đã ẩn (phản cảm)" not in visible(opened.text)
    assert f"/responses/{world['slow']}?from=comments" in page.text


def test_bad_comment_queries_are_said_in_the_users_language(
    client: TestClient, world: dict[str, Any]
) -> None:
    sign_in(client, "lan@sonv")
    bad = client.get(
        PAGE, params={"question": "gender", "state": "gone", "unit": "NOPE", "lang": "vi"}
    )
    assert bad.status_code == 422
    box = visible(bad.text.split('class="problems"')[1].split("</div>")[0])
    assert "Câu hỏi" in box
    assert "Hiển thị" in box
    assert "không có đơn vị 'NOPE'" in box
    assert 'class="untranslated"' not in bad.text
    en = client.get(PAGE, params={"page": "x", "lang": "en"})
    assert en.status_code == 422
    assert "Page" in visible(en.text)


def _hide(client: TestClient, csrf: str, sid: str, reason: str = "Xúc phạm cán bộ") -> Any:
    return client.post(
        f"{PAGE}/{sid}/comment/hide",
        data={"csrf": csrf, "reason": reason, "back": "q=&page=1"},
        follow_redirects=False,
    )


def test_a_hidden_comment_leaves_every_export_and_is_audited(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    csrf = sign_in(client, "lan@sonv")
    before = client.get(f"{PAGE}/export", params={"format": "csv", "lang": "vi"})
    assert before.status_code == 200
    assert before.content.startswith(b"\xef\xbb\xbf")
    assert ABUSE in before.text
    assert before.text.splitlines()[0].split(";")[:2] == ["\ufeffMã phiếu", "Thời điểm"]
    # The question column names the question as the reader reads it, not its code.
    lines = before.text.splitlines()[1:]
    assert {line.split(";")[5] for line in lines} == {"Ý kiến khác của Ông/Bà (không bắt buộc)"}
    en = client.get(f"{PAGE}/export", params={"format": "csv", "lang": "en"}).text
    assert "Anything else you would like to tell us (optional)" in en
    assert ",comment," not in en
    assert _hide(client, csrf, world["abuse"], "").status_code == 422  # a reason is needed
    r = _hide(client, csrf, world["abuse"])
    assert r.status_code == 303
    assert "done=hidden" in r.headers["location"]
    shown = client.get(PAGE).text
    assert world["abuse"] not in shown
    assert "Đã ẩn ý kiến." not in shown
    assert "Đã ẩn ý kiến." in client.get(r.headers["location"]).text
    hidden = client.get(PAGE, params={"state": "hidden"}).text
    assert [sid for sid, _ in listed(hidden)] == [world["abuse"]]
    assert "Xúc phạm cán bộ" in visible(hidden)
    csv_after = client.get(f"{PAGE}/export", params={"format": "csv"}).text
    assert ABUSE not in csv_after
    assert "Thủ tục còn chậm" in csv_after
    xlsx = openpyxl.load_workbook(
        io.BytesIO(client.get(f"{PAGE}/export", params={"format": "xlsx"}).content)
    )
    cells = [c for r in xlsx.worksheets[0].iter_rows(values_only=True) for c in r]
    assert ABUSE not in cells
    assert "Thủ tục còn chậm, phải chờ lâu" in cells
    micro = client.get("/api/v1/campaigns/C-CMT/microdata", params={"format": "csv"}).text
    assert ABUSE not in micro
    assert "Thủ tục còn chậm" in micro
    assert world["abuse"] in micro  # the response itself stays, and still counts
    assert _hide(client, csrf, world["abuse"]).status_code == 409
    opened = visible(client.get(f"/dash/campaigns/C-CMT/responses/{world['abuse']}").text)
    assert ABUSE in opened  # the coordinator still reads the whole response
    assert "Đã ẩn (phản cảm)" in opened
    entry = session.scalars(select(AuditEvent).where(AuditEvent.action == "comment.hide")).one()
    assert entry.actor == "lan@sonv"
    assert entry.target == f"C-CMT/{world['abuse']}"
    # Shown again: back in the exports, audited too.
    back = client.post(
        f"{PAGE}/{world['abuse']}/comment/show", data={"csrf": csrf}, follow_redirects=False
    )
    assert back.status_code == 303
    assert ABUSE in client.get(f"{PAGE}/export", params={"format": "csv"}).text
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "comment.show")).one()


def test_hiding_is_for_managers_within_their_area(
    client: TestClient, world: dict[str, Any]
) -> None:
    csrf = sign_in(client, "xem@sonv")
    page = client.get(PAGE).text
    assert world["abuse"] in page
    assert "Ẩn (phản cảm)" not in page
    assert _hide(client, csrf, world["abuse"]).status_code == 403
    client.post("/logout", data={"csrf": csrf})
    csrf = sign_in(client, "binh@sotp")  # S1's coordinator
    mine = {sid for sid, _ in listed(client.get(PAGE).text)}
    assert mine == {world["slow"], world["abuse"]}
    assert _hide(client, csrf, world["thanks"]).status_code in (403, 404)  # S2's
    exported = client.get(f"{PAGE}/export", params={"format": "csv"}).text
    assert "Cảm ơn cán bộ" not in exported
    assert _hide(client, csrf, world["abuse"]).status_code == 303
    # Nothing to hide where there is no comment.
    assert _hide(client, csrf, world["none"]).status_code in (403, 404)


API = "/api/v1/campaigns/C-CMT/comments"


def test_comments_through_the_api_are_scoped_reviewed_and_audited(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    csrf = {"X-CSRF-Token": sign_in(client, "binh@sotp")}  # S1's coordinator
    listed_ = client.get(API)
    assert listed_.status_code == 200
    got = listed_.json()
    assert got["total"] == 2
    assert {c["response_id"] for c in got["comments"]} == {world["slow"], world["abuse"]}
    assert {c["unit"] for c in got["comments"]} == {"S1"}
    assert {c["question"] for c in got["comments"]} == {"comment"}
    found = client.get(API, params={"q": "thu tuc cham"}).json()["comments"]
    assert [(c["text"], c["channel"]) for c in found] == [
        ("Thủ tục còn chậm, phải chờ lâu", "kiosk")
    ]

    slow = f"{API}/{world['slow']}/comment"
    chosen = client.post(f"{slow}/choose", headers=csrf)
    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["chosen"] is True
    assert chosen.json()["chosen_at"] is not None
    assert [
        c["response_id"] for c in client.get(API, params={"state": "chosen"}).json()["comments"]
    ] == [world["slow"]]
    again = client.post(f"{slow}/choose", headers=csrf)
    assert again.status_code == 409
    assert again.json()["detail"] == (
        f"the comment of response {world['slow']} in 'comment' is in the report already"
    )
    assert client.post(f"{slow}/unchoose", headers=csrf).json()["chosen"] is False
    assert client.post(f"{slow}/unchoose", headers=csrf).status_code == 409

    abuse = f"{API}/{world['abuse']}/comment"
    no_reason = client.post(f"{abuse}/hide", headers=csrf, json={"reason": " "})
    assert no_reason.status_code == 422
    assert "say why the comment is hidden" in no_reason.json()["detail"]
    hidden = client.post(f"{abuse}/hide", headers=csrf, json={"reason": "Xúc phạm cán bộ"})
    assert hidden.status_code == 200, hidden.text
    assert (hidden.json()["hidden"], hidden.json()["hidden_reason"]) == (True, "Xúc phạm cán bộ")
    assert client.post(f"{abuse}/choose", headers=csrf).status_code == 409  # never printed
    assert world["abuse"] not in client.get(API).text
    assert client.post(f"{abuse}/show", headers=csrf).json()["hidden"] is False
    actions = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.like("comment.%")).order_by(AuditEvent.id)
    ).all()
    assert actions == ["comment.choose", "comment.unchoose", "comment.hide", "comment.show"]

    # S2's comment is outside S1's coordinator's area; no such action; no such id.
    assert client.post(f"{API}/{world['thanks']}/comment/choose", headers=csrf).status_code in (
        403,
        404,
    )
    assert client.post(f"{slow}/delete", headers=csrf).status_code == 422
    assert client.post(f"{API}/not-an-id/comment/choose", headers=csrf).status_code == 422
    assert client.post(f"{slow}/choose").status_code == 403  # no CSRF token


def test_viewers_and_api_keys_read_comments_but_change_none(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    csrf = {"X-CSRF-Token": sign_in(client, "xem@sonv")}
    # Three comments; the two procedure names are answers, not comments.
    assert client.get(API).json()["total"] == 3
    r = client.post(f"{API}/{world['slow']}/comment/choose", headers=csrf)
    assert r.status_code == 403
    client.post("/logout", data={"csrf": csrf["X-CSRF-Token"]})
    client.cookies.clear()
    read_with_key(session, client, session.scalars(select(Unit).where(Unit.code == "S2")).one())
    keyed = client.get(API).json()
    assert [(c["unit"], c["question"]) for c in keyed["comments"]] == [("S2", "comment")]
    assert client.post(f"{API}/{world['thanks']}/comment/choose").status_code == 403
    assert session.scalars(select(ReportComment)).all() == []
