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


@counters_cli.command("list")
def counters_list(
    unit: Annotated[str | None, typer.Option(help="Only counters under this unit.")] = None,
    base_url: Annotated[str | None, typer.Option(help="Default: PUBLIC_URL.")] = None,
) -> None:
    """Every counter with its unit and the survey link its QR code opens."""
    from sqlalchemy import select

    from app.cli.common import _public_url
    from app.counts.models import UnitAncestor
    from app.units.models import Counter, Unit
    from app.units.service import get_unit

    url = _public_url(base_url)
    try:
        with session_scope() as session:
            stmt = select(Counter.code, Unit.code, Counter.name).join(
                Unit, Unit.id == Counter.unit_id
            )
            if unit is not None:
                root = get_unit(session, unit)
                stmt = stmt.join(UnitAncestor, UnitAncestor.unit_id == Unit.id).where(
                    UnitAncestor.ancestor_id == root.id
                )
            rows = session.execute(stmt.order_by(Counter.code)).tuples().all()
    except AppError as exc:
        fail(exc)
    for code, unit_code, name in rows:
        print(f"{code}\t{unit_code}\t{name}\t{url}/s/{code}")  # tab-separated, for scripts
    out.print(f"{len(rows)} counter(s)", highlight=False)
