"""Every error a person reads goes through a message key, in Vietnamese and English.

The class, not the instance (issue 15, item 13): an error built from English text
reaches a Vietnamese page as English. So the source is read (ast over app/) and
every construction of a `FieldError` or an `AppError` subclass must name a key
(`X.of(key, ...)`, or `key=`), and every key's call sites must pass exactly the
parameters its two texts use. A new untranslated error fails here, in CI.
"""

import ast
import html
import re
import string
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.core import messages
from app.core.config import ROOT
from app.questionnaires.catalog import Catalog
from app.units.models import Unit
from tests.collection.test_paper_import import form, sheet
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

APP = ROOT / "app"
# Functions that already return text in the request's language (the respondent's
# table): an error built from their result is translated, not English.
TRANSLATING = {"_message", "t"}


def _modules() -> Iterator[tuple[Path, ast.Module]]:
    for path in sorted(APP.rglob("*.py")):
        yield path, ast.parse(path.read_text("utf-8"), str(path))


def _name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _error_classes() -> set[str]:
    """FieldError and every class under AppError, found by their bases."""
    bases: dict[str, set[str]] = {}
    for _, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(
                    n for b in node.bases if (n := _name(b)) is not None
                )
    found = {"AppError"}
    while grown := {c for c, bs in bases.items() if bs & found} - found:
        found |= grown
    return found | {"FieldError"}


ERRORS = _error_classes()


def _calls() -> Iterator[tuple[str, ast.Call]]:
    for path, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", node


def _keyed(call: ast.Call, cls: str) -> bool:
    if any(k.arg == "key" for k in call.keywords):
        return True
    if cls == "FieldError" and len(call.args) >= 4:  # FieldError(loc, msg, code, key, ...)
        return True
    first = call.args[1 if cls == "FieldError" else 0] if call.args else None
    return isinstance(first, ast.Call) and _name(first.func) in TRANSLATING


def _key_calls() -> Iterator[tuple[str, str, set[str] | None]]:
    """(where, key, keyword names or None if `**` passes some) of every `X.of(...)`."""
    for where, call in _calls():
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr == "of"):
            continue
        if _name(func.value) not in ERRORS:
            continue
        at = 1 if _name(func.value) == "FieldError" else 0
        key = call.args[at] if len(call.args) > at else None
        if not isinstance(key, ast.Constant):
            continue  # a key chosen at run time: its call site is tested by behaviour
        names = {k.arg for k in call.keywords if k.arg is not None}
        spread = any(k.arg is None for k in call.keywords)
        yield where, str(key.value), None if spread else names


def _placeholders(text: str) -> set[str]:
    return {f.split(".")[0].split("[")[0] for _, f, _, _ in string.Formatter().parse(text) if f}


def test_the_scan_sees_the_error_classes() -> None:
    assert {"Invalid", "NotFound", "Conflict", "QuotaFull", "BadText", "Busy"} <= ERRORS


@pytest.mark.parametrize(
    ("source", "keyed"),
    [
        ('Invalid("the file is bad")', False),
        ('FieldError("line 2", "bad", "value")', False),
        ('Invalid(f"unit {code!r} does not exist", [])', False),
        ("FieldError(loc, p.msg, p.code, p.key, p.params)", True),
        ('Invalid(text, fields, key="k")', True),
        ('TokenInvalid(_message("token_invalid", lang))', True),
    ],
)
def test_the_scan_tells_a_keyed_error_from_an_english_one(source: str, keyed: bool) -> None:
    call = ast.parse(source, mode="eval").body
    assert isinstance(call, ast.Call)
    cls = _name(call.func)
    assert cls in ERRORS
    assert _keyed(call, cls) is keyed


def test_every_error_is_built_from_a_message_key() -> None:
    bare = [
        f"{where}: {cls}(...) has no message key"
        for where, call in _calls()
        if (cls := _name(call.func)) in ERRORS and not _keyed(call, cls)
    ]
    assert not bare, "\n".join(bare)


def test_every_key_a_call_site_names_exists_with_its_parameters() -> None:
    problems = []
    for where, key, names in _key_calls():
        if key not in messages.MESSAGES:
            problems.append(f"{where}: no message {key!r}")
            continue
        wanted = set.union(*(_placeholders(messages.MESSAGES[key][lang]) for lang in ("vi", "en")))
        if names is not None and names != wanted:
            problems.append(f"{where}: {key!r} passes {sorted(names)}, uses {sorted(wanted)}")
    assert not problems, "\n".join(problems)


# Parameters whose values are English (a status code, a list of role codes, the
# words of pydantic, the csv module or the database, an English location): the
# Vietnamese may leave them out rather than show English; every other parameter is
# in both texts.
ENGLISH_ONLY = {"status", "roles", "what", "why", "where", "cond"}


@pytest.mark.parametrize("key", sorted(messages.MESSAGES))
def test_every_message_has_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = messages.MESSAGES[key]
    assert set(entry) == {"vi", "en"}
    assert entry["vi"].strip()
    assert entry["en"].strip()
    vi, en = _placeholders(entry["vi"]), _placeholders(entry["en"])
    assert vi <= en
    assert en - vi <= ENGLISH_ONLY


@pytest.mark.parametrize("key", sorted(messages.MESSAGES))
def test_every_message_formats_in_both_languages(key: str) -> None:
    """Sample values of the types the call sites pass: a spec like {n:,} must take an int."""
    entry = messages.MESSAGES[key]
    names = _placeholders(entry["en"]) | _placeholders(entry["vi"])
    sample = {n: date(2026, 12, 3) if n in ("starts", "ends") else 12 for n in names}
    for lang in ("vi", "en"):
        assert messages.text(key, lang, **sample)


