"""The `sipas` command line: serve, migrate, import, create campaigns, load a demo."""

import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Any, NoReturn, cast

import typer
from rich.console import Console
from rich.progress import Progress

from app.catalog import Catalog, QuestionnaireError, get_catalog
from app.config import get_settings
from app.db import session_scope
from app.errors import AppError

cli = typer.Typer(
    help="SIPAS survey and satisfaction-index service.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)
units_cli = typer.Typer(help="Administrative units.", no_args_is_help=True)
counters_cli = typer.Typer(help="Service counters (QR/kiosk points).", no_args_is_help=True)
campaign_cli = typer.Typer(help="Survey campaigns.", no_args_is_help=True)
questionnaires_cli = typer.Typer(help="Questionnaire files.", no_args_is_help=True)
submissions_cli = typer.Typer(help="Responses (paper forms).", no_args_is_help=True)
kiosk_cli = typer.Typer(help="Kiosk tablets at counters.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(units_cli, name="units")
cli.add_typer(counters_cli, name="counters")
cli.add_typer(campaign_cli, name="campaign")
cli.add_typer(questionnaires_cli, name="questionnaires")
cli.add_typer(submissions_cli, name="submissions")
cli.add_typer(kiosk_cli, name="kiosk")
users_cli = typer.Typer(help="Coordinator accounts.", no_args_is_help=True)
keys_cli = typer.Typer(
    help="API keys: read-only for consumers, write-scoped for integrations that submit.",
    no_args_is_help=True,
)
cli.add_typer(users_cli, name="users")
cli.add_typer(keys_cli, name="keys")
err = Console(stderr=True)
out = Console()


def fail(exc: Exception) -> NoReturn:
    """Print an error the way a person can act on it, and exit 1 (no stack trace)."""
    if isinstance(exc, AppError):
        err.print(f"[bold red]error:[/] {exc.detail}", highlight=False)
        for f in exc.fields:
            err.print(f"  {f.loc}: {f.msg}", highlight=False)
    else:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
    raise typer.Exit(1)


def read_file(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        fail(ValueError(f"cannot read {path}: {exc.strerror}"))


@cli.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Serve the web app and API (uvicorn)."""
    import uvicorn

    try:
        get_catalog()
    except QuestionnaireError as exc:
        fail(exc)
    uvicorn.run("app.main:app", host=host, port=port, workers=workers, proxy_headers=True)


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from app import migrate

    migrate.upgrade(revision=revision)
    out.print(f"database at {revision}: {_safe_url()}", highlight=False)


@db_cli.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base or -1.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Revert migrations down to REVISION (drops data)."""
    from app import migrate

    if not yes:
        typer.confirm(f"Downgrade {_safe_url()} to {revision}? Data may be lost", abort=True)
    migrate.downgrade(revision)
    out.print(f"database at {revision}")


def _safe_url() -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = get_settings().database_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # the error being reported may be this very URL
        return repr(url)


@units_cli.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(help="CSV: code,name,kind,parent[,valid_from,valid_to]")],
) -> None:
    """Import units from a CSV file; nothing is imported if any row is wrong."""
    from app.services.units import import_units

    data = read_file(file)
    try:
        with session_scope() as session:
            result = import_units(session, data, file.name)
    except AppError as exc:
        fail(exc)
    out.print(f"{file.name}: {result.created} unit(s) created, {result.updated} updated")


@counters_cli.command("import")
def counters_import(file: Annotated[Path, typer.Argument(help="CSV: code,name,unit")]) -> None:
    """Import counters from a CSV file; nothing is imported if any row is wrong."""
    from app.services.units import import_counters

    data = read_file(file)
    try:
        with session_scope() as session:
            result = import_counters(session, data, file.name)
    except AppError as exc:
        fail(exc)
    out.print(f"{file.name}: {result.created} counter(s) created, {result.updated} updated")


@campaign_cli.command("create")
def campaign_create(
    code: Annotated[str, typer.Argument(help="Short code, e.g. SIPAS-2026.")],
    name: Annotated[str, typer.Option(help="Display name.")],
    starts: Annotated[str, typer.Option(help="First day, YYYY-MM-DD.")],
    ends: Annotated[str, typer.Option(help="Last day, YYYY-MM-DD.")],
    unit: Annotated[
        list[str], typer.Option(help="A unit in scope (repeat); its sub-units are included.")
    ],
    questionnaire: Annotated[str, typer.Option(help="Questionnaire slug.")] = "sipas-2017",
    version: Annotated[int, typer.Option(help="Questionnaire version.")] = 1,
    min_sample: Annotated[
        int, typer.Option(help="Minimum valid answers before a unit is ranked.")
    ] = 30,
    private: Annotated[bool, typer.Option("--private", help="Do not publish indices.")] = False,
    open_now: Annotated[
        bool, typer.Option("--open", help="Open it for submissions at once.")
    ] = False,
) -> None:
    """Create a campaign (draft unless --open)."""
    from app.models import CampaignStatus
    from app.services.campaigns import CampaignIn, create_campaign, set_status

    try:
        starts_on, ends_on = _date(starts, "--starts"), _date(ends, "--ends")
        with session_scope() as session:
            c = create_campaign(
                session,
                get_catalog(),
                CampaignIn(
                    code=code,
                    name=name,
                    starts_on=starts_on,
                    ends_on=ends_on,
                    questionnaire=questionnaire,
                    version=version,
                    units=unit,
                    min_sample=min_sample,
                    is_private=private,
                ),
            )
            if open_now:
                set_status(session, c, CampaignStatus.open)
            status = c.status
    except (AppError, QuestionnaireError, ValueError) as exc:
        fail(exc)
    out.print(f"campaign {code} created ({status})")


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{option}: {value!r} is not a date (YYYY-MM-DD)") from None


def _set_status(code: str, status: str) -> None:
    from app.models import CampaignStatus
    from app.services.campaigns import get_campaign, set_status

    try:
        with session_scope() as session:
            set_status(session, get_campaign(session, code), CampaignStatus(status))
    except AppError as exc:
        fail(exc)
    out.print(f"campaign {code} is {status}")


@campaign_cli.command("open")
def campaign_open(code: str) -> None:
    """Open a campaign for submissions."""
    _set_status(code, "open")


@campaign_cli.command("close")
def campaign_close(code: str) -> None:
    """Close a campaign: no more submissions are accepted."""
    _set_status(code, "closed")


@campaign_cli.command("list")
def campaign_list() -> None:
    """List campaigns with their status and submission counts."""
    from sqlalchemy import func, select

    from app.models import Campaign, Submission

    with session_scope() as session:
        rows = session.execute(
            select(
                Campaign.code,
                Campaign.name,
                Campaign.status,
                Campaign.starts_on,
                Campaign.ends_on,
                func.count(Submission.id),
            )
            .outerjoin(Submission, Submission.campaign_id == Campaign.id)
            .group_by(Campaign.id)
            .order_by(Campaign.code)
        ).all()
    for code, name, status, s, e, n in rows:
        out.print(f"{code:<20} {status:<7} {s} – {e}  {n:>9} submissions  {name}", highlight=False)


@submissions_cli.command("import")
def submissions_import(
    campaign: Annotated[str, typer.Argument(help="Campaign code.")],
    file: Annotated[
        Path, typer.Argument(help="CSV: form,date,unit|counter, one column per question code.")
    ],
) -> None:
    """Import typed-in paper forms; nothing is imported if any cell is wrong."""
    from app.services.paper import import_paper

    data = read_file(file)
    try:
        with session_scope() as session:
            result = import_paper(session, get_catalog(), campaign, data, file.name)
    except AppError as exc:
        fail(exc)
    out.print(f"{file.name}: {result.created} form(s) imported, {result.unchanged} already present")


@cli.command()
def report(
    campaign: Annotated[str, typer.Argument(help="Campaign code.")],
    level: Annotated[str | None, typer.Option(help="Unit kind to list, e.g. department.")] = None,
    parent: Annotated[str | None, typer.Option(help="List the units under this unit code.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.")
    ] = None,
    scoring: Annotated[str | None, typer.Option(help="top2box, mean20 or rescaled.")] = None,
) -> None:
    """Print a campaign's indices per unit (SIPAS, factors, n, rank), or write CSV/JSON."""
    from app.services import indices

    if output_format not in ("table", "csv", "json"):
        fail(ValueError(f"--format: {output_format!r} is not one of table, csv, json"))
    if scoring not in (None, "top2box", "mean20", "rescaled"):
        fail(ValueError(f"--scoring: {scoring!r} is not one of top2box, mean20, rescaled"))
    try:
        with session_scope() as session:
            result = indices.report(
                session,
                get_catalog(),
                campaign,
                level=level,
                parent=parent,
                scoring=cast(indices.Rule | None, scoring),
            )
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    if output_format == "table":
        text = _table(result.body)
    elif output_format == "csv":
        text = indices.to_csv(result.body)
    else:
        text = result.json().decode()
    if output is None:
        out.print(text, highlight=False, markup=False, soft_wrap=True)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")


def _table(body: dict[str, Any]) -> str:
    from rich.table import Table

    def pct(x: float | None) -> str:
        return "" if x is None else f"{x:.2f}"

    factor_codes = list(body["median"]["factors"])
    table = Table(title=f"{body['campaign']}: SIPAS ({body['scoring']}), {body['n']} responses")
    for col in ["Rank", "Unit", "Name", "n", "SIPAS", "95% CI", *factor_codes, "Flags"]:
        table.add_column(col, justify="right" if col not in ("Unit", "Name", "Flags") else "left")
    for e in sorted(body["units"], key=lambda e: (e["rank"] is None, e["rank"] or 0, e["unit"])):
        ci = e["sipas"]["ci"]
        table.add_row(
            str(e["rank"] or "–"),
            e["unit"],
            e["name"],
            str(e["n"]),
            pct(e["sipas"]["value"]),
            f"{ci[0]:.1f}–{ci[1]:.1f}" if ci else "",
            *(pct(e["factors"][c]["value"]) for c in factor_codes),
            ", ".join(e["flags"]),
        )
    med = body["median"]
    table.add_row(
        "",
        "median",
        "",
        "",
        pct(med["sipas"]),
        "",
        *(pct(med["factors"][c]) for c in factor_codes),
        "",
    )
    import io

    buffer = io.StringIO()
    Console(file=buffer, width=200).print(table)
    return buffer.getvalue()


@questionnaires_cli.command("check")
def questionnaires_check(
    directory: Annotated[
        Path | None, typer.Argument(help="Folder of <slug>/v<N>.yaml files.")
    ] = None,
) -> None:
    """Validate every questionnaire file and list the versions found."""
    try:
        catalog = Catalog.load(directory or get_settings().QUESTIONNAIRE_DIR)
    except QuestionnaireError as exc:
        fail(exc)
    for q in catalog:
        out.print(
            f"{q.slug} v{q.version}: {len(q.criteria)} criteria in {len(q.factors)} factors, "
            f"{len(q.questions)} questions ({', '.join(q.languages)}) ok",
            highlight=False,
        )


@cli.command()
def demo(
    submissions: Annotated[int, typer.Option(min=0, help="Synthetic submissions to add.")] = 5000,
    seed: Annotated[int, typer.Option(help="Same seed, same rows: a rerun adds nothing.")] = 1,
) -> None:
    """Load a demo province, counters, an open campaign and synthetic submissions."""
    from app.services.demo import build_tree, load_submissions

    try:
        catalog = get_catalog()
        with session_scope() as session:
            campaign, pairs = build_tree(session, catalog)
        with session_scope() as session, Progress(console=err, transient=True) as bar:
            task = bar.add_task("submissions", total=submissions)
            campaign = session.merge(campaign)
            inserted = load_submissions(
                session,
                catalog,
                campaign,
                pairs,
                submissions,
                seed,
                progress=lambda k: bar.advance(task, k),
            )
    except (AppError, QuestionnaireError) as exc:
        fail(exc)
    out.print(f"campaign: {campaign.code} (open)")
    out.print(f"{inserted} new submission(s); {submissions - inserted} already present")
    out.print("counters: " + ", ".join(c.code for _, c in pairs[:4]) + f" … ({len(pairs)} in all)")


def _public_url(base_url: str | None) -> str:
    from app.config import get_settings

    return (base_url or get_settings().PUBLIC_URL).rstrip("/")


def _kiosk(counter: str, on: bool) -> None:
    from app.services.kiosks import set_kiosk

    try:
        with session_scope() as session:
            set_kiosk(session, counter, on)
    except AppError as exc:
        fail(exc)
    out.print(f"counter {counter}: kiosk mode {'on' if on else 'off'}")


@kiosk_cli.command("on")
def kiosk_on(counter: str) -> None:
    """Run a counter's questionnaire in kiosk mode for every device that opens it."""
    _kiosk(counter, True)


@kiosk_cli.command("off")
def kiosk_off(counter: str) -> None:
    """Back to the phone layout (enrolled tablets stay in kiosk mode)."""
    _kiosk(counter, False)


@kiosk_cli.command("enrol")
def kiosk_enrol(
    counter: str,
    label: Annotated[str, typer.Option(help="Which tablet, e.g. 'Tablet 1, hall A'.")],
    base_url: Annotated[str | None, typer.Option(help="Default: PUBLIC_URL.")] = None,
) -> None:
    """Enrol a tablet at a counter: open the printed link once on the tablet."""
    from app.services.kiosks import enrol

    try:
        with session_scope() as session:
            done = enrol(session, counter, label)
            device_id = done.device.id
    except AppError as exc:
        fail(exc)
    out.print(f"kiosk device {device_id} ({label}) at counter {done.counter_code}")
    out.print("open this link once on the tablet (it is shown only now):")
    print(f"{_public_url(base_url)}/kiosk/enrol?token={done.token}")


@kiosk_cli.command("list")
def kiosk_list() -> None:
    """Enrolled tablets and whether they are still active."""
    from app.services.kiosks import list_devices

    with session_scope() as session:
        for device, counter in list_devices(session):
            state = f"revoked {device.revoked_at:%Y-%m-%d}" if device.revoked_at else "active"
            out.print(f"{device.id}\t{counter}\t{device.label}\t{state}", highlight=False)


@kiosk_cli.command("revoke")
def kiosk_revoke(device: int) -> None:
    """Take a lost or replaced tablet out of kiosk mode."""
    from app.services.kiosks import revoke

    try:
        with session_scope() as session:
            revoke(session, device)
    except AppError as exc:
        fail(exc)
    out.print(f"kiosk device {device} revoked")


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
    from app.services import accounts

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


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from stdin (scripts).")
]


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
    role: Annotated[str, typer.Option(help="admin, coordinator or viewer.")] = "coordinator",
    unit: Annotated[str | None, typer.Option(help="Limit to this unit's subtree.")] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create an account (admins can also do this on /dash/users)."""
    _create_user(login, name, role, unit, password_stdin, "account.create")


@users_cli.command("list")
def users_list() -> None:
    """Accounts with their role and area."""
    from app.models import Unit
    from app.services import accounts

    with session_scope() as session:
        for a in accounts.list_accounts(session):
            unit = session.get(Unit, a.unit_id).code if a.unit_id else "*"  # type: ignore[union-attr]
            state = "disabled" if a.disabled_at else "active"
            out.print(f"{a.login}\t{a.role}\t{unit}\t{state}\t{a.name}", highlight=False)


@users_cli.command("set-password")
def users_set_password(login: str, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for an account (e.g. a forgotten one); signs it out everywhere."""
    from app.services import accounts

    password = _password(password_stdin)
    try:
        with session_scope() as session:
            account = accounts.reset_password(session, login, password)
            accounts.audit(session, "cli", "account.password_reset", account.login)
    except AppError as exc:
        fail(exc)
    out.print(f"password of {login.strip().lower()} changed", highlight=False)


