"""Hostile input anywhere answers a 4xx that names what is wrong, never a 5xx."""

import json
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.collection.models import Submission
from app.questionnaires.catalog import Catalog
from tests.answers import body, valid_answers
from tests.factories import make_account
from tests.signin import sign_in

BAD = ["a\x00b", "a\ud800b"]


def post(client: TestClient, url: str, payload: Any) -> Any:
    # json.dumps escapes a lone surrogate as \\ud800, as a kiosk's JSON.stringify does.
    raw = json.dumps(payload).encode()
    return client.post(url, content=raw, headers={"content-type": "application/json"})


def locs(r: Any) -> set[str]:
    return {f["loc"] for f in r.json()["fields"]}


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("field", ["counter", "campaign", "dossier", "questionnaire"])
def test_bad_text_in_a_json_field_is_a_422_naming_it(
    client: TestClient, catalog: Catalog, place: dict[str, Any], field: str, bad: str
) -> None:
    r = post(client, "/api/v1/submissions", body(catalog, **{field: bad}))
    assert r.status_code == 422, r.text
    assert field in locs(r)


@pytest.mark.parametrize("bad", BAD)
def test_bad_text_in_an_answer_is_a_422_naming_it(
    client: TestClient, session: Session, catalog: Catalog, place: dict[str, Any], bad: str
) -> None:
    b = body(catalog, answers={**valid_answers(catalog), "comment": bad})
    r = post(client, "/api/v1/submissions", b)
    assert r.status_code == 422, r.text
    assert "answers.comment" in locs(r)
    batch = post(client, "/api/v1/submissions/batch", {"submissions": [b]})
    assert batch.status_code == 200
    assert batch.json()["results"][0]["status"] == 422
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


@pytest.mark.parametrize("year", ["0001-01-01T00:30:00+07:00", "9999-12-31T23:59:00-07:00"])
@pytest.mark.parametrize("field", ["submitted_at", "started_at"])
def test_dates_out_of_range_are_a_422(
    client: TestClient, catalog: Catalog, place: dict[str, Any], field: str, year: str
) -> None:
    r = post(client, "/api/v1/submissions", body(catalog, **{field: year}))
    assert r.status_code == 422, r.text
    assert field in locs(r)


@pytest.mark.parametrize(
    "path",
    [
        "/s/a%00b",
        "/s/a%00b/form",
        "/api/v1/campaigns/C-2026/indices?parent=a%00b",
        "/api/v1/campaigns/C-2026/indices?compare=a%00b",
        "/api/v1/campaigns/a%00b/indices",
    ],
)
def test_nul_in_a_path_or_query_value_is_a_422(
    client: TestClient, place: dict[str, Any], path: str
) -> None:
    r = client.get(path)
    assert r.status_code == 422, r.text


def test_nul_in_a_page_link_says_so_in_the_respondents_language(
    client: TestClient, place: dict[str, Any]
) -> None:
    vi = client.get("/s/k-1%00")
    assert vi.status_code == 422
    assert "ký tự không hợp lệ" in vi.text
    en = client.get("/s/k-1%00?lang=en")
    assert "characters that are not allowed" in en.text


def test_indices_dates_out_of_range_are_a_422(client: TestClient, place: dict[str, Any]) -> None:
    r = client.get("/api/v1/campaigns/C-2026/indices?date_from=0001-01-01&date_to=9999-12-31")
    assert r.status_code == 422, r.text
    assert {"query.date_from", "query.date_to"} <= locs(r)


def test_superscript_digit_in_a_form_is_an_answer_error(
    client: TestClient, session: Session, place: dict[str, Any]
) -> None:
    page = client.get("/s/k-1/form")
    assert page.status_code == 200
    r = client.post("/s/k-1/form", data={"id": "5b0c2a52-1f7e-4a7b-9d0e-2f6c8c3f9a11", "TC1": "²"})
    assert r.status_code == 422, r.text
    assert session.scalar(select(func.count()).select_from(Submission)) == 0


def test_nul_in_a_form_comment_is_an_answer_error(
    client: TestClient, place: dict[str, Any]
) -> None:
    r = client.post(
        "/s/k-1/form", data={"id": "5b0c2a52-1f7e-4a7b-9d0e-2f6c8c3f9a11", "comment": "x\x00y"}
    )
    assert r.status_code == 422, r.text


@pytest.mark.parametrize(
    ("raw", "where"),
    [(b'{"id": "caf\xe9"}', "byte 11"), (b"[" * 20000 + b"]" * 20000, "nested")],
)
def test_unparseable_bodies_say_what_and_where(
    client: TestClient, place: dict[str, Any], raw: bytes, where: str
) -> None:
    r = client.post(
        "/api/v1/submissions", content=raw, headers={"content-type": "application/json"}
    )
    assert r.status_code in (400, 422), r.text
    assert where in r.json()["detail"]