# --- end to end: uploads full of errors, previewed in Vietnamese and in English ---

PROBLEM = re.compile(r"<li><strong>([^<]*)</strong>: (.*?)</li>", re.S)
# Words of the English messages that no Vietnamese message contains.
ENGLISH = re.compile(
    r"\b(is|not|the|line|column|unknown|does|exist|missing|must|expected|give|"
    r"number|answer|required|before|after|already|invalid|problem|nothing)\b",
    re.I,
)


@pytest.fixture
def province(session: Session, catalog: Catalog) -> dict[str, Unit]:
    p = make_unit(session, "P", name="Tỉnh P")
    s1 = make_unit(session, "P-S01", "department", p, name="Sở 1")
    s2 = make_unit(session, "P-S02", "department", p, name="Sở 2")
    other = make_unit(session, "Q", name="Tỉnh Q")
    make_counter(session, "k-1", s1)
    make_counter(session, "k-2", s2)
    make_campaign(session, catalog, "ERR-1", [s1, s2], min_sample=1)
    make_account(session, "lan@p", "coordinator", p)
    return {"P": p, "P-S01": s1, "P-S02": s2, "Q": other}


def _problems(page: str) -> list[tuple[str, str]]:
    """(where, message) of every problem listed on a dashboard page."""
    assert 'class="problems"' in page
    return [(html.unescape(w), html.unescape(m)) for w, m in PROBLEM.findall(page)]


def _upload(client: TestClient, lang: str, url: str, name: str, body: bytes, **data: str) -> str:
    r = client.post(f"{url}?lang={lang}", data=data, files={"file": (name, body, "text/csv")})
    assert r.status_code == 422, r.text
    assert 'class="untranslated"' not in r.text
    return r.text


def _bad_files(catalog: Catalog) -> list[tuple[str, str, bytes, dict[str, str]]]:
    paper = sheet(
        catalog,
        [
            form(catalog, "1", HL="bảy"),  # not a number on the scale
            form(catalog, "2", HL=9),  # a number, off the scale
            {**form(catalog, "3"), "unit": "ZZ"},
            {**form(catalog, "4"), "date": "30/02/2026"},
            {**form(catalog, "1"), "counter": "k-2"},  # form 1 again; k-2 is not P-S01's
            {**form(catalog, "6"), "unit": "", "counter": ""},
            form(catalog, "7", harassment=None),  # a required answer left out
        ],
    )
    units = (
        "code,name,kind,parent,valid_from,valid_to\n"
        "a b,Sở A,department,P,,\n"
        "P-S05,Sở 5,planet,P,,\n"
        "P-S06,Sở 6,department,NOWHERE,2026-13-01,\n"
        "P-S07,Sở 7,department,P,2026-05-01,2026-01-01\n"
        "P-S08,Sở 8,department,P-S08,,\n"
        "P-S05,Sở 5 lại,department,P,,\n"
    ).encode()
    targets = b"unit,transactions\nP-S01,1000\nP-S09,7\nP-S02,abc\nP-S01,5\n"
    return [
        ("/dash/campaigns/ERR-1/paper", "phieu.csv", paper, {"kind": "paper"}),
        ("/dash/units", "don-vi.csv", units, {"kind": "units"}),
        ("/dash/campaigns/ERR-1/targets.csv", "giao-dich.csv", targets, {"margin": "0,05"}),
    ]


def test_uploads_full_of_errors_are_explained_in_vietnamese_with_line_and_column(
    client: TestClient, catalog: Catalog, province: dict[str, Unit]
) -> None:
    csrf = sign_in(client, "lan@p")
    seen = 0
    for url, name, body, data in _bad_files(catalog):
        problems = _problems(_upload(client, "vi", url, name, body, csrf=csrf, **data))
        assert len(problems) >= 3, (url, problems)
        for where, msg in problems:
            assert re.fullmatch(r"dòng \d+(, cột \S+)?", where), (url, where)
            assert not ENGLISH.search(msg), (url, where, msg)
        seen += len(problems)
    assert seen >= 18
    page = _upload(client, "vi", *_bad_files(catalog)[0][:3], csrf=csrf, kind="paper")
    text = html.unescape(page)
    assert "giá trị 'bảy' không hợp lệ; chọn từ 1 đến 5 hoặc 0 (không áp dụng)" in text
    assert "quầy 'k-2' không thuộc đơn vị 'P-S01'" in text
    assert "cần trả lời câu này" in text
    units = html.unescape(
        _upload(client, "vi", *_bad_files(catalog)[1][:3], csrf=csrf, kind="units")
    )
    assert "dòng 3, cột kind" in units
    assert "không có loại đơn vị 'planet'" in units
    assert "mã 'P-S05' bị trùng (lần đầu ở dòng 3)" in units


def test_the_same_uploads_in_english_keep_the_apis_english(
    client: TestClient, catalog: Catalog, province: dict[str, Unit]
) -> None:
    csrf = sign_in(client, "lan@p")
    found = []
    for url, name, body, data in _bad_files(catalog):
        problems = _problems(_upload(client, "en", url, name, body, csrf=csrf, **data))
        assert all(re.fullmatch(r"line \d+(, column \S+)?", w) for w, _ in problems), problems
        found += [m for _, m in problems]
    text = "\n".join(found)
    assert "'bảy' is not a number on the scale (1–5, 0 = not applicable)" in text
    assert "9 is not on the scale: an integer 1–5, or 0 for not applicable" in text
    assert "counter 'k-2' does not belong to unit 'P-S01'" in text
    assert "unknown kind 'planet'" in text
    assert "duplicate code 'P-S05' (first on line 3)" in text
    assert "an answer is required" in text
