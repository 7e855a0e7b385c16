"""`sipas users` and `sipas keys`: coordinator accounts and API keys."""

import sys
from typing import Annotated, cast

import typer

from app.cli.common import PasswordStdin, fail, out
from app.core.db import session_scope
from app.core.errors import AppError

users_cli = typer.Typer(help="Coordinator accounts.", no_args_is_help=True)


keys_cli = typer.Typer(
    help="API keys: read-only for consumers, write-scoped for integrations that submit.",
    no_args_is_help=True,
)


def _password(password_stdin: bool) -> str:
    """Read a password without echo (twice), or one line from stdin for scripts."""
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = typer.prompt("password", hide_input=True)
    if typer.prompt("again", hide_input=True) != first:
        fail(ValueError("the two passwords differ"))
    return cast(str, first)


def _create_user(
    login: str, name: str, role: str, unit: str | None, password_stdin: bool, action: str
) -> None:
    from app.access import service as accounts

    password = _password(password_stdin)
    try:
        with session_scope() as session:
            account = accounts.create_account(session, login, name, password, role, unit)
            accounts.audit(
                session, "cli", action, account.login, {"role": role, "unit": unit or "*"}
            )
            login = account.login
    except AppError as exc:
        fail(exc)
    where = f"units under {unit}" if unit else "every unit"
    out.print(f"{role} {login} created ({where}); sign in at /login", highlight=False)


@users_cli.command("create-admin")
def users_create_admin(
    login: Annotated[str, typer.Option(help="Sign-in name, e.g. an e-mail address.")],
    name: Annotated[str, typer.Option(help="Full name, shown in the audit log.")] = "Admin",
    unit: Annotated[str | None, typer.Option(help="Limit to this unit's subtree.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create the first admin (asks for a password of at least 10 characters)."""
    _create_user(login, name, "admin", unit, password_stdin, "account.create_admin")


@users_cli.command("create")
def users_create(
    login: Annotated[str, typer.Option(help="Sign-in name, e.g. an e-mail address.")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[
        str, typer.Option(help="admin, coordinator, viewer or interviewer.")
    ] = "coordinator",
    unit: Annotated[str | None, typer.Option(help="Limit to this unit's subtree.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account (admins can also do this on /dash/users)."""
    _create_user(login, name, role, unit, password_stdin, "account.create")


@users_cli.command("list")
def users_list() -> None:
    """Accounts with their role and area."""
    from app.access import service as accounts
    from app.units.models import Unit

    with session_scope() as session:
        for a in accounts.list_accounts(session):
            unit = session.get(Unit, a.unit_id).code if a.unit_id else "*"  # type: ignore[union-attr]
            state = "disabled" if a.disabled_at else "active"
            out.print(f"{a.login}\t{a.role}\t{unit}\t{state}\t{a.name}", highlight=False)


@users_cli.command("set-password")
def users_set_password(login: str, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for an account (e.g. a forgotten one); signs it out everywhere."""
    from app.access import service as accounts

    password = _password(password_stdin)
    try:
        with session_scope() as session:
            account = accounts.reset_password(session, login, password)
            accounts.audit(session, "cli", "account.password_reset", account.login)
    except AppError as exc:
        fail(exc)
    out.print(f"password of {login.strip().lower()} changed", highlight=False)


def _disable(login: str, disabled: bool) -> None:
    from app.access import service as accounts

    try:
        with session_scope() as session:
            account = accounts.get_account(session, login)
            accounts.set_disabled(session, account.id, disabled)
            action = "account.disable" if disabled else "account.enable"
            accounts.audit(session, "cli", action, account.login)
    except AppError as exc:
        fail(exc)
    out.print(f"{login.strip().lower()} {'disabled' if disabled else 'enabled'}", highlight=False)


@users_cli.command("disable")
def users_disable(login: str) -> None:
    """Stop an account from signing in; its sessions end at once."""
    _disable(login, True)


@users_cli.command("enable")
def users_enable(login: str) -> None:
    """Let a disabled account sign in again."""
    _disable(login, False)


@keys_cli.command("create")
def keys_create(
    label: Annotated[str, typer.Option(help="Who uses it, e.g. 'PAR INDEX team'.")],
    unit: Annotated[str | None, typer.Option(help="Limit to this unit's subtree.")] = None,
    scope: Annotated[
        str, typer.Option(help="read (indices, campaigns) or write (submit responses only).")
    ] = "read",
) -> None:
    """An API key; it is printed once and stored only as a hash."""
    from app.access import service as accounts

    try:
        with session_scope() as session:
            key, secret = accounts.create_api_key(session, label, unit, scope)
            accounts.audit(
                session,
                "cli",
                "api_key.create",
                f"key:{key.prefix}",
                {"label": label, "scope": scope},
            )
            key_id = key.id
    except AppError as exc:
        fail(exc)
    out.print(f"{scope} API key {key_id} ({label}); send it as 'Authorization: Bearer <key>':")
    print(secret)


@keys_cli.command("list")
def keys_list() -> None:
    """API keys (never the keys themselves), with last use."""
    from app.access import service as accounts

    with session_scope() as session:
        for k in accounts.list_api_keys(session):
            state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
            used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never used"
            line = f"{k.id}\t{k.prefix}…\t{k.scope}\t{k.label}\t{state}\t{used}"
            out.print(line, highlight=False)


@keys_cli.command("revoke")
def keys_revoke(key: int) -> None:
    """Stop a key from working, at once."""
    from app.access import service as accounts

    try:
        with session_scope() as session:
            k = accounts.revoke_api_key(session, key)
            accounts.audit(session, "cli", "api_key.revoke", f"key:{k.prefix}")
    except AppError as exc:
        fail(exc)
    out.print(f"API key {key} revoked")
