"""Every translated text, in both languages, reads as prose: no Markdown backticks.

A backtick in a translation table is shown to the reader as it is (a kiosk's
set-up text once said "`sipas kiosk enrol`"). The tables are found, not listed:
every module under app/ is imported and each of its module-level tables of
`{"vi": ..., "en": ...}` entries is walked, and so is every text of every
questionnaire, so a table added later is covered too.
"""

import importlib
import pkgutil
from collections.abc import Iterator
from typing import Any

import yaml

import app
from app.core.config import ROOT


def _is_text(value: Any) -> bool:
    return isinstance(value, dict) and {"vi", "en"} <= set(value)


def _tables() -> Iterator[tuple[str, dict[str, Any]]]:
    for info in pkgutil.walk_packages(app.__path__, "app."):
        if info.name.endswith("__main__"):  # runs the CLI when imported
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, dict) and value and all(map(_is_text, value.values())):
                yield f"{info.name}.{name}", value


def _questionnaire_texts(node: Any, where: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if _is_text(node):
        yield where, node
    elif isinstance(node, dict):
        for k, v in node.items():
            yield from _questionnaire_texts(v, f"{where}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _questionnaire_texts(v, f"{where}[{i}]")


def test_the_walk_finds_the_tables() -> None:
    found = {name for name, _ in _tables()}
    assert {"app.web.i18n.UI", "app.access.dash_text.UI", "app.core.messages.MESSAGES"} <= found
    assert {
        "app.web.kiosk_text.UI",
        "app.access.tablet_text.UI",
        "app.reporting.doc_text.DOC",
    } <= found


def test_no_backtick_in_any_translation() -> None:
    bad = [
        f"{table}[{key!r}][{lang}]: {text!r}"
        for table, entries in _tables()
        for key, entry in entries.items()
        for lang in ("vi", "en")
        if "`" in (text := str(entry[lang]))
    ]
    assert not bad, "\n".join(bad)


def test_no_backtick_in_questionnaire_texts() -> None:
    files = sorted((ROOT / "questionnaires").glob("*/v*.yaml"))
    assert files
    bad = []
    for path in files:
        texts = list(_questionnaire_texts(yaml.safe_load(path.read_text("utf-8")), path.name))
        assert texts, path
        bad += [f"{w}[{lang}]" for w, t in texts for lang in ("vi", "en") if "`" in str(t[lang])]
    assert not bad, bad
