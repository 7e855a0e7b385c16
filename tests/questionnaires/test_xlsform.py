"""Questionnaires authored as XLSForm (issue 18 §4): a lossless round trip, uploads
refused at the sheet, row and column of the mistake, and an accepted upload that
citizens can fill in."""

import io
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.campaigns.models import CampaignStatus
from app.campaigns.service import CampaignIn, create_campaign, set_status
from app.collection.models import Submission
from app.core.config import ROOT
from app.questionnaires.authoring import XLSX_MEDIA
from app.questionnaires.catalog import Catalog, Questionnaire, _uploaded, check_raw, get_catalog
from app.questionnaires.models import QuestionnaireSource
from app.questionnaires.xlsform import from_xlsform, to_xlsform
from tests.collection.test_pages import form_fields, hidden
from tests.factories import make_account, make_counter, make_unit, read_with_key
from tests.signin import sign_in


@pytest.fixture(autouse=True)
def _forget_uploads() -> Iterator[None]:
    # A test's uploads are rolled back with its transaction; so is this process's copy.
    _uploaded.forget()
    yield
    _uploaded.forget()


@pytest.mark.parametrize("slug", ["sipas-2017", "sipas-2023", "ward-offices"])
def test_yaml_to_xlsform_and_back_gives_the_same_questionnaire(catalog: Catalog, slug: str) -> None:
    q = catalog.get(slug, 1)
    assert q is not None
    raw, _ = from_xlsform(to_xlsform(q.model))
    model, problems = check_raw(raw)
    assert problems == []
    assert model == q.model


def test_the_workbook_speaks_xlsform(catalog: Catalog) -> None:
    q = catalog.get("ward-offices", 1)
    assert q is not None
    wb = load_workbook(io.BytesIO(to_xlsform(q.model)))
    assert wb.sheetnames == ["survey", "choices", "settings", "scoring"]
    survey = [[c.value for c in row] for row in wb["survey"].iter_rows()]
    head = survey[0]
    assert head[:4] == ["type", "name", "label::Vietnamese (vi)", "label::English (en)"]
    rows = {r[1]: dict(zip(head, r, strict=False)) for r in survey[1:] if r[1]}
    assert rows["office"]["type"] == "select_one office"
    assert rows["improve"]["type"] == "select_multiple improve"
    assert rows["GY3"]["relevant"] == "selected(${gave_feedback}, 'yes')"
    assert rows["wait"]["type"] == "select_one wait"
    settings = [c.value for c in wb["settings"][2]]
    assert settings[:2] == ["ward-offices", 1]


def _workbook(catalog: Catalog, slug: str, **edits: Any) -> bytes:
    """The XLSForm of `slug` v1 under a new form_id, with survey cells changed:
    edits = {"<question code>__<column>": value}."""
    q = catalog.get(slug, 1)
    assert q is not None
    wb = load_workbook(io.BytesIO(to_xlsform(q.model)))
    wb["settings"]["A2"] = f"{slug}-copy"
    ws = wb["survey"]
    head = [c.value for c in ws[1]]
    for key, value in edits.items():
        code, column = key.split("__")
        for r in range(2, ws.max_row + 1):
            if ws.cell(r, 2).value == code:
                ws.cell(r, head.index(column) + 1).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row_of(data: bytes, code: str) -> int:
    ws = load_workbook(io.BytesIO(data))["survey"]
    return next(r for r in range(2, ws.max_row + 1) if ws.cell(r, 2).value == code)


def _admin(client: TestClient, session: Session) -> str:
    make_account(session, "admin@example.vn", role="admin")
    return sign_in(client, "admin@example.vn")


def _stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(QuestionnaireSource)) or 0


