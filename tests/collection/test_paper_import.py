"""Paper forms typed into a spreadsheet: every error with its line and column."""

import csv
import io
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignStatus
from app.collection.models import Submission
from app.collection.paper import import_paper, paper_id
from app.core.errors import Invalid
from app.questionnaires.catalog import Catalog
from tests.answers import valid_answers
from tests.factories import make_campaign


def sheet(catalog: Catalog, rows: list[dict[str, Any]]) -> bytes:
    """A CSV with every question column, as a coordinator's template has."""
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    columns = ["form", "date", "unit", "counter", *q.questions]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, columns, restval="")
    writer.writeheader()
    for r in rows:
        writer.writerow({k: ";".join(v) if isinstance(v, list) else v for k, v in r.items()})
    return buf.getvalue().encode("utf-8-sig")


def form(catalog: Catalog, number: str, **over: Any) -> dict[str, Any]:
    return {"form": number, "date": "2026-03-02", "unit": "P-S01", **valid_answers(catalog, **over)}


def stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Submission)) or 0


def test_import_then_reimport_is_safe(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    data = sheet(
        catalog,
        [
            form(catalog, "001"),
            form(catalog, "002", timeliness="late", late_notified="no", late_apology="no"),
        ],
    )
    first = import_paper(session, catalog, "C-2026", data, "forms.csv")
    assert (first.created, first.unchanged) == (2, 0)
    row = session.get_one(Submission, paper_id("C-2026", "002"))
    assert row.channel == "paper"
    assert row.answers["late_notified"] == "no"
    assert row.answers["info_channels"] == ["commune_authority", "internet"]
    assert row.submitted_at.date().isoformat() == "2026-03-02"
    again = import_paper(session, catalog, "C-2026", data, "forms.csv")
    assert (again.created, again.unchanged) == (0, 2)
    assert stored(session) == 2


def test_every_error_has_its_line_and_column(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    rows = [
        form(catalog, "001"),
        form(catalog, "002", TC3=7),
        form(catalog, "003", KQ1="good", timeliness="soon"),
        form(catalog, "004", late_notified="yes"),
        {**form(catalog, "005"), "unit": "Q"},
        {**form(catalog, "006"), "date": "02/03/2026"},
        form(catalog, "002"),
        form(catalog, "008", HL=None),
    ]
    with pytest.raises(Invalid) as exc:
        import_paper(session, catalog, "C-2026", sheet(catalog, rows), "forms.csv")
    got = {(f.loc, f.msg.split(";")[0]) for f in exc.value.fields}
    assert got == {
        ("line 3, column TC3", "7 is not on the scale: an integer 1–5, or 0 for not applicable"),
        ("line 4, column KQ1", "'good' is not a number on the scale (1–5, 0 = not applicable)"),
        ("line 4, column timeliness", "'soon' is not an option"),
        ("line 5, column late_notified", "must not be answered unless timeliness is late"),
        ("line 6, column unit", "unit 'Q' is outside the scope of campaign 'C-2026'"),
        ("line 7, column date", "'02/03/2026' is not a date (YYYY-MM-DD)"),
        ("line 8, column form", "form '002' appears twice (first on line 3)"),
        ("line 9, column HL", "an answer is required"),
    }
    assert "nothing was imported" in exc.value.detail
    assert stored(session) == 0


def test_changed_rows_and_bad_headers(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    import_paper(session, catalog, "C-2026", sheet(catalog, [form(catalog, "001")]), "a.csv")
    with pytest.raises(Invalid, match="imported before with different answers") as exc:
        import_paper(
            session, catalog, "C-2026", sheet(catalog, [form(catalog, "001", TC1=1)]), "a.csv"
        )
    assert exc.value.fields[0].loc == "line 2, column form"
    with pytest.raises(Invalid, match="bad header") as exc:
        import_paper(session, catalog, "C-2026", b"form,date,unit,TC1,XX\n", "b.csv")
    msgs = {f.msg for f in exc.value.fields}
    assert "unknown column 'XX'" in msgs
    with pytest.raises(Invalid, match="bad header") as exc:
        import_paper(
            session, catalog, "C-2026", b"form,date,unit,TC1\n1,2026-01-01,P-S01,4\n", "c.csv"
        )
    assert "missing column 'TC2' (a required question)" in {f.msg for f in exc.value.fields}
    assert stored(session) == 1


def test_campaign_must_be_open(session: Session, catalog: Catalog, place: dict[str, Any]) -> None:
    make_campaign(session, catalog, "C-DRAFT", [place["province"]], status=CampaignStatus.draft)
    with pytest.raises(Invalid, match="campaign 'C-DRAFT' is draft; open it before importing"):
        import_paper(session, catalog, "C-DRAFT", sheet(catalog, [form(catalog, "1")]), "d.csv")


def test_straight_lined_paper_forms_are_flagged(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    data = sheet(catalog, [form(catalog, "010"), form(catalog, "011", TC1=5)])
    import_paper(session, catalog, "C-2026", data, "forms.csv")
    assert session.get_one(Submission, paper_id("C-2026", "010")).quality_flags == [
        "straight_lining"
    ]
    # Paper has no timing, so it is never flagged as speeding.
    assert session.get_one(Submission, paper_id("C-2026", "011")).quality_flags == []


def test_a_2023_paper_form_is_read_on_each_question_s_own_scale(
    session: Session, catalog: Catalog, place: dict[str, Any]
) -> None:
    # C-2026 on the household questionnaire: a 4-level question read as 1–4 (its
    # scale has no "not applicable"), a satisfaction item as 1–5 with 0.
    session.execute(
        update(Campaign).where(Campaign.code == "C-2026").values(questionnaire="sipas-2023")
    )
    q = catalog.get("sipas-2023", 1)
    assert q is not None
    rows = [
        {"form": "1", "date": "2026-03-02", "unit": "P-S01", "adult": "yes", "C1_economy": "x"},
        {"form": "2", "date": "2026-03-02", "unit": "P-S01", "adult": "yes", "P01": "tốt"},
        {"form": "3", "date": "2026-03-02", "unit": "P-S01", "adult": "yes", "C1_economy": "5"},
    ]
    buf = io.StringIO()
    writer = csv.DictWriter(buf, ["form", "date", "unit", "counter", *q.questions], restval="")
    writer.writeheader()
    writer.writerows(rows)
    with pytest.raises(Invalid) as exc:
        import_paper(session, catalog, "C-2026", buf.getvalue().encode(), "forms.csv")
    got = {(f.loc, f.msg.split(";")[0]) for f in exc.value.fields}
    assert ("line 2, column C1_economy", "'x' is not a number on the scale (1–4)") in got
    assert (
        "line 3, column P01",
        "'tốt' is not a number on the scale (1–5, 0 = not applicable)",
    ) in got
    assert any(loc == "line 4, column C1_economy" and "5" in msg for loc, msg in got), got
    assert stored(session) == 0
