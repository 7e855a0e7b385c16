"""Shared by the command groups: consoles, errors, files."""

from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from app.core.errors import AppError

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


def _public_url(base_url: str | None) -> str:
    from app.core.config import get_settings

    return (base_url or get_settings().PUBLIC_URL).rstrip("/")


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from stdin (scripts).")
]
