"""Signing in and out of the coordinator's pages."""

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.access import service as accounts
from app.access.dash_render import dash_page
from app.access.security import LOGIN_CSRF_COOKIE, SESSION_COOKIE, PagePrincipal, check_csrf
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import Forbidden, Unauthorized
from app.core.inputs import CleanStr

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site: an open redirect would make phishing links look like ours."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/dash"
    return target


def _login_form(request: Request, target: str, error: bool = False) -> HTMLResponse:
    token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(24)
    response = dash_page(
        request,
        "login.html",
        None,
        status_code=401 if error else 200,
        login_csrf=token,
        next=target,
        error=error,
    )
    response.set_cookie(
        LOGIN_CSRF_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=get_settings().secure_cookies,
        path="/login",
    )
    return response


def set_session_cookie(response: Response, token: str) -> None:
    """The sign-in cookie: HTTP-only, SameSite=Lax, Secure over https, 12 hours."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=accounts.SESSION_HOURS * 3600,
        httponly=True,
        samesite="lax",
        secure=get_settings().secure_cookies,
        path="/",
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str | None = None) -> HTMLResponse:
    """The sign-in form."""
    return _login_form(request, _safe_next(next))


@router.post("/login")
def login(
    request: Request,
    session: SessionDep,
    login: Annotated[CleanStr, Form(max_length=120)],
    password: Annotated[CleanStr, Form(max_length=200)],
    csrf: Annotated[CleanStr, Form(max_length=100)] = "",
    next: Annotated[CleanStr, Form(max_length=500)] = "/dash",
) -> Response:
    """Check the password; on success a session cookie (HTTP-only, SameSite=Lax)."""
    expected = request.cookies.get(LOGIN_CSRF_COOKIE, "")
    if not expected or not hmac.compare_digest(expected, csrf):
        raise Forbidden.of("login_form_stale")
    try:
        account = accounts.sign_in(session, login, password)
    except Unauthorized:
        # Returned, not raised: the failed attempt's audit row must be committed.
        return _login_form(request, _safe_next(next), error=True)
    response = RedirectResponse(_safe_next(next), status_code=303)
    set_session_cookie(response, accounts.start_session(session, account))
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep, who: PagePrincipal) -> Response:
    """End the session everywhere it is used (the row is deleted)."""
    form = await request.form()
    sent = form.get("csrf")
    check_csrf(who, sent if isinstance(sent, str) else None)
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        accounts.end_session(session, token)
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
