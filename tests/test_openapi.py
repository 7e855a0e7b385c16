"""The OpenAPI document is a contract: it changes only on purpose.

Kiosk apps, provincial dashboards and scripts are generated from or checked against
/openapi.json, so any difference from the committed tests/openapi.json fails here.
After changing the API on purpose, regenerate the copy and commit it with the change:

    UPDATE_OPENAPI=1 .venv/bin/pytest tests/test_openapi.py
"""

import json
import os
from pathlib import Path

from app.main import create_app

SNAPSHOT = Path(__file__).resolve().parent / "openapi.json"


def _document() -> str:
    # Sorted keys and a fixed indent, so the copy diffs line by line and does not
    # depend on the order routes or schemas happen to be registered in.
    return json.dumps(create_app().openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def test_openapi_document_matches_the_committed_copy() -> None:
    current = _document()
    if os.environ.get("UPDATE_OPENAPI") == "1":
        SNAPSHOT.write_text(current, encoding="utf-8")
    assert current == SNAPSHOT.read_text(encoding="utf-8"), (
        "the OpenAPI document changed; if on purpose, regenerate tests/openapi.json "
        "with UPDATE_OPENAPI=1 .venv/bin/pytest tests/test_openapi.py"
    )
