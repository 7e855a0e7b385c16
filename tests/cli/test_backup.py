"""`sipas db backup` and `sipas db restore`, as an operator runs them, on the test's backend.

A backup is only as good as its restore: each test restores into a fresh database
and compares every row of every table with the original.
"""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from app.core.config import ROOT, normalise_database_url
from tests.dbutil import BACKEND, fresh_database

Run = Callable[..., subprocess.CompletedProcess[str]]


def runner(url: str) -> Run:
    env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "200"}

    def _run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "app.cli", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            input=stdin,
        )

    return _run


def everything(url: str) -> dict[str, list[str]]:
    """Every row of every table, as sorted text: two databases hold the same data
    exactly when these are equal."""
    engine = create_engine(normalise_database_url(url))
    try:
        with engine.connect() as conn:
            return {
                table: sorted(
                    repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"'))
                )
                for table in inspect(conn).get_table_names()
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def source() -> Iterator[tuple[str, Run]]:
    """A database with what a province has after a morning: units, counters, a
    campaign, responses, an account, a key and a stored report."""
    with fresh_database() as url:
        run = runner(url)
        assert run("db", "upgrade").returncode == 0
        demo = run("demo", "--submissions", "400")
        assert demo.returncode == 0, demo.stderr
        user = run(
            "users", "create-admin", "--login", "an@example.vn", "--password-stdin",
            stdin="a long passphrase 1\n",
        )  # fmt: skip
        assert user.returncode == 0, user.stderr
        key = run("keys", "create", "--label", "PAR INDEX team")
        assert key.returncode == 0, key.stderr
        report = run("report", "DEMO-2026")
        assert report.returncode == 0, report.stderr
        yield url, run


def test_a_backup_restores_every_row_of_every_table(
    source: tuple[str, Run], tmp_path: Path
) -> None:
    url, run = source
    file = tmp_path / "sipas.backup"
    made = run("db", "backup", str(file))
    assert made.returncode == 0, made.stderr
    original = everything(url)
    # 400 this year and the demo's previous campaign beside them (for "change since").
    stored = len(original["submission"])
    assert stored > 400
    assert f"{stored} responses" in made.stdout
    with fresh_database() as target:
        restored = runner(target)("db", "restore", str(file))
        assert restored.returncode == 0, restored.stderr
        assert f"{stored} responses" in restored.stdout
        assert everything(target) == original
        # The restored database is one the service runs on: already at the head.
        assert runner(target)("db", "upgrade").returncode == 0
        assert everything(target) == original


def test_an_existing_file_is_not_overwritten_unless_asked(
    source: tuple[str, Run], tmp_path: Path
) -> None:
    _, run = source
    file = tmp_path / "sipas.backup"
    file.write_bytes(b"yesterday's backup")
    refused = run("db", "backup", str(file))
    assert refused.returncode == 1
    assert "exists already" in refused.stderr
    assert "--overwrite" in refused.stderr
    assert file.read_bytes() == b"yesterday's backup"
    assert run("db", "backup", str(file), "--overwrite").returncode == 0
    assert file.read_bytes() != b"yesterday's backup"


def test_a_restore_never_lands_on_data_unless_asked(
    source: tuple[str, Run], tmp_path: Path
) -> None:
    url, run = source
    file = tmp_path / "sipas.backup"
    assert run("db", "backup", str(file)).returncode == 0
    before = everything(url)
    refused = run("db", "restore", str(file))
    assert refused.returncode == 1
    assert "the database is not empty" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert everything(url) == before
    # --replace puts the backup's state back over what the database holds now.
    with fresh_database() as other:
        other_run = runner(other)
        assert other_run("db", "upgrade").returncode == 0
        assert other_run("demo", "--submissions", "30", "--seed", "7").returncode == 0
        replaced = other_run("db", "restore", str(file), "--replace", "--yes")
        assert replaced.returncode == 0, replaced.stderr
        assert everything(other) == before


def test_bad_files_are_named_and_nothing_is_restored(
    source: tuple[str, Run], tmp_path: Path
) -> None:
    _, run = source
    file = tmp_path / "sipas.backup"
    assert run("db", "backup", str(file)).returncode == 0
    data = file.read_bytes()
    not_a_backup = tmp_path / "units.csv"
    not_a_backup.write_text("code,name\nP,Tỉnh P\n", encoding="utf-8")
    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(data[: len(data) // 2])
    with fresh_database() as target:
        run_target = runner(target)
        r = run_target("db", "restore", str(not_a_backup))
        assert r.returncode == 1
        assert "is not a backup made by 'sipas db backup'" in r.stderr
        r = run_target("db", "restore", str(tmp_path / "missing.backup"))
        assert r.returncode == 1
        assert "cannot read" in r.stderr
        r = run_target("db", "restore", str(truncated))
        assert r.returncode == 1, r.stdout
        assert "Traceback" not in r.stderr
        assert everything(target) == {}  # nothing partial


@pytest.mark.skipif(BACKEND != "postgresql", reason="needs both backends' files")
def test_a_backup_of_the_other_kind_is_refused(tmp_path: Path) -> None:
    sqlite_file = tmp_path / "other.db"
    sqlite_file.write_bytes(b"SQLite format 3\x00" + bytes(100))
    with fresh_database() as target:
        r = runner(target)("db", "restore", str(sqlite_file))
    assert r.returncode == 1
    assert "is a sqlite backup and the database is postgresql" in r.stderr
