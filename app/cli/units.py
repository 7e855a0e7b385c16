"""`sipas units` and `sipas counters`: the unit tree's CSV imports."""

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, out, read_file
from app.core.db import session_scope
from app.core.errors import AppError

units_cli = typer.Typer(help="Administrative units.", no_args_is_help=True)


counters_cli = typer.Typer(help="Service counters (QR/kiosk points).", no_args_is_help=True)


@units_cli.command("import")
def units_import(
    file: Annotated[Path, typer.Argument(help="CSV: code,name,kind,parent[,valid_from,valid_to]")],
) -> None:
    """Import units from a CSV file; nothing is imported if any row is wrong."""
    from app.units.service import import_units

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
    from app.units.service import import_counters

    data = read_file(file)
    try:
        with session_scope() as session:
            result = import_counters(session, data, file.name)
    except AppError as exc:
        fail(exc)
    out.print(f"{file.name}: {result.created} counter(s) created, {result.updated} updated")
