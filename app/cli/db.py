"""`sipas db`: the database schema."""

from typing import Annotated

import typer

from app.cli.common import out
from app.core.config import get_settings

db_cli = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(help="Target revision.")] = "head") -> None:
    """Apply migrations up to REVISION (default: the latest)."""
    from app.core import migrate

    migrate.upgrade(revision=revision)
    out.print(f"database at {revision}: {_safe_url()}", highlight=False)


@db_cli.command("downgrade")
def db_downgrade(
    revision: Annotated[str, typer.Argument(help="Target revision, e.g. base or -1.")],
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Revert migrations down to REVISION (drops data)."""
    from app.core import migrate

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
