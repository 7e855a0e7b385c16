"""One name per code: the dashboard, the workbook, the printed report and the SPSS
value labels of the demo call each unit kind and each channel by the same words, in
Vietnamese and English, and every code of the enums has its words.

A coordinator's tryout found a commune called "Xã, phường" on the dashboard and "Xã,
phường, đặc khu" in the documents, and a channel with three names: the words now live
in app/core/labels.py, and this file fails if any page or document gets its own."""

import importlib
import io
import pkgutil
import re
import typing
from html import unescape
from pathlib import Path
from typing import Any

import openpyxl
import pypdf
import pyreadstat
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

import app
from app.campaigns.models import Aggregate
from app.collection.models import CHANNELS
from app.core import labels
from app.demo import CAMPAIGN, build_tree, load_submissions
from app.questionnaires.catalog import Catalog, Rule
from app.reporting.schemas import UnitIndices
from app.units.models import UNIT_KINDS
from tests.factories import make_account
from tests.signin import sign_in

pytestmark = pytest.mark.usefixtures("reader")

# Each table and the codes it must name.
TABLES: list[tuple[str, dict[str, dict[str, str]], set[str]]] = [
    ("UNIT_KIND", labels.UNIT_KIND, set(UNIT_KINDS)),
    ("CHANNEL", labels.CHANNEL, set(CHANNELS)),
    ("SCORING", labels.SCORING, set(typing.get_args(Rule))),
    ("AGGREGATE", labels.AGGREGATE, {a.value for a in Aggregate}),
    (
        "RANK_FLAG",
        labels.RANK_FLAG,
        set(typing.get_args(typing.get_args(UnitIndices.model_fields["flags"].annotation)[0])),
    ),
]


@pytest.mark.parametrize(("name", "table", "codes"), TABLES, ids=[t[0] for t in TABLES])
def test_every_code_has_words_in_both_languages(
    name: str, table: dict[str, dict[str, str]], codes: set[str]
) -> None:
    assert set(table) == codes, name
    for code, text in table.items():
        assert all(text[lang].strip() for lang in ("vi", "en")), (name, code)
    for lang in ("vi", "en"):  # two codes never share a name
        words = [text[lang] for text in table.values()]
        assert len(set(words)) == len(words), (name, lang)


# The prefixes page and document tables use for these codes, and the table they must copy.
PREFIXES = {"kind_": labels.UNIT_KIND, "ch_": labels.CHANNEL, "scoring_": labels.SCORING}


def test_no_page_or_document_table_words_a_code_its_own_way() -> None:
    """Every translation table under app/ that names a unit kind, a channel or a
    criterion rule (`kind_commune`, `ch_web`, `scoring_top2box`) says what
    app/core/labels.py says, and no other table keys its words by a bare channel code."""
    found = []
    for info in pkgutil.walk_packages(app.__path__, "app."):
        if info.name.endswith("__main__") or info.name == "app.core.labels":
            continue
        for var, table in vars(importlib.import_module(info.name)).items():
            if not isinstance(table, dict):
                continue
            for key, text in table.items():
                for prefix, words in PREFIXES.items():
                    code = key.removeprefix(prefix) if isinstance(key, str) else None
                    if code and code != key and code in words:
                        found.append((info.name, var, key))
                        assert text == words[code], f"{info.name}.{var}[{key!r}]"
            bare = {k for k, v in table.items() if isinstance(v, dict) and {"vi", "en"} <= set(v)}
            assert not (bare and bare <= set(CHANNELS) | {"api"}), f"{info.name}.{var}"
    assert "app.access.dash_text" in {m for m, _, _ in found}  # the walk reaches the tables


def _pdf_text(pdf: bytes) -> str:
    pages = pypdf.PdfReader(io.BytesIO(pdf)).pages
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


@pytest.fixture
def demo(client: TestClient, session: Session, catalog: Catalog) -> None:
    campaign, pairs = build_tree(session, catalog)
    assert load_submissions(session, catalog, campaign, pairs, 200, 3) == 200
    make_account(session, "demo-admin", "admin")
    sign_in(client, "demo-admin")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_demo_names_each_kind_and_channel_alike_in_every_document(
    client: TestClient, demo: None, lang: str, tmp_path: Path
) -> None:
    url = f"/api/v1/campaigns/{CAMPAIGN}/indices"
    report = client.get(url).json()
    kinds = {e["kind"]: labels.kind(e["kind"], lang) for e in report["units"]}
    assert len(kinds) >= 2  # departments and communes at least
    channels = {c: labels.channel(c, lang) for c in CHANNELS}

    # The dashboard: each league's heading, and the channel filter.
    page = client.get(f"/dash/campaigns/{CAMPAIGN}/results", params={"lang": lang})
    assert page.status_code == 200
    headings = dict(re.findall(r'<h2 id="league-(\w+)">([^<]+?) <small', page.text))
    assert {k: unescape(v) for k, v in headings.items()} == kinds
    options = re.search(r'<select name="channel">(.*?)</select>', page.text, re.S)
    assert options is not None
    shown = dict(re.findall(r'<option value="(\w+)"[^>]*>([^<]+)</option>', options.group(1)))
    assert {k: unescape(v) for k, v in shown.items()} == channels
    responses = client.get(
        f"/dash/campaigns/{CAMPAIGN}/responses", params={"lang": lang, "state": "all"}
    )
    assert channels["kiosk"] in unescape(responses.text)

    # The workbook: the league titles and the kind column of the ranking sheet.
    xlsx = client.get(url, params={"format": "xlsx", "lang": lang})
    assert xlsx.status_code == 200, xlsx.text
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows: list[tuple[Any, ...]] = list(ws.iter_rows(values_only=True))
    header = next(r for r in rows if r[1] is not None and r[2] is not None)
    kind_col = list(header).index("Loại đơn vị" if lang == "vi" else "Unit kind")
    in_cells = {r[kind_col] for r in rows if r[1] and r is not header and r[kind_col]}
    in_cells.discard(header[kind_col])
    assert in_cells == set(kinds.values())
    titles = {r[0] for r in rows if isinstance(r[0], str) and r[1] is None}
    assert set(kinds.values()) <= titles

    # The printed report: responses by kind and by channel.
    pdf = client.get(url, params={"format": "pdf", "lang": lang})
    assert pdf.status_code == 200, pdf.text
    text = _pdf_text(pdf.content)
    for k in kinds.values():
        assert re.search(re.escape(k) + r": [\d.,]+", text), k
    by_channel = "Số phiếu theo kênh khảo sát" if lang == "vi" else "Responses by channel"
    line = text.split(by_channel, 1)[1][:200]
    assert re.search(re.escape(channels["kiosk"]) + r": [\d.,]+", line)
    assert re.search(re.escape(channels["web"]) + r": [\d.,]+", line)

    # The SPSS file: the channel's value labels and the kind columns' variable labels.
    sav = client.get(
        f"/api/v1/campaigns/{CAMPAIGN}/microdata", params={"format": "sav", "lang": lang}
    )
    assert sav.status_code == 200, sav.text
    path = tmp_path / "m.sav"
    path.write_bytes(sav.content)
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    assert set(meta.variable_value_labels["channel"].values()) == set(channels.values())
    var_labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    for k, words in kinds.items():
        assert var_labels[f"unit_{k}"] == words
