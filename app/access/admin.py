"""Admin pages: accounts, API keys and the audit log."""

from collections.abc import Sequence
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.access import service as accounts
from app.access.dash_render import dash_form, dash_page, field
from app.access.models import Account, ApiKey
from app.access.security import PageAdmin, PageManager, PagePrincipal, PageSigned
from app.access.service import Principal
from app.access.signin import set_session_cookie
from app.core.clock import VIETNAM
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import FieldError, Forbidden, Invalid
from app.units import service as units
from app.units.models import Unit

router = APIRouter(include_in_schema=False)
FormDep = Depends(dash_form)


def base_url(request: Request) -> str:
    """PUBLIC_URL when it is set, else the address this request came in on."""
    settings = get_settings()
    return (
        settings.PUBLIC_URL if "PUBLIC_URL" in settings.model_fields_set else str(request.base_url)
    )


def _admin(who: Principal) -> None:
    if not who.is_admin:
        raise Forbidden.of("admin_only_page")


def _unit_code(session: SessionDep, unit_id: int | None) -> str | None:
    unit = session.get(Unit, unit_id) if unit_id else None
    return unit.code if unit else None


def _area(session: SessionDep, who: Principal, code: str) -> str | None:
    """The chosen area, which must lie inside the admin's own."""
    if not code:
        if who.unit_id is not None:
            raise Invalid.of("choose_area", [FieldError.of("unit", "area_required")])
        return None
    unit = units.find_unit(session, code)
    if unit is None:
        raise Invalid.of("unit_unknown", [FieldError.of("unit", "unknown_unit")], code=code)
    if not accounts.in_scope(session, who, unit.id):
        raise Forbidden.of("unit_outside_area", code=code)
    return code


