"""Backups of the whole database, and restoring one into an empty database.

PostgreSQL is dumped by `pg_dump` in its custom format (compressed, restorable
table by table, checked by `pg_restore --list`) rather than by anything of ours:
it is the tool a database administrator already trusts, it dumps one consistent
snapshot while the service keeps taking responses, and its files restore on a
newer server. SQLite uses the online backup API of the sqlite3 module, which
copies a consistent snapshot page by page while writers carry on.

A restore goes into an empty database (or, with `replace`, over the database's
contents in one transaction on PostgreSQL, one backup step on SQLite): a half-
restored database is never left behind.
"""

import os
import shutil
import sqlite3
import subprocess
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import URL, make_url

from app.core.config import normalise_database_url
from app.core.errors import AppError

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(AppError):
    """A backup or restore that cannot be done, and why."""

    kind = "backup"


@dataclass(frozen=True)
class Summary:
    """What a backup file or a restored database holds, for the operator to check."""

    path: Path
    backend: str
    bytes: int
    revision: str | None
    responses: int | None


def _url(database_url: str) -> URL:
    return make_url(normalise_database_url(database_url))


def backend_of(database_url: str) -> str:
    name = _url(database_url).get_backend_name()
    if name not in ("postgresql", "sqlite"):
        raise BackupError.of("backup_backend", name=name)
    return name


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise BackupError.of("backup_in_memory")
    return Path(url.database)


def _libpq(url: URL) -> tuple[str, dict[str, str]]:
    """The URL as pg_dump reads it (no driver name), with the password in the
    environment rather than on a command line other users can read in `ps`."""
    env = dict(os.environ)
    if url.password is not None:
        env["PGPASSWORD"] = str(url.password)
    plain = url.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError.of("backup_tool_missing", name=name)
    return found


def _run(args: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(args, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        lines = [ln for ln in done.stderr.strip().splitlines() if ln.strip()]
        # The tool's own last lines (English, from pg_dump or pg_restore).
        why = "; ".join(lines[-3:]) or "no message"
        raise BackupError.of("backup_tool_failed", name=Path(args[0]).name, why=why)


def _facts(database_url: str) -> tuple[str | None, int | None, bool]:
    """The schema revision, the number of responses, and whether any table exists."""
    engine = create_engine(normalise_database_url(database_url))
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            revision = (
                conn.scalar(text("SELECT version_num FROM alembic_version"))
                if "alembic_version" in tables
                else None
            )
            responses = (
                conn.scalar(text("SELECT count(*) FROM submission"))
                if "submission" in tables
                else None
            )
            return revision, responses, bool(tables)
    finally:
        engine.dispose()


def backup(database_url: str, dest: Path, overwrite: bool = False) -> Summary:
    """Write a consistent backup of the database to `dest` (written to a temporary
    file beside it first, so a failed backup never leaves a truncated file there)."""
    backend = backend_of(database_url)
    if dest.exists() and not overwrite:
        raise BackupError.of("backup_exists", path=dest)
    if not dest.parent.is_dir():
        raise BackupError.of("backup_no_folder", path=dest.parent)
    url = _url(database_url)
    fd, tmp_name = tempfile.mkstemp(prefix=".sipas-backup-", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if backend == "postgresql":
            target, env = _libpq(url)
            _run(
                [_tool("pg_dump"), "-Fc", "--no-owner", "--no-privileges", "-f", str(tmp), target],
                env,
            )
        else:
            source = _sqlite_path(url)
            if not source.exists():
                raise BackupError.of("backup_no_sqlite", path=source)
            with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(tmp)) as out:
                src.backup(out)
        tmp.replace(dest)
    finally:
        tmp.unlink(missing_ok=True)
    revision, responses, _ = _facts(database_url)
    return Summary(dest, backend, dest.stat().st_size, revision, responses)


def _check_file(source: Path, backend: str) -> None:
    try:
        with source.open("rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise BackupError.of("backup_unreadable", path=source, why=exc.strerror) from exc
    kind = "postgresql" if head.startswith(PG_MAGIC) else "sqlite" if head == SQLITE_MAGIC else None
    if kind is None:
        raise BackupError.of("backup_not_ours", path=source)
    if kind != backend:
        raise BackupError.of("backup_other_kind", path=source, kind=kind, backend=backend)


def restore(database_url: str, source: Path, replace: bool = False) -> Summary:
    """Restore a backup into the database: an empty one, or (with `replace`) over
    what it holds. Run `sipas db upgrade` afterwards if the backup is older."""
    backend = backend_of(database_url)
    _check_file(source, backend)
    _, _, has_tables = _facts(database_url)
    if has_tables and not replace:
        raise BackupError.of("restore_not_empty")
    url = _url(database_url)
    if backend == "postgresql":
        target, env = _libpq(url)
        # Checks the whole file before anything is written: a truncated dump fails here.
        _run([_tool("pg_restore"), "--list", str(source)], env)
        args = [_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error"]
        args += ["--single-transaction", "-d", target]
        if replace:
            args += ["--clean", "--if-exists"]
        _run([*args, str(source)], env)
    else:
        dest = _sqlite_path(url)
        try:
            with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src:
                problem = src.execute("PRAGMA quick_check").fetchone()[0]
                if problem != "ok":
                    raise BackupError.of("backup_damaged", path=source, why=problem)
                with closing(sqlite3.connect(dest)) as out:
                    src.backup(out)
        except sqlite3.DatabaseError as exc:
            raise BackupError.of("backup_not_restored", path=source, why=exc) from exc
    revision, responses, _ = _facts(database_url)
    return Summary(source, backend, source.stat().st_size, revision, responses)
