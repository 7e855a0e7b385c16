"""`sipas questionnaires check` on index trees, as whoever edits a file runs it."""

import os
import subprocess
import sys
from pathlib import Path

from app.core.config import ROOT
from tests.questionnaires.test_tree_catalog import set_node, write_2023


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        env={**os.environ, "COLUMNS": "200"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_check_command_names_the_tree_mistake(tmp_path: Path) -> None:
    good = run("questionnaires", "check")
    assert good.returncode == 0
    assert "sipas-2023 v1: 39 scored items, index tree of 39 items and 12 nodes (declared)" in (
        " ".join(good.stdout.split())
    )
    assert "indicators: 51 satisfaction, 43 perception (126 rates), 10 expectation" in (
        " ".join(good.stdout.split())
    )
    write_2023(tmp_path, set_node("I_B", of=["P03", "P04", "P01"]))
    r = run("questionnaires", "check", str(tmp_path))
    assert r.returncode == 1
    assert "item 'P01' is already under 'I_A'" in " ".join(r.stderr.split())
    assert "Traceback" not in r.stderr
