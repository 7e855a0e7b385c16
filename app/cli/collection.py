"""`sipas submissions`, `sipas kiosk` and `sipas qr`: paper forms, kiosk tablets, QR sheets."""

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import _public_url, fail, out, read_file
from app.core.clock import VIETNAM
from app.core.db import session_scope
from app.core.errors import AppError
from app.questionnaires.catalog import get_catalog

submissions_cli = typer.Typer(help="Responses (paper forms).", no_args_is_help=True)


kiosk_cli = typer.Typer(help="Kiosk tablets at counters.", no_args_is_help=True)


@submissions_cli.command("import")
def submissions_import(
    campaign: Annotated[str, typer.Argument(help="Campaign code.")],
    file: Annotated[
        Path, typer.Argument(help="CSV: form,date,unit|counter, one column per question code.")
    ],
) -> None:
    """Import typed-in paper forms; nothing is imported if any cell is wrong."""
    from app.collection.paper import import_paper

    data = read_file(file)
    try:
        with session_scope() as session:
            result = import_paper(session, get_catalog(), campaign, data, file.name)
    except AppError as exc:
        fail(exc)
    out.print(f"{file.name}: {result.created} form(s) imported, {result.unchanged} already present")


def _kiosk(counter: str, on: bool) -> None:
    from app.collection.kiosks import set_kiosk

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
    from app.collection.kiosks import enrol

    try:
        with session_scope() as session:
            done = enrol(session, counter, label)
            device_id = done.device.id
    except AppError as exc:
        fail(exc)
    out.print(f"kiosk device {device_id} ({label}) at counter {done.counter_code}")
    out.print(
        "open this link once on the tablet, before "
        f"{done.expires_at.astimezone(VIETNAM):%H:%M} (it is shown only now and works once):"
    )
    print(f"{_public_url(base_url)}/kiosk/enrol?token={done.token}")


@kiosk_cli.command("list")
def kiosk_list() -> None:
    """Enrolled tablets and whether they are still active."""
    from app.collection.kiosks import list_devices

    with session_scope() as session:
        for device, counter in list_devices(session):
            if device.revoked_at:
                state = f"revoked {device.revoked_at:%Y-%m-%d}"
            elif device.enrolled_at is None:
                state = "link not opened yet"
            else:
                state = "active"
            out.print(f"{device.id}\t{counter}\t{device.label}\t{state}", highlight=False)


@kiosk_cli.command("rename")
def kiosk_rename(device: int, label: str) -> None:
    """Give a tablet another label."""
    from app.collection.kiosks import rename

    try:
        with session_scope() as session:
            rename(session, device, label)
    except AppError as exc:
        fail(exc)
    out.print(f"kiosk device {device} is now {label!r}")


@kiosk_cli.command("revoke")
def kiosk_revoke(device: int) -> None:
    """Take a lost or replaced tablet out of kiosk mode."""
    from app.collection.kiosks import revoke

    try:
        with session_scope() as session:
            revoke(session, device)
    except AppError as exc:
        fail(exc)
    out.print(f"kiosk device {device} revoked")


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
    from app.collection import sheets
    from app.core.config import get_settings

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