def _disable(login: str, disabled: bool) -> None:
    from app.services import accounts

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
    from app.services import accounts

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
    from app.services import accounts

    with session_scope() as session:
        for k in accounts.list_api_keys(session):
            state = f"revoked {k.revoked_at:%Y-%m-%d}" if k.revoked_at else "active"
            used = f"{k.last_used_at:%Y-%m-%d %H:%M}" if k.last_used_at else "never used"
            line = f"{k.id}\t{k.prefix}…\t{k.scope}\t{k.label}\t{state}\t{used}"
            out.print(line, highlight=False)


@keys_cli.command("revoke")
def keys_revoke(key: int) -> None:
    """Stop a key from working, at once."""
    from app.services import accounts

    try:
        with session_scope() as session:
            k = accounts.revoke_api_key(session, key)
            accounts.audit(session, "cli", "api_key.revoke", f"key:{k.prefix}")
    except AppError as exc:
        fail(exc)
    out.print(f"API key {key} revoked")


@cli.command()
def qr(
    campaign: Annotated[str, typer.Argument(help="Print sheets for this campaign's counters.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="PDF file, or a folder for svg/png.")
    ],
    fmt: Annotated[str, typer.Option("--format", help="pdf (one page each), svg or png.")] = "pdf",
    counter: Annotated[list[str] | None, typer.Option(help="Only these counters.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Default: PUBLIC_URL.")] = None,
) -> None:
    """Printable QR sheets (A5): QR code, short link and a line of instructions."""
    from app.config import get_settings
    from app.services import sheets

    if fmt not in ("pdf", "svg", "png"):
        fail(ValueError(f"--format must be pdf, svg or png, not {fmt!r}"))
    try:
        with session_scope() as session:
            found = sheets.campaign_sheets(session, campaign, _public_url(base_url))
        if counter:
            unknown = sorted(set(counter) - {s.counter for s in found})
            if unknown:
                fail(ValueError(f"not counters of {campaign}: {', '.join(unknown)}"))
            found = [s for s in found if s.counter in counter]
        font = get_settings().SHEET_FONT
        if fmt == "pdf":
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_bytes(sheets.pdf(found, font))
            out.print(f"{output}: {len(found)} sheet(s)")
            return
        output.mkdir(parents=True, exist_ok=True)
        for sheet in found:
            path = output / f"sipas-{sheet.counter}.{fmt}"
            if fmt == "svg":
                path.write_text(sheets.svg(sheet), encoding="utf-8")
            else:
                path.write_bytes(sheets.png(sheet, font))
        out.print(f"{output}: {len(found)} {fmt} sheet(s)")
    except AppError as exc:
        fail(exc)
    except OSError as exc:
        fail(ValueError(f"cannot write {output}: {exc.strerror}"))


def main() -> None:
    """Run the CLI; failures are one clear line (SIPAS_DEBUG=1 shows the traceback)."""
    import os

    from sqlalchemy.exc import SQLAlchemyError

    try:
        cli()
    except QuestionnaireError as exc:
        err.print(f"[bold red]error:[/] {exc}", highlight=False)
        sys.exit(1)
    except SQLAlchemyError as exc:
        if os.environ.get("SIPAS_DEBUG"):
            raise
        reason = " ".join(str(getattr(exc, "orig", exc)).split())
        err.print(
            f"[bold red]error:[/] the database at {_safe_url()} failed: {reason}", highlight=False
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
