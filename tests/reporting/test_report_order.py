"""What an API client of the report notices (issue 15 item 22): `units` in rank order
on request, indicator names that say each thing once, and a wrong-case campaign code
answered with the code it probably meant, on every route that takes one."""

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_account, make_campaign, make_counter, make_unit
from tests.signin import sign_in

# code -> (name, satisfaction level of each response)
# The figures, not access: read live results with a key (tests/reporting/test_editions.py
# covers what the public sees).
pytestmark = pytest.mark.usefixtures("reader")


UNITS = {
    "S-A": ("Sở Xây dựng", [3, 3]),
    "S-B": ("Đài Phát thanh", [5, 5]),
    "S-C": ("Ban Quản lý", [5, 5]),
    "S-D": ("Sở Công Thương", [4]),  # one response: below min_sample, unranked
}


@pytest.fixture
def ranked(session: Session, catalog: Catalog, client: TestClient) -> None:
    p = make_unit(session, "P")
    for code, (name, _) in UNITS.items():
        make_counter(session, f"k-{code}", make_unit(session, code, "department", p, name))
    make_campaign(session, catalog, "C-ORD", [p], min_sample=2)
    for code, (_, levels) in UNITS.items():
        for level in levels:
            answers = valid_answers(catalog, level=level, expectations=["facilities"])
            r = client.post(
                "/api/v1/submissions", json=body(catalog, counter=f"k-{code}", answers=answers)
            )
            assert r.status_code == 201, r.text


def _order(client: TestClient, **params: Any) -> list[str]:
    r = client.get("/api/v1/campaigns/C-ORD/indices", params={"level": "department", **params})
    assert r.status_code == 200, r.text
    return [u["unit"] for u in r.json()["units"]]


def test_units_by_rank_code_and_name(client: TestClient, ranked: None) -> None:
    assert _order(client) == ["S-A", "S-B", "S-C", "S-D"]
    # S-B and S-C tie at rank 1 (code order between them), S-A is 3rd, S-D unranked last.
    assert _order(client, sort="rank") == ["S-B", "S-C", "S-A", "S-D"]
    ranks = client.get(
        "/api/v1/campaigns/C-ORD/indices", params={"level": "department", "sort": "rank"}
    ).json()
    assert [u["rank"] for u in ranks["units"]] == [1, 1, 3, None]
    assert ranks["sort"] == "rank"
    # Đ sorts with D (not after Z): Ban, Đài, Sở Công, Sở Xây.
    assert _order(client, sort="name") == ["S-C", "S-B", "S-D", "S-A"]
    # The CSV follows the same order; so does a unit's own report of its sub-units.
    r = client.get(
        "/api/v1/campaigns/C-ORD/indices",
        params={"level": "department", "sort": "rank", "format": "csv"},
    )
    rows = [row["unit"] for row in csv.DictReader(io.StringIO(r.text))]
    assert list(dict.fromkeys(rows)) == ["S-B", "S-C", "S-A", "S-D"]
    unit = client.get("/api/v1/campaigns/C-ORD/units/P/indices", params={"sort": "rank"}).json()
    assert [u["unit"] for u in unit["units"]] == ["S-B", "S-C", "S-A", "S-D"]


def test_unknown_sort_is_named(client: TestClient, ranked: None) -> None:
    r = client.get("/api/v1/campaigns/C-ORD/indices", params={"sort": "sipas"})
    assert r.status_code == 422
    assert [f["loc"] for f in r.json()["fields"]] == ["query.sort"]
    spec = client.get("/openapi.json").json()
    params = spec["paths"]["/api/v1/campaigns/{campaign}/indices"]["get"]["parameters"]
    (sort,) = [p for p in params if p["name"] == "sort"]
    assert sort["schema"]["enum"] == ["code", "rank", "name"]


def test_indicator_names_do_not_repeat_their_block(client: TestClient, ranked: None) -> None:
    rep = client.get("/api/v1/campaigns/C-ORD/indices", params={"level": "department"}).json()
    assert rep["units"][0]["expectations"]["facilities"]["value"] == 100.0
    assert "facilities" in rep["median"]["expectations"]
    # perception keeps design.md's `question.option`
    assert "submission_place.one_stop" in rep["units"][0]["perception"]
    r = client.get("/api/v1/campaigns/C-ORD/indices", params={"format": "csv"})
    names = {row["indicator"] for row in csv.DictReader(io.StringIO(r.text))}
    assert "expectations.facilities" in names
    assert not [n for n in names if n.startswith("expectations.expectations")]


def test_wrong_case_campaign_code_says_which_exists(
    client: TestClient, session: Session, catalog: Catalog, ranked: None
) -> None:
    hint = "did you mean 'C-ORD'?"
    for path in (
        "/api/v1/campaigns/c-ord/indices",
        "/api/v1/campaigns/c-ord/units/P/indices",
        "/api/v1/campaigns/C-ORD/indices?compare=c-ord",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert hint in r.json()["detail"], path
        assert r.json()["fields"] == [{"loc": "campaign", "msg": hint, "code": "case"}]
    r = client.post(
        "/api/v1/submissions",
        json=body(catalog, counter="k-S-A", campaign="c-ord"),
    )
    assert r.status_code == 422
    assert any(hint in f["msg"] for f in r.json()["fields"] if f["loc"] == "campaign")
    # A code nothing resembles gets the plain 404.
    r = client.get("/api/v1/campaigns/NOPE/indices")
    assert (r.status_code, r.json()["detail"]) == (404, "campaign 'NOPE' does not exist")

    make_account(session, "admin@x", "admin")
    csrf = sign_in(client, "admin@x")
    for path in (
        "/api/v1/campaigns/c-ord",
        "/api/v1/campaigns/c-ord/progress",
        "/api/v1/campaigns/c-ord/responses",
        "/api/v1/campaigns/c-ord/sheets.pdf",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert hint in r.json()["detail"], path
    r = client.post("/api/v1/campaigns/c-ord/close", headers={"X-CSRF-Token": csrf})
    assert r.status_code == 404
    assert hint in r.json()["detail"]
    for path in (
        "/dash/campaigns/c-ord",
        "/dash/campaigns/c-ord/responses",
        "/dash/campaigns/c-ord/results",
    ):
        r = client.get(path)
        assert r.status_code == 404, path
        assert "C-ORD" in r.text, path


def test_suggestions_stay_within_the_callers_area(
    client: TestClient, session: Session, catalog: Catalog, ranked: None
) -> None:
    other = make_unit(session, "Q")
    make_account(session, "q@x", "coordinator", other)
    sign_in(client, "q@x")
    r = client.get("/api/v1/campaigns/c-ord/progress")
    assert r.status_code == 404
    assert "C-ORD" not in r.json()["detail"]