def _password(form: FormData, name: str = "password") -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _listing(
    request: Request,
    session: SessionDep,
    who: Principal,
    template: str,
    items: Sequence[Account | ApiKey],
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    """Accounts or keys in the admin's area, each with its unit's code, and the units
    the admin may give to a new one."""
    visible = accounts.subtree_ids(session, who)
    rows = [
        (item, _unit_code(session, item.unit_id))
        for item in items
        if visible is None or (item.unit_id is not None and item.unit_id in visible)
    ]
    return dash_page(
        request,
        template,
        who,
        status,
        rows=rows,
        units=units.units_in(session, who.unit_id),
        **extra,
    )


def _users(
    request: Request, session: SessionDep, who: Principal, status: int = 200, **extra: object
) -> HTMLResponse:
    items = accounts.list_accounts(session)
    return _listing(request, session, who, "users.html", items, status, **extra)


@router.get("/dash/users", response_class=HTMLResponse)
def users_page(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """Accounts in the admin's area, and a form for a new one (a coordinator's:
    interviewers only)."""
    if not who.can_manage:
        raise Forbidden.of("admin_only_page")
    return _users(request, session, who, saved=request.query_params.get("saved") == "1")


@router.post("/dash/users", response_class=HTMLResponse)
def create_user(
    request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Create an account (audited); a coordinator creates interviewers in their area."""
    try:
        area = _area(session, who, field(form, "unit"))
        role = field(form, "role")
        if not who.is_admin and role != "interviewer":
            raise Forbidden.of("coordinator_interviewers_only")
        account = accounts.create_account(
            session,
            field(form, "login"),
            field(form, "name"),
            _password(form),
            role,
            area,
        )
    except Invalid as exc:
        return _users(request, session, who, 422, problems=exc)
    accounts.audit(
        session, who.actor, "account.create", account.login, {"role": role, "unit": area or "*"}
    )
    return RedirectResponse("/dash/users?saved=1", status_code=303)


def _keys(
    request: Request, session: SessionDep, who: Principal, status: int = 200, **extra: object
) -> HTMLResponse:
    items = accounts.list_api_keys(session)
    return _listing(request, session, who, "keys.html", items, status, **extra)


@router.get("/dash/keys", response_class=HTMLResponse)
def keys_page(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """Read-only API keys for consumers."""
    _admin(who)
    return _keys(request, session, who)


@router.post("/dash/keys", response_class=HTMLResponse)
def create_key(
    request: Request, session: SessionDep, who: PageAdmin, form: FormData = FormDep
) -> Response:
    """Create a key and show it once (this response is not cached: no-store)."""
    try:
        area = _area(session, who, field(form, "unit"))
        key, secret = accounts.create_api_key(session, field(form, "label"), area)
    except Invalid as exc:
        return _keys(request, session, who, 422, problems=exc)
    accounts.audit(session, who.actor, "api_key.create", f"key:{key.prefix}", {"label": key.label})
    return _keys(request, session, who, 201, secret=secret)


@router.post("/dash/keys/{key_id}/revoke")
def revoke_key(key_id: int, session: SessionDep, who: PageAdmin) -> Response:
    """Revoke a key at once (audited)."""
    key = session.get(ApiKey, key_id)
    if key is not None and who.unit_id is not None:
        if key.unit_id is None or not accounts.in_scope(session, who, key.unit_id):
            raise Forbidden.of("key_outside")
    key = accounts.revoke_api_key(session, key_id)
    accounts.audit(session, who.actor, "api_key.revoke", f"key:{key.prefix}")
    return RedirectResponse("/dash/keys", status_code=303)


@router.get("/dash/audit", response_class=HTMLResponse)
def audit_page(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """The latest 200 coordinator actions."""
    _admin(who)
    return dash_page(request, "audit.html", who, events=accounts.audit_log(session), vn=VIETNAM)


@router.post("/dash/users/{account_id}/disable")
def disable_user(
    account_id: int, session: SessionDep, who: PageAdmin, form: FormData = FormDep
) -> Response:
    """Disable (or, with `enable=1`, re-enable) an account in the admin's area."""
    target = session.get(Account, account_id)
    if target is None or (
        who.unit_id is not None
        and (target.unit_id is None or not accounts.in_scope(session, who, target.unit_id))
    ):
        raise Forbidden.of("account_outside")
    if target.id == who.account_id:
        raise Forbidden.of("not_yourself")
    enable = field(form, "enable") == "1"
    accounts.set_disabled(session, account_id, not enable)
    accounts.audit(
        session, who.actor, "account.enable" if enable else "account.disable", target.login
    )
    return RedirectResponse("/dash/users?saved=1", status_code=303)


@router.post("/dash/users/{account_id}/reset", response_class=HTMLResponse)
def reset_user_password(
    account_id: int, request: Request, session: SessionDep, who: PageAdmin
) -> Response:
    """A one-time link for a new password, shown once (audited); the account's old
    password and sessions end at once."""
    link = accounts.make_reset_link(session, who, account_id)
    target = session.get(Account, account_id)
    assert target is not None
    url = f"{base_url(request).rstrip('/')}/login/reset?{urlencode({'token': link.token})}"
    return _users(
        request,
        session,
        who,
        201,
        reset_url=url,
        reset_login=target.login,
        reset_until=link.expires_at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M"),
    )


@router.get("/dash/account", response_class=HTMLResponse)
def account_page(request: Request, who: PagePrincipal) -> HTMLResponse:
    """One's own account: change the password."""
    return dash_page(request, "account.html", who, saved=request.query_params.get("saved") == "1")


@router.post("/dash/account/password", response_class=HTMLResponse)
def change_password(
    request: Request, session: SessionDep, who: PageSigned, form: FormData = FormDep
) -> Response:
    """Change one's password; other browsers signed in as this account are signed out."""
    assert who.account_id is not None  # page principals are accounts
    try:
        if _password(form, "new") != _password(form, "repeat"):
            raise Invalid.of(
                "passwords_differ", [FieldError.of("repeat", "not_the_same", "mismatch")]
            )
        accounts.change_password(
            session, who.account_id, _password(form, "current"), _password(form, "new")
        )
    except Invalid as exc:
        return dash_page(request, "account.html", who, 422, problems=exc)
    accounts.audit(session, who.actor, "account.password", who.actor)
    account = session.get(Account, who.account_id)
    assert account is not None
    response = RedirectResponse("/dash/account?saved=1", status_code=303)
    set_session_cookie(response, accounts.start_session(session, account))
    return response
