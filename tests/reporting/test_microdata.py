"""Response microdata read back as an analyst would: SPSS and Stata files with their
labels, CSV and XLSX, each scoped to the caller's area and without personal data."""

import csv
import io
from pathlib import Path

import openpyxl
import pyreadstat
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

URL = "/api/v1/campaigns/C-MICRO/microdata"


@pytest.fixture
def campaign(client: TestClient, session: Session, catalog: Catalog) -> None:
    p = make_unit(session, "P", name="Tỉnh Lai Châu")
    d1 = make_unit(session, "S1", "department", p, name="Sở Tư pháp")
    d2 = make_unit(session, "S2", "department", p, name="Sở Y tế")
    make_counter(session, "k-S1", d1)
    make_counter(session, "k-S2", d2)
    make_campaign(session, catalog, "C-MICRO", [p], min_sample=1)
    make_account(session, "admin", "admin")
    make_account(session, "s2", "coordinator", d2)
    for counter, level, extra in (
        ("k-S1", 5, {"comment": "Cán bộ nhiệt tình"}),
        ("k-S1", 2, {"TC1": 0}),
        ("k-S2", 4, {}),
    ):
        b = body(
            catalog,
            counter=counter,
            answers=valid_answers(catalog, level=level, **extra),
            dossier="H58-000123",
        )
        r = client.post("/api/v1/submissions", json=b)
        assert r.status_code == 201, r.text


def fetch(client: TestClient, tmp_path: Path, fmt: str, **params: str) -> Path:
    r = client.get(URL, params={"format": fmt, **params})
    assert r.status_code == 200, r.text
    assert f'C-MICRO-microdata.{fmt}"' in r.headers["content-disposition"]
    path = tmp_path / f"m.{fmt}"
    path.write_bytes(r.content)
    return path


def test_spss_and_stata_files_carry_vietnamese_labels(
    client: TestClient, campaign: None, tmp_path: Path
) -> None:
    sign_in(client, "admin")
    sav = fetch(client, tmp_path, "sav")
    df, meta = pyreadstat.read_sav(str(sav), user_missing=True)
    assert len(df) == 3
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    assert str(labels["TC1"]).startswith("TC1. ")
    assert labels["channel"] == "Kênh thu thập"
    assert meta.variable_value_labels["TC2"][5] == "Rất hài lòng"
    assert meta.variable_value_labels["gender"][1] in ("Nam", "Nữ")
    assert sorted(df["TC2"].tolist()) == [2, 4, 5]
    assert 0 in df["TC1"].tolist()  # "not applicable" kept as its code…
    assert meta.missing_ranges["TC1"] == [{"lo": 0.0, "hi": 0.0}]  # …and user-missing
    assert pyreadstat.read_sav(str(sav))[0]["TC1"].isna().sum() == 1
    assert set(df["unit_department"]) == {"S1", "S2"}
    assert set(df["unit_province"]) == {"P"}
    assert "Cán bộ nhiệt tình" in df["comment"].tolist()
    # Nothing that points back at a person or a tablet.
    assert not {"dossier", "dossier_hash", "device", "device_id"} & set(meta.column_names)
    assert "H58-000123" not in df.astype(str).to_string()

    # Labels longer than the format allows end on a whole word and an ellipsis.
    for values in meta.variable_value_labels.values():
        for text in values.values():
            assert len(text.encode("utf-8")) <= 120
            if text.endswith("…"):
                assert text[:-1].rstrip() == text[:-1]
    long_option = meta.variable_value_labels["submission_place"][1]
    assert long_option.endswith("…") or len(long_option.encode("utf-8")) < 120

    # The finishing time reads back as a date of this campaign, not 1970-01-01.
    assert all(t.year >= 2020 for t in df["submitted_at"])

    dta, dmeta = pyreadstat.read_dta(str(fetch(client, tmp_path, "dta")))
    assert len(dta) == 3
    assert sorted(dta["submitted_at"]) == sorted(df["submitted_at"])
    assert dmeta.variable_value_labels["TC2"][5] == "Rất hài lòng"
    _, emeta = pyreadstat.read_sav(str(fetch(client, tmp_path, "sav", lang="en")))
    assert emeta.variable_value_labels["TC2"][5] == "Very satisfied"


def test_csv_and_xlsx_microdata(client: TestClient, campaign: None, tmp_path: Path) -> None:
    sign_in(client, "admin")
    raw = fetch(client, tmp_path, "csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert len(rows) == 3
    assert {r["unit"] for r in rows} == {"S1", "S2"}
    assert rows[0]["submitted_at"][:2] == "20"  # YYYY-MM-DD HH:MM:SS, Vietnam time
    sheet = openpyxl.load_workbook(fetch(client, tmp_path, "xlsx"))["Dữ liệu"]
    names = [c.value for c in sheet[1]]
    assert names[:3] == ["id", "unit", "unit_name"]
    assert str(sheet.cell(row=2, column=names.index("TC1") + 1).value).startswith("TC1. ")
    assert sheet.max_row == 2 + 3


def test_a_coordinator_exports_only_their_area_and_the_public_nothing(
    client: TestClient, campaign: None, tmp_path: Path
) -> None:
    assert client.get(URL).status_code == 401
    sign_in(client, "s2")
    df, _ = pyreadstat.read_sav(str(fetch(client, tmp_path, "sav")))
    assert df["unit"].tolist() == ["S2"]
    bad = client.get(URL, params={"format": "pdf"})
    assert bad.status_code == 422
    assert "format" in bad.text
