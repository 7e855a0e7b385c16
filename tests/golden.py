"""Golden report files: what a report said, kept to show a change moved no byte."""

import json
import os
from pathlib import Path
from typing import Any

# Fields that say when a report was made, not what it says.
VOLATILE = {"generated_at", "as_of", "token", "tally_token", "computed_at", "etag"}


def _stable(x: Any) -> Any:
    if isinstance(x, dict):
        return {k: _stable(v) for k, v in x.items() if k not in VOLATILE}
    if isinstance(x, list):
        return [_stable(v) for v in x]
    return x


def _normal(name: str, content: bytes) -> str:
    if name.startswith("csv"):
        return content.decode("utf-8-sig")
    return json.dumps(_stable(json.loads(content)), ensure_ascii=False, indent=1)


def moved(folder: Path, reports: dict[str, bytes]) -> list[str]:
    """The names of the reports (`csv…`: a CSV, else JSON) that differ from their
    golden file in `folder`; with UPDATE_GOLDEN set, (re)write the files instead."""
    out = []
    for name, content in reports.items():
        path = folder / f"{name}.{'csv' if name.startswith('csv') else 'json'}"
        text = _normal(name, content)
        if os.environ.get("UPDATE_GOLDEN"):
            folder.mkdir(parents=True, exist_ok=True)
            path.write_bytes(text.encode())  # bytes: wide CSVs end lines in CRLF
            continue
        if path.read_bytes().decode() != text:
            out.append(name)
    return out
