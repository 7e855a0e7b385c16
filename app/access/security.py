"""Who is asking: FastAPI dependencies for sign-in sessions, API keys and CSRF.

Pages use the session cookie; API consumers send `Authorization: Bearer <key>`.
A cookie-authenticated write needs the session's CSRF token, in the form field
`csrf` (pages) or the `X-CSRF-Token` header (scripts on our pages). Keys never
write: they are read-only by design.
"""

import hmac
from typing import Annotated

from fastapi import Depends, Request

from app.access import service as accounts
from app.access.service import Principal
from app.core.db import SessionDep
from app.core.errors import AppError, Forbidden, Unauthorized
from app.core.inputs import check_form

SESSION_COOKIE = "sipas_session"
LOGIN_CSRF_COOKIE = "sipas_login_csrf"
# A targets form has a field per unit, and a province has over a thousand of them.
DASH_MAX_FIELDS = 5000


class SignInRequired(AppError):
    """A page needs a signed-in coordinator; the page handler turns this into a redirect."""

    status_code = 401
    kind = "sign_in_required"


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def any_principal(request: Request, session: SessionDep) -> Principal | None:
    """The key's or the session's principal; a key that is wrong is an error, not anonymity."""
    key = bearer_token(request)
    if key is not None:
        who = accounts.principal_for_key(session, key)
        if who is None:
            raise Unauthorized.of("api_key_unknown")
        return who
    token = request.cookies.get(SESSION_COOKIE)
    return accounts.principal_for_session(session, token) if token else None


AnyPrincipal = Annotated[Principal | None, Depends(any_principal)]


def optional_principal(who: AnyPrincipal) -> Principal | None:
    """As `any_principal`, but an interviewer reads what the public reads (published
    editions only): their sign-in is for filling forms, not for internal results."""
    return None if who is not None and who.is_interviewer else who


OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]


def api_principal(who: AnyPrincipal) -> Principal:
    if who is None:
        raise Unauthorized.of("sign_in_or_key")
    _not_interviewer(who)
    return who


def _not_interviewer(who: Principal) -> None:
    """An interviewer's sign-in opens the interview pages only: no report, no review."""
    if who.is_interviewer:
        raise Forbidden.of("interviewer_forms_only")


def api_manager(request: Request, who: Annotated[Principal, Depends(api_principal)]) -> Principal:
    """A coordinator or admin writing through the API (session cookie plus CSRF header)."""
    if who.account_id is None:
        raise Forbidden.of("api_keys_read_only")
    if not who.can_manage:
        raise Forbidden.of("role_cannot_change", role=who.role)
    check_csrf(who, request.headers.get("x-csrf-token"))
    return who


def page_principal(who: AnyPrincipal) -> Principal:
    if who is None or who.account_id is None:
        raise SignInRequired.of("sign_in_page")
    _not_interviewer(who)
    return who


def signed_principal(who: AnyPrincipal) -> Principal:
    """Any signed-in account, an interviewer's too (to sign out)."""
    if who is None or who.account_id is None:
        raise SignInRequired.of("sign_in_page")
    return who


def check_csrf(who: Principal, sent: str | None) -> None:
    if not sent or not who.csrf_token or not hmac.compare_digest(sent, who.csrf_token):
        raise Forbidden.of("form_stale")


async def page_manager(
    request: Request, who: Annotated[Principal, Depends(page_principal)]
) -> Principal:
    """A coordinator or admin posting a form on our pages, with its CSRF token."""
    await page_signed(request, who)
    if not who.can_manage:
        raise Forbidden.of("role_read_only", role=who.role)
    return who


async def page_signed(
    request: Request, who: Annotated[Principal, Depends(page_principal)]
) -> Principal:
    """Any signed-in account posting a form about itself, with its CSRF token."""
    form = await request.form(max_files=1, max_fields=DASH_MAX_FIELDS)
    sent = form.get("csrf")
    check_csrf(who, sent if isinstance(sent, str) else None)
    # Every dashboard form passes here first: no route can forget the text check.
    check_form(
        [
            (name, value if isinstance(value, str) else (value.filename or ""))
            for name, value in form.multi_items()
        ]
    )
    return who


async def page_admin(
    request: Request, who: Annotated[Principal, Depends(page_manager)]
) -> Principal:
    if not who.is_admin:
        raise Forbidden.of("admin_only")
    return who


ApiPrincipal = Annotated[Principal, Depends(api_principal)]
ApiManager = Annotated[Principal, Depends(api_manager)]
PagePrincipal = Annotated[Principal, Depends(page_principal)]
SignedPrincipal = Annotated[Principal, Depends(signed_principal)]
PageManager = Annotated[Principal, Depends(page_manager)]
PageAdmin = Annotated[Principal, Depends(page_admin)]
PageSigned = Annotated[Principal, Depends(page_signed)]
