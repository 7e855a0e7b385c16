"""Health checks, OpenAPI and the questionnaire API."""

from fastapi.testclient import TestClient


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/questionnaires/{slug}/{version}" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_questionnaire_contract(client: TestClient) -> None:
    listing = client.get("/api/v1/questionnaires").json()
    assert {"slug": "sipas-2017", "version": 1}.items() <= listing[0].items()
    q = client.get("/api/v1/questionnaires/sipas-2017/1").json()
    assert [f["code"] for f in q["factors"]] == ["TC", "TT", "CC", "KQ", "GY"]
    first = q["factors"][0]["items"][0]
    assert first["code"] == "TC1"
    assert set(first["text"]) == {"vi", "en"}
    by_code = {x["code"]: x for x in q["questions"]}
    assert by_code["late_apology"]["show_if"] == {"timeliness": ["late"]}
    assert by_code["expectations"]["max_choices"] == 3
    assert [o["code"] for o in by_code["timeliness"]["options"]] == ["early", "on_time", "late"]
    assert "TC1" not in by_code  # criteria are listed under their factor


def test_unknown_questionnaire_is_a_json_404(client: TestClient) -> None:
    r = client.get("/api/v1/questionnaires/sipas-2017/7")
    assert r.status_code == 404
    assert r.json() == {
        "error": "not_found",
        "detail": "questionnaire sipas-2017 v7 does not exist",
        "fields": [],
    }
    r = client.get("/api/v1/nothing-here")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