text = st.text(max_size=20) | st.sampled_from(["\x00", "\ud800", "²", "٣", "9" * 30, ""])
when = st.sampled_from(
    ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "2026-11-22T08:00:00+07:00"]
) | st.datetimes().map(lambda d: d.isoformat() + "+07:00")
answer = st.none() | st.integers(-(10**20), 10**20) | text | st.lists(text, max_size=3)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    counter=text,
    campaign=st.none() | text,
    started=st.none() | when,
    submitted=when,
    answers=st.dictionaries(st.sampled_from(["TC1", "comment", "timeliness", "x\x00"]), answer),
    query=st.dictionaries(
        st.sampled_from(["level", "parent", "compare", "date_from", "date_to", "gender", "top"]),
        text | st.dates().map(str),
    ),
    form=st.dictionaries(st.sampled_from(["TC1", "comment", "_step", "id", "started_at"]), text),
)
def test_no_input_gives_a_5xx(
    client: TestClient,
    catalog: Catalog,
    place: dict[str, Any],
    reader: str | None,  # the indices are read with a key: the query reaches the report
    counter: str,
    campaign: str | None,
    started: str | None,
    submitted: str,
    answers: dict[str, Any],
    query: dict[str, str],
    form: dict[str, str],
) -> None:
    b = body(catalog, counter=counter, campaign=campaign, started_at=started)
    b["submitted_at"] = submitted
    b["answers"] = {**valid_answers(catalog), **answers}
    raw = json.dumps(b).encode()
    headers = {"content-type": "application/json"}
    for r in (
        client.post("/api/v1/submissions", content=raw, headers=headers),
        client.post(
            "/api/v1/submissions/batch", content=b'{"submissions": [' + raw + b"]}", headers=headers
        ),
        client.get("/api/v1/campaigns/C-2026/indices", params=_safe(query)),
        client.post("/s/k-1/form", data=_safe(form)),
        client.get("/s/" + (quote(_safe({"c": counter})["c"], safe="") or "x")),
    ):
        assert r.status_code < 500, (r.request.url, r.text)


def _safe(values: dict[str, str]) -> dict[str, str]:
    # A URL or form can carry only UTF-8; a lone surrogate goes as its replacement.
    return {k: v.encode("utf-8", "replace").decode() for k, v in values.items()}


DASH_FORMS = {
    "/dash/campaigns/new": ["code", "name", "starts_on", "ends_on", "questionnaire", "min_sample"]
    + ["quota_policy", "units", "kind", "parent", "pick", "is_private"],
    "/dash/campaigns/C-2026/settings": ["name", "starts_on", "ends_on", "questionnaire"]
    + ["min_sample", "units", "kind", "parent", "pick"],
    "/dash/campaigns/C-2026/targets": ["target.P", "target.x", "target.P-S01"],
    "/dash/campaigns/C-2026/quotas": ["quotas"],
    "/dash/campaigns/C-2026/status": ["status", "confirm"],
    "/dash/users": ["login", "name", "role", "unit", "password"],
    "/dash/keys": ["label", "unit"],
    "/dash/account/password": ["current", "new", "repeat"],
    "/dash/campaigns/C-2026/responses/x/exclude": ["reason"],
}
number = st.sampled_from(["²", "١٢", "٣", "9" * 30, "-1", "0", "1e3", "nan", "0,05", "12"])


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    url=st.sampled_from(sorted(DASH_FORMS)),
    values=st.lists(text | number | st.dates().map(str), min_size=12, max_size=12),
    margin=text | number,
    csv_body=st.binary(max_size=60) | st.sampled_from([b"unit,transactions\nP,\xb2\n"]),
)
# What was seen to fail: '²'.isdigit() is true and int('²') raises; NUL in a name.
@example(
    url="/dash/campaigns/new",
    values=["C-9", "Tên", "2026-01-01", "2026-02-01", "sipas-2017/1", "²", "accept", "P"]
    + [""] * 4,
    margin="0,05",
    csv_body=b"unit,transactions\nP,12\n",
)
@example(
    url="/dash/campaigns/C-2026/settings",
    values=["Tên\x00", "2026-01-01", "2026-02-01", "sipas-2017/1", "30", "P"] + [""] * 6,
    margin="١",
    csv_body=b"unit,transactions\nP,\xd9\xa1\n",
)
def test_no_dashboard_form_gives_a_5xx(
    client: TestClient,
    session: Session,
    place: dict[str, Any],
    url: str,
    values: list[str],
    margin: str,
    csv_body: bytes,
) -> None:
    if not client.cookies.get("sipas_session"):
        make_account(session, "hypo@p", "admin")
        client.headers["x-csrf"] = sign_in(client, "hypo@p")
    csrf = client.headers["x-csrf"]
    form = _safe(dict(zip(DASH_FORMS[url], values, strict=False)))
    r = client.post(url, data={"csrf": csrf, **form}, follow_redirects=False)
    assert r.status_code < 500, (url, form, r.text[-400:])
    if any("\x00" in v for v in form.values()):
        assert r.status_code == 422, (url, form)
    r = client.post(
        "/dash/campaigns/C-2026/targets.csv",
        data={"csrf": csrf, "margin": _safe({"m": margin})["m"]},
        files={"file": ("n.csv", csv_body, "text/csv")},
    )
    assert r.status_code < 500, (margin, csv_body, r.text[-400:])
