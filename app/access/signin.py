"""Signing in and out of the coordinator's pages."""

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from app.access import service as accounts
from app.access.dash_render import dash_page
from app.access.security import (
    LOGIN_CSRF_COOKIE,
    SESSION_COOKIE,
    SignedPrincipal,
    check_csrf,
)
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import Forbidden, Invalid, Unauthorized
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


def set_session_cookie(response: Response, token: str, hours: int = accounts.SESSION_HOURS) -> None:
    """The sign-in cookie: HTTP-only, SameSite=Lax, Secure over https, 12 hours (an
    interviewer's: the field day)."""
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=hours * 3600,
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
    target = _safe_next(next)
    if account.role == "interviewer" and not target.startswith("/s/"):
        target = "/s/interview"  # the dashboard is not theirs; their villages are
    response = RedirectResponse(target, status_code=303)
    hours = accounts.session_hours(account.role)
    set_session_cookie(response, accounts.start_session(session, account), hours)
    response.delete_cookie(LOGIN_CSRF_COOKIE, path="/login")
    return response


@router.post("/logout")
async def logout(request: Request, session: SessionDep, who: SignedPrincipal) -> Response:
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


def _reset_form(
    request: Request, token: str, login: str | None, status: int = 200, problem: str = ""
) -> HTMLResponse:
    return dash_page(
        request,
        "reset.html",
        None,
        status_code=status if login else 410,
        token=token,
        login=login,
        problem=problem,
    )


RESET_COOKIE = "sipas_reset"


# The link's token arrives in the query string, which the access log never writes
# (app/core/accesslog.py); it is moved at once into a cookie for this path, so it
# leaves the address bar and the history, and the page's language switch (`?lang=`)
# keeps it. The page sends no Referer (PAGE_HEADERS).
@router.get("/login/reset", response_class=HTMLResponse)
def reset_page(
    request: Request, session: SessionDep, token: Annotated[str, Query(max_length=100)] = ""
) -> Response:
    """A one-time link from an admin: choose a new password (or hear that it has gone)."""
    if token:
        moved = RedirectResponse("/login/reset", status_code=303)
        moved.set_cookie(
            RESET_COOKIE,
            token,
            max_age=3600,
            httponly=True,
            samesite="lax",
            secure=get_settings().secure_cookies,
            path="/login/reset",
        )
        return moved
    kept = request.cookies.get(RESET_COOKIE, "")[:100]
    account = accounts.reset_account(session, kept) if kept else None
    return _reset_form(request, kept, account.login if account else None)


@router.post("/login/reset", response_class=HTMLResponse)
def reset_password(
    request: Request,
    session: SessionDep,
    token: Annotated[str, Form(max_length=100)] = "",
    new: Annotated[str, Form(max_length=200)] = "",
    repeat: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """Set the new password; the link stops working and this browser is signed in."""
    token = token or request.cookies.get(RESET_COOKIE, "")[:100]
    account = accounts.reset_account(session, token) if token else None
    if account is None:
        return _reset_form(request, token, None)
    if new != repeat:
        return _reset_form(request, token, account.login, 422, "pw_mismatch")
    try:
        done = accounts.use_reset_link(session, token, new)
    except Invalid:
        return _reset_form(request, token, account.login, 422, "pw_too_short")
    if done is None:
        return _reset_form(request, token, None)
    response = RedirectResponse("/dash", status_code=303)
    set_session_cookie(response, accounts.start_session(session, done))
    response.delete_cookie(RESET_COOKIE, path="/login/reset")
    return response
