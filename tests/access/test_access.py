"""Sign-in, roles scoped to a subtree, CSRF, API keys and the audit trail."""

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.models import Account, ApiKey, AuditEvent
from app.campaigns import service as campaigns
from app.core.errors import Invalid, Unauthorized
from app.questionnaires.catalog import Catalog
from tests.answers import body
from tests.factories import PASSWORD, make_account, make_campaign, make_unit
from tests.signin import CSRF, sign_in

NEW_CAMPAIGN = {
    "code": "NEW-1",
    "name": "Đợt mới",
    "starts_on": "2026-11-01",
    "ends_on": "2026-12-31",
    "units": ["P-S01"],
}


def test_passwords_are_argon2_hashed_and_checked(session: Session) -> None:
    account = make_account(session, "Lan@SoNV.gov.vn")
    assert account.login == "lan@sonv.gov.vn"
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    assert accounts.authenticate(session, "LAN@sonv.gov.vn", PASSWORD).id == account.id
    with pytest.raises(Unauthorized, match="wrong login or password"):
        accounts.authenticate(session, "lan@sonv.gov.vn", "wrong password!")
    with pytest.raises(Unauthorized, match="wrong login or password"):
        accounts.authenticate(session, "nobody@x", PASSWORD)
    with pytest.raises(Invalid) as bad:
        accounts.create_account(session, "x y", "", "short", "boss")
    assert sorted(f.loc for f in bad.value.fields) == ["login", "name", "password", "role"]


