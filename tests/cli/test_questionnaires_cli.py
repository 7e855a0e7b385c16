"""`sipas questionnaires export` and `import`, as a coordinator runs them."""

import io
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.core.config import ROOT
from tests.dbutil import fresh_database

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def run() -> Iterator[Run]:
    with fresh_database() as url:
        env = {**os.environ, "DATABASE_URL": url, "COLUMNS": "200"}

        def _run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [sys.executable, "-m", "app.cli", *args],
                env=env,
                cwd=ROOT,
                capture_output=True,
                text=True,
                timeout=300,
            )

        assert _run("db", "upgrade").returncode == 0
        yield _run


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_export_import_and_a_refused_import(run: Run, tmp_path: Path) -> None:
    xlsx = tmp_path / "ward.xlsx"
    r = run("questionnaires", "export", "ward-offices", "1", "--format", "xlsform", "-o", str(xlsx))
    assert r.returncode == 0, r.stderr
    yml = tmp_path / "ward.yaml"
    assert (
        run(
            "questionnaires", "export", "ward-offices", "1", "--format", "yaml", "-o", str(yml)
        ).returncode
        == 0
    )
    assert "slug: ward-offices" in yml.read_text(encoding="utf-8")

    # The same form under the shipped slug: saved as the next version, v1 untouched.
    r = run("questionnaires", "import", str(xlsx))
    assert r.returncode == 0, r.stderr
    assert "saved as ward-offices v2" in _flat(r.stdout)
    r = run("questionnaires", "import", str(yml))
    assert "saved as ward-offices v3" in _flat(r.stdout)
    v2 = tmp_path / "v2.xlsx"
    assert run("questionnaires", "export", "ward-offices", "2", "-o", str(v2)).returncode == 0

    wb = load_workbook(io.BytesIO(xlsx.read_bytes()))
    ws = wb["survey"]
    row = next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == "CC2")
    ws.cell(row, 2).value = "CC1"  # a duplicate code
    wb.save(xlsx)
    r = run("questionnaires", "import", str(xlsx), "--lang", "vi")
    assert r.returncode == 1
    assert f"trang survey, dòng {row}, cột name: mã 'CC1' bị trùng" in _flat(r.stderr)
    assert "Traceback" not in r.stderr
    r = run("questionnaires", "export", "ward-offices", "4", "-o", str(tmp_path / "none.xlsx"))
    assert r.returncode == 1
