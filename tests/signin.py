"""Signing a test client in through the real login page."""

import re

from fastapi.testclient import TestClient

from tests.factories import PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Sign in as `login`; returns the session's CSRF token for forms and API writes."""
    page = client.get("/login")
    token = CSRF.search(page.text)
    assert token is not None
    r = client.post(
        "/login",
        data={"login": login, "password": password, "csrf": token.group(1), "next": "/dash"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    dash = client.get("/dash")
    found = CSRF.search(dash.text)
    assert found is not None
    return found.group(1)
