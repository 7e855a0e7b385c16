"""`sipas db`: the database schema."""

from pathlib import Path
from typing import Annotated

import typer

from app.cli.common import fail, out
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


@db_cli.command("backup")
def db_backup(
    file: Annotated[Path, typer.Argument(help="The backup file to write.")],
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace FILE if it exists.")
    ] = False,
) -> None:
    """Write a consistent backup of the database (pg_dump custom format, or a SQLite copy)
    while the service keeps running."""
    from app.core import backup

    try:
        done = backup.backup(get_settings().database_url, file, overwrite=overwrite)
    except backup.BackupError as exc:
        fail(exc)
    out.print(
        f"backed up {_safe_url()} to {done.path} ({done.bytes:,} bytes, "
        f"{done.responses or 0:,} responses, schema {done.revision})",
        highlight=False,
    )


@db_cli.command("restore")
def db_restore(
    file: Annotated[Path, typer.Argument(help="A file written by `sipas db backup`.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Overwrite a database that is not empty.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Restore a backup into an empty database (or over one, with --replace)."""
    from app.core import backup

    if replace and not yes:
        typer.confirm(f"Replace everything in {_safe_url()} with {file}?", abort=True)
    try:
        done = backup.restore(get_settings().database_url, file, replace=replace)
    except backup.BackupError as exc:
        fail(exc)
    out.print(
        f"restored {file} into {_safe_url()}: {done.responses or 0:,} responses, "
        f"schema {done.revision} (run `sipas db upgrade` if this release is newer)",
        highlight=False,
    )


def _safe_url() -> str:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    url = get_settings().database_url
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:  # the error being reported may be this very URL
        return repr(url)