def test_an_upload_with_mistakes_is_refused_naming_sheet_row_and_column(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    csrf = _admin(client, session)
    data = _workbook(
        catalog,
        "ward-offices",
        GY3__relevant="selected(${gave_fedback}, 'yes')",
        KQ1__type="integer",
    )
    row_gy3, row_kq1 = _row_of(data, "GY3"), _row_of(data, "KQ1")
    files = {"file": ("ward.xlsx", data, XLSX_MEDIA)}
    page = client.post("/dash/questionnaires?lang=en", data={"csrf": csrf}, files=files)
    assert page.status_code == 422
    assert (
        f"survey, row {row_kq1}, column type: type &#39;integer&#39; is not supported" in page.text
    )
    # Fixed that one, the catalog's own check is placed at the row that defined it.
    data = _workbook(catalog, "ward-offices", GY3__relevant="selected(${gave_fedback}, 'yes')")
    files = {"file": ("ward.xlsx", data, XLSX_MEDIA)}
    page = client.post("/dash/questionnaires?lang=vi", data={"csrf": csrf}, files=files)
    assert page.status_code == 422
    assert (
        f"trang survey, dòng {row_gy3}, cột relevant: trỏ tới &#39;gave_fedback&#39;" in page.text
    )
    api = client.post(
        "/api/v1/questionnaires?name=ward.xlsx",
        content=data,
        headers={"Content-Type": XLSX_MEDIA, "X-CSRF-Token": csrf},
    )
    assert api.status_code == 422, api.text
    fields = api.json()["fields"]
    assert fields[0]["loc"] == f"survey, row {row_gy3}, column relevant"
    assert "not a question asked before it" in fields[0]["msg"]
    assert _stored(session) == 0
    assert get_catalog().get("ward-offices-copy", 1) is None


def _answers(q: Questionnaire) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for code, question in q.questions.items():
        if not q.visible(code, out):
            continue
        if question.kind == "scale":
            options, _, _ = q.scale_of(code)
            out[code] = options[-1].code
        elif question.kind == "single":
            out[code] = question.options[0].code
        elif question.kind == "multi":
            out[code] = [question.options[0].code]
        elif question.required:
            out[code] = "Cấp giấy khai sinh"
    return out


@pytest.mark.parametrize(("base", "item"), [("sipas-2017", "TT1"), ("ward-offices", "GY3")])
def test_a_correct_upload_is_previewed_saved_and_filled_in_by_a_citizen(
    client: TestClient, session: Session, catalog: Catalog, base: str, item: str
) -> None:
    csrf = _admin(client, session)
    # Both shapes: factor sections (sipas-2017) and a declared tree (the ward's form).
    data = _workbook(catalog, base)
    slug = f"{base}-copy"
    files = {"file": ("my-form.xlsx", data, XLSX_MEDIA)}
    preview = client.post("/dash/questionnaires?lang=en", data={"csrf": csrf}, files=files)
    assert preview.status_code == 200, preview.text
    assert f"will be saved as {slug} version 1" in preview.text
    assert f'name="{item}"' in preview.text  # the citizen's question, as the form shows it
    assert _stored(session) == 0
    saved = client.post(
        "/dash/questionnaires",
        data={
            "csrf": csrf,
            "confirm": "1",
            "name": "my-form.xlsx",
            "data": hidden(preview.text, "data"),
        },
        follow_redirects=False,
    )
    assert saved.status_code == 303
    assert _stored(session) == 1
    listed = client.get("/dash/questionnaires?lang=en").text
    assert f"<td>{slug}</td><td>1</td>" in listed
    assert "Uploaded" in listed
    q = get_catalog().get(slug, 1)
    assert q is not None
    # Saved again: a new version, the first one untouched.
    again = client.post(
        "/api/v1/questionnaires?name=again.xlsx",
        content=data,
        headers={"Content-Type": XLSX_MEDIA, "X-CSRF-Token": csrf},
    )
    assert again.status_code == 201, again.text
    assert again.json()["version"] == 2
    assert client.get(f"/api/v1/questionnaires/{slug}/2").status_code == 200

    province = make_unit(session, "P")
    make_counter(session, "k-1", province)
    campaign = create_campaign(
        session,
        get_catalog(),
        CampaignIn(
            code="C-UP",
            name="Uploaded form",
            starts_on=date(2026, 1, 1),
            ends_on=date(max(date.today().year, 2026), 12, 31),
            questionnaire=slug,
            version=1,
            units=["P"],
        ),
    )
    set_status(session, campaign, CampaignStatus.open)
    form = client.get("/s/k-1/form").text
    assert slug in form
    posted = client.post(
        "/s/k-1/form",
        data=form_fields(
            _answers(q),
            id=hidden(form, "id"),
            started_at=hidden(form, "started_at"),
            form_token=hidden(form, "form_token"),
        ),
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    row = session.scalars(select(Submission)).one()
    assert (row.questionnaire, row.questionnaire_version) == (slug, 1)
    assert row.answers[item] == _answers(q)[item]
    report = client.get("/api/v1/campaigns/C-UP/indices", params={"level": "province"})
    assert report.status_code == 200, report.text[:400]
    (unit,) = report.json()["units"]
    assert unit["items"][item]["value"] == 100  # the one citizen rated it satisfied


def test_download_as_xlsform_round_trips(client: TestClient, session: Session) -> None:
    _admin(client, session)
    got = client.get("/dash/questionnaires/ward-offices/1.xlsx")
    assert got.status_code == 200
    assert re.search(r'filename="ward-offices-v1.xlsx"', got.headers["content-disposition"])
    raw, _ = from_xlsform(got.content)
    model, problems = check_raw(raw)
    assert problems == []
    assert model == get_catalog().get("ward-offices", 1).model  # type: ignore[union-attr]


def test_a_yaml_upload_is_checked_by_place_in_the_file_and_a_viewer_may_not_upload(
    client: TestClient, session: Session
) -> None:
    csrf = _admin(client, session)
    text = (ROOT / "questionnaires/ward-offices/v1.yaml").read_text(encoding="utf-8")
    bad = text.replace("of: [KQ1, KQ2]", "of: [KQ1, KQ9]")
    r = client.post(
        "/api/v1/questionnaires?name=ward.yaml&dry_run=true",
        content=bad.encode(),
        headers={"Content-Type": "application/yaml", "X-CSRF-Token": csrf},
    )
    assert r.status_code == 422
    assert r.json()["fields"][0]["loc"] == "scoring.tree.nodes[2] (II).of"
    assert "'KQ9' is neither a node nor an item" in r.json()["fields"][0]["msg"]
    ok = client.post(
        "/api/v1/questionnaires?name=ward.yaml&dry_run=true",
        content=text.encode(),
        headers={"Content-Type": "application/yaml", "X-CSRF-Token": csrf},
    )
    assert ok.json() == {
        "slug": "ward-offices",
        "version": 2,
        "url": "/api/v1/questionnaires/ward-offices/2",
        "saved": False,
    }
    assert _stored(session) == 0
    viewer = TestClient(client.app)
    viewer.headers["Authorization"] = f"Bearer {read_with_key(session, TestClient(client.app))}"
    refused = viewer.post("/api/v1/questionnaires?name=ward.yaml", content=text.encode())
    assert refused.status_code == 403
    assert _stored(session) == 0


def test_a_text_that_begins_with_equals_stays_text(catalog: Catalog) -> None:
    q = catalog.get("ward-offices", 1)
    assert q is not None
    model = q.model.model_copy(update={"intro": {"vi": "=1+1 là chữ", "en": "=SUM(A1:A9)"}})
    data = to_xlsform(model)
    cell = load_workbook(io.BytesIO(data))["settings"]["H2"]
    assert cell.data_type == "s"
    raw, _ = from_xlsform(data)
    assert check_raw(raw)[0] == model


@pytest.mark.parametrize("slug", ["sipas-2017", "sipas-2023", "ward-offices"])
def test_the_reference_converter_reads_our_workbooks(
    catalog: Catalog, slug: str, tmp_path: Path
) -> None:
    # pyxform (ODK's XLSForm → XForm converter) is not a dependency: where it is
    # installed, our export must convert with no warning, as Kobo and ODK would take it.
    xls2xform = pytest.importorskip("pyxform.xls2xform")
    q = catalog.get(slug, 1)
    assert q is not None
    path = tmp_path / f"{slug}.xlsx"
    path.write_bytes(to_xlsform(q.model))
    result = xls2xform.convert(xlsform=str(path), validate=False)
    assert result.warnings == []
    assert f'id="{slug}"' in result.xform


def test_a_coordinator_neither_sees_nor_posts_the_upload_page(
    client: TestClient, session: Session, catalog: Catalog
) -> None:
    make_account(session, "lan@example.vn", role="coordinator")
    csrf = sign_in(client, "lan@example.vn")
    assert client.get("/dash/questionnaires").status_code == 403
    files = {"file": ("w.xlsx", _workbook(catalog, "ward-offices"), XLSX_MEDIA)}
    assert client.post("/dash/questionnaires", data={"csrf": csrf}, files=files).status_code == 403
    assert _stored(session) == 0
    # Downloads are for every signed-in account.
    assert client.get("/dash/questionnaires/sipas-2023/1.yaml").status_code == 200