def test_pages_redirect_to_sign_in_and_back(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    r = client.get("/dash/campaigns/C-2026/results", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fdash%2Fcampaigns%2FC-2026%2Fresults"
    make_account(session, "coord@p", "coordinator", place["province"])
    login = client.get(r.headers["location"])
    token = CSRF.search(login.text)
    assert token is not None
    wrong = client.post(
        "/login",
        data={"login": "coord@p", "password": "nope nope nope", "csrf": token.group(1)},
    )
    assert wrong.status_code == 401
    assert "Sai tên đăng nhập hoặc mật khẩu" in wrong.text
    ok = client.post(
        "/login",
        data={
            "login": "coord@p",
            "password": PASSWORD,
            "csrf": token.group(1),
            "next": "/dash/campaigns/C-2026/results",
        },
        follow_redirects=False,
    )
    assert ok.headers["location"] == "/dash/campaigns/C-2026/results"
    cookie = ok.headers["set-cookie"]
    assert "sipas_session=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie
    assert client.get("/dash/campaigns/C-2026/results").status_code == 200


def test_sign_in_refuses_a_forged_form_and_never_redirects_off_site(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_account(session, "coord@p")
    forged = client.post("/login", data={"login": "coord@p", "password": PASSWORD, "csrf": "x"})
    assert forged.status_code == 403
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    r = client.post(
        "/login",
        data={
            "login": "coord@p",
            "password": PASSWORD,
            "csrf": token.group(1),
            "next": "//evil.example/x",
        },
        follow_redirects=False,
    )
    assert r.headers["location"] == "/dash"


def test_sign_out_ends_the_session_on_the_server(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_account(session, "coord@p", "coordinator", place["province"])
    csrf = sign_in(client, "coord@p")
    stolen = client.cookies.get("sipas_session")
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    assert client.post("/logout", data={"csrf": csrf}, follow_redirects=False).status_code == 303
    client.cookies.set("sipas_session", stolen or "")
    assert client.get("/dash", follow_redirects=False).status_code == 303
    assert client.get("/api/v1/campaigns").status_code == 401


def test_forms_and_api_writes_need_the_csrf_token(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_account(session, "coord@p", "coordinator", place["province"])
    csrf = sign_in(client, "coord@p")
    page = client.post("/dash/campaigns/C-2026/status", data={"status": "closed"})
    assert page.status_code == 403
    assert "tải lại trang" in page.text
    api = client.post("/api/v1/campaigns/C-2026/close")
    assert api.status_code == 403
    assert campaigns.get_campaign(session, "C-2026").status == "open"
    ok = client.post("/api/v1/campaigns/C-2026/close", headers={"x-csrf-token": csrf})
    assert ok.json()["status"] == "closed"


def test_a_coordinator_sees_and_changes_only_its_own_subtree(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    other = make_unit(session, "P-S02", "department", place["province"])
    make_campaign(session, catalog, "S02-ONLY", [other])
    make_campaign(session, catalog, "S01-ONLY", [place["dept"]])
    make_account(session, "s01@p", "coordinator", place["dept"])
    csrf = sign_in(client, "s01@p")
    listed = [c["code"] for c in client.get("/api/v1/campaigns").json()]
    assert sorted(listed) == ["C-2026", "S01-ONLY"]
    assert client.get("/api/v1/campaigns/S02-ONLY/progress").status_code == 404
    assert client.get("/dash/campaigns/S02-ONLY").status_code == 404
    # The province-wide campaign covers this department from above: it sees the
    # campaign, with a progress row for its own unit only, and cannot change it.
    assert "C-2026" in [c["code"] for c in client.get("/api/v1/campaigns").json()]
    sent = client.post("/api/v1/submissions", json=body(catalog, campaign="C-2026"))  # k-1: P-S01
    assert sent.status_code == 201
    rows = client.get("/api/v1/campaigns/C-2026/progress").json()["units"]
    assert [(r["unit"], r["collected"], r["status"]) for r in rows] == [("P-S01", 1, "no_target")]
    closing = client.post("/api/v1/campaigns/C-2026/close", headers={"x-csrf-token": csrf})
    assert closing.status_code == 403
    outside = client.post(
        "/api/v1/campaigns",
        json=dict(NEW_CAMPAIGN, units=["P-S02"]),
        headers={"x-csrf-token": csrf},
    )
    assert outside.status_code == 403
    inside = client.post("/api/v1/campaigns", json=NEW_CAMPAIGN, headers={"x-csrf-token": csrf})
    assert inside.status_code == 201, inside.text
    assert inside.json()["status"] == "draft"
    settings = {k: v for k, v in NEW_CAMPAIGN.items() if k != "code"}
    widen = client.put(
        "/api/v1/campaigns/NEW-1",
        json=dict(settings, units=["P-S01", "P-S02"]),
        headers={"x-csrf-token": csrf},
    )
    assert widen.status_code == 403
    assert [u["unit"] for u in client.get("/api/v1/campaigns/NEW-1").json()["units"]] == ["P-S01"]


def test_viewers_read_but_cannot_change(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_account(session, "v@p", "viewer", place["province"])
    csrf = sign_in(client, "v@p")
    assert client.get("/api/v1/campaigns/C-2026/progress").status_code == 200
    assert client.get("/dash/campaigns/C-2026").status_code == 200
    r = client.post("/api/v1/campaigns", json=NEW_CAMPAIGN, headers={"x-csrf-token": csrf})
    assert r.status_code == 403
    page = client.post("/dash/campaigns/C-2026/status", data={"csrf": csrf, "status": "closed"})
    assert page.status_code == 403
    assert "Tạo đợt khảo sát" not in client.get("/dash").text


def test_api_keys_read_within_their_scope_and_never_write(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    anonymous = client.get("/api/v1/campaigns")
    assert anonymous.status_code == 401
    assert anonymous.headers["www-authenticate"] == 'Bearer realm="sipas"'
    key, secret = accounts.create_api_key(session, "PAR team")
    auth = {"authorization": f"Bearer {secret}"}
    assert key.key_hash != secret
    assert secret[6:14] == key.prefix
    assert [c["code"] for c in client.get("/api/v1/campaigns", headers=auth).json()] == ["C-2026"]
    assert client.get("/api/v1/campaigns/C-2026/progress", headers=auth).status_code == 200
    write = client.post("/api/v1/campaigns/C-2026/close", headers=auth)
    assert write.status_code == 403
    assert "read-only" in write.json()["detail"]
    accounts.revoke_api_key(session, key.id)
    gone = client.get("/api/v1/campaigns", headers=auth)
    assert gone.status_code == 401
    assert gone.json()["detail"] == "the API key is unknown or revoked"


def test_private_campaign_indices_need_a_key(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    campaigns.get_campaign(session, "C-2026").is_private = True
    session.flush()
    # Without a key a campaign is unknown until published (tests/reporting/test_editions.py).
    assert client.get("/api/v1/campaigns/C-2026/indices").status_code == 404
    _, secret = accounts.create_api_key(session, "dashboard")
    r = client.get(
        "/api/v1/campaigns/C-2026/indices", headers={"authorization": f"Bearer {secret}"}
    )
    assert r.status_code == 200
    assert r.headers["cache-control"] == "private, no-cache"  # never kept by a shared cache
    _, elsewhere = accounts.create_api_key(session, "other province", make_unit(session, "Z").code)
    r = client.get(
        "/api/v1/campaigns/C-2026/indices", headers={"authorization": f"Bearer {elsewhere}"}
    )
    assert r.status_code == 404


def test_every_coordinator_action_is_in_the_audit_log(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_account(session, "admin@p", "admin")
    csrf = sign_in(client, "admin@p")
    client.post("/api/v1/campaigns", json=NEW_CAMPAIGN, headers={"x-csrf-token": csrf})
    client.put(
        "/api/v1/campaigns/NEW-1/targets",
        json={"targets": {"P-S01": 40}},
        headers={"x-csrf-token": csrf},
    )
    # Its unit's counter already feeds the open C-2026: say it now feeds NEW-1.
    opened = client.post(
        "/api/v1/campaigns/NEW-1/open",
        json={"counters": {"k-1": "NEW-1"}},
        headers={"x-csrf-token": csrf},
    )
    assert opened.status_code == 200, opened.text
    log = client.get("/api/v1/audit").json()
    assert [(e["actor"], e["action"], e["target"]) for e in log[:4]] == [
        ("admin@p", "campaign.open", "NEW-1"),
        ("admin@p", "campaign.targets", "NEW-1"),
        ("admin@p", "campaign.create", "NEW-1"),
        ("admin@p", "account.sign_in", "admin@p"),
    ]
    assert log[1]["detail"] == {"targets": {"P-S01": 40}}
    page = client.get("/dash/audit")
    assert page.status_code == 200
    assert re.search(r"Đặt chỉ tiêu</td><td>NEW-1", page.text)
    assert session.scalar(select(AuditEvent.id).where(AuditEvent.actor == "nobody")) is None
    make_account(session, "c@p", "coordinator")
    client.cookies.clear()
    sign_in(client, "c@p")
    assert client.get("/api/v1/audit").status_code == 403
    assert session.scalar(select(Account.role).where(Account.login == "c@p")) == "coordinator"


def test_repeated_wrong_passwords_lock_the_login_for_a_while(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_account(session, "coord@p")
    token = CSRF.search(client.get("/login").text)
    assert token is not None

    def attempt(password: str) -> int:
        form = {"login": "Coord@P", "password": password, "csrf": token.group(1)}
        return client.post("/login", data=form, follow_redirects=False).status_code

    assert [attempt(f"wrong guess {i}") for i in range(5)] == [401] * 5
    locked = client.post(
        "/login", data={"login": "coord@p", "password": PASSWORD, "csrf": token.group(1)}
    )
    assert locked.status_code == 429
    # The sign-in page says it in the page's language (Vietnamese by default).
    assert "Đã nhập sai mật khẩu quá nhiều lần cho tài khoản này" in locked.text
    failed = session.scalars(
        select(AuditEvent.target).where(AuditEvent.action == "account.sign_in_failed")
    ).all()
    assert failed == ["coord@p"] * 5
    # Another login is not affected.
    make_account(session, "other@p")
    assert sign_in(client, "other@p")


def test_password_change_and_disabled_accounts(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_account(session, "admin@p", "admin")
    coord = make_account(session, "c@p", "coordinator", place["province"])
    csrf = sign_in(client, "admin@p")
    r = client.post(
        "/dash/account/password",
        data={"csrf": csrf, "current": "not it at all", "new": "x" * 12, "repeat": "x" * 12},
    )
    assert r.status_code == 422
    assert "Mật khẩu hiện tại không đúng" in r.text
    ok = client.post(
        "/dash/account/password",
        data={
            "csrf": csrf,
            "current": PASSWORD,
            "new": "a new passphrase",
            "repeat": "a new passphrase",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303
    assert client.get("/dash/account").status_code == 200  # this browser stays signed in
    with pytest.raises(Unauthorized):
        accounts.authenticate(session, "admin@p", PASSWORD)
    csrf = CSRF.search(client.get("/dash/users").text).group(1)  # type: ignore[union-attr]

    other = TestClient(client.app)
    sign_in(other, "c@p")
    assert other.get("/dash", follow_redirects=False).status_code == 200
    r = client.post(f"/dash/users/{coord.id}/disable", data={"csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert other.get("/dash", follow_redirects=False).status_code == 303  # signed out at once
    assert "Đã khóa" in client.get("/dash/users").text
    with pytest.raises(Unauthorized):
        accounts.authenticate(session, "c@p", PASSWORD)


def test_an_admin_issues_and_revokes_api_keys_on_the_keys_page(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    make_account(session, "admin@p", "admin")
    csrf = sign_in(client, "admin@p")
    made = client.post("/dash/keys", data={"csrf": csrf, "label": "Cổng dữ liệu tỉnh", "unit": "P"})
    assert made.status_code == 201
    secret = re.search(r'<code class="secret">(sipas_[^<]+)</code>', made.text)
    assert secret is not None
    auth = {"authorization": f"Bearer {secret.group(1)}"}
    assert client.get("/api/v1/campaigns/C-2026/progress", headers=auth).status_code == 200
    listing = client.get("/dash/keys").text
    assert secret.group(1) not in listing  # shown once, never again
    assert "Cổng dữ liệu tỉnh" in listing
    key_id = session.scalar(select(ApiKey.id).where(ApiKey.label == "Cổng dữ liệu tỉnh"))
    revoked = client.post(
        f"/dash/keys/{key_id}/revoke", data={"csrf": csrf}, follow_redirects=False
    )
    assert revoked.status_code == 303
    assert client.get("/api/v1/campaigns/C-2026/progress", headers=auth).status_code == 401
    events = [e["action"] for e in client.get("/api/v1/audit").json()[:2]]
    assert events == ["api_key.revoke", "api_key.create"]
