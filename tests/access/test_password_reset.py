"""An admin resets a user's password from the web (issue 15 item 20): a one-time,
expiring link whose token is stored only hashed; the user's sessions and old
password end at once; every step is audited."""

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.access.models import AuditEvent, LoginSession, PasswordReset
from tests.factories import PASSWORD, make_account, make_unit
from tests.signin import sign_in

LINK = re.compile(r'value="(http[^"]+/login/reset\?token=[^"]+)"')
NEW = "a brand new passphrase"


def _link(client: TestClient, csrf: str, account_id: int) -> str:
    r = client.post(f"/dash/users/{account_id}/reset", data={"csrf": csrf})
    assert r.status_code == 201, r.text
    found = LINK.search(r.text)
    assert found is not None
    assert "dùng được một lần" in r.text  # says, in Vietnamese, that it works once
    return html.unescape(found.group(1))


def _sessions(session: Session, account_id: int) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(LoginSession)
            .where(LoginSession.account_id == account_id)
        )
        or 0
    )


def _signs_in(client: TestClient, login: str, password: str) -> bool:
    client.cookies.clear()
    page = client.get("/login").text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    r = client.post(
        "/login",
        data={"login": login, "password": password, "csrf": token.group(1)},
        follow_redirects=False,
    )
    return r.status_code == 303


def test_a_one_time_link_sets_a_new_password_and_ends_the_old_one(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    user = make_account(session, "c@p", "coordinator", place["province"])
    sign_in(client, "c@p")
    assert _sessions(session, user.id) == 1
    make_account(session, "admin@p", "admin", place["province"])
    csrf = sign_in(client, "admin@p")
    link = _link(client, csrf, user.id)

    assert _sessions(session, user.id) == 0  # signed out everywhere at once
    token = parse_qs(urlparse(link).query)["token"][0]
    stored = session.scalars(select(PasswordReset.token_hash)).all()
    assert token not in stored  # only its hash is kept
    assert not _signs_in(client, "c@p", PASSWORD)  # the old password is gone

    client.cookies.clear()
    path = link.removeprefix("http://testserver")
    form = client.get(path)
    assert form.status_code == 200
    assert "Tài khoản: c@p" in form.text
    differ = client.post("/login/reset", data={"token": token, "new": NEW, "repeat": NEW + "x"})
    assert differ.status_code == 422
    assert "Hai lần nhập mật khẩu mới không giống nhau." in differ.text
    short = client.post("/login/reset", data={"token": token, "new": "short", "repeat": "short"})
    assert short.status_code == 422
    assert "ít nhất 10 ký tự" in short.text
    done = client.post(
        "/login/reset", data={"token": token, "new": NEW, "repeat": NEW}, follow_redirects=False
    )
    assert (done.status_code, done.headers["location"]) == (303, "/dash")
    assert client.get("/dash").status_code == 200  # signed in by the reset
    assert _signs_in(client, "c@p", NEW)

    # Single use: the same link again, opened or posted, is gone.
    client.cookies.clear()
    again = client.get(path)
    assert again.status_code == 410
    assert "không còn dùng được" in again.text
    replay = client.post("/login/reset", data={"token": token, "new": "x" * 12, "repeat": "x" * 12})
    assert replay.status_code == 410
    assert _signs_in(client, "c@p", NEW)

    actions = session.execute(
        select(AuditEvent.actor, AuditEvent.action, AuditEvent.target).where(
            AuditEvent.action.like("account.password_reset%")
        )
    ).all()
    assert sorted(actions) == [
        ("admin@p", "account.password_reset_link", "c@p"),
        ("c@p", "account.password_reset", "c@p"),
    ]


def test_links_expire_and_a_newer_link_replaces_an_older_one(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    user = make_account(session, "c@p", "coordinator", place["province"])
    make_account(session, "admin@p", "admin")
    csrf = sign_in(client, "admin@p")
    first = _link(client, csrf, user.id).removeprefix("http://testserver")
    second = _link(client, csrf, user.id).removeprefix("http://testserver")
    assert client.get(first).status_code == 410
    assert client.get(second).status_code == 200
    session.execute(
        update(PasswordReset).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    assert client.get(second).status_code == 410
    assert client.get("/login/reset?token=not-a-token").status_code == 410


def test_only_an_admin_within_their_area_may_reset(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    other = make_unit(session, "Q2")
    outsider = make_account(session, "q@q", "coordinator", other)
    make_account(session, "peer@p", "coordinator", place["province"])
    admin = make_account(session, "admin@p", "admin", place["province"])
    csrf = sign_in(client, "admin@p")
    for account_id in (outsider.id, admin.id):
        r = client.post(f"/dash/users/{account_id}/reset", data={"csrf": csrf})
        assert r.status_code == 403
    csrf = sign_in(client, "peer@p")
    assert client.post(f"/dash/users/{admin.id}/reset", data={"csrf": csrf}).status_code == 403
    assert session.scalar(select(func.count()).select_from(PasswordReset)) == 0
    assert _signs_in(client, "q@q", PASSWORD)
