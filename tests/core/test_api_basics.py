"""Health checks, OpenAPI, methods and the questionnaire API."""

import json

from fastapi.testclient import TestClient

from app.collection.models import CHANNELS
from app.questionnaires.catalog import Catalog
from app.units.models import UNIT_KINDS


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
    # Options appear only where they apply: no null max_length on a choice question.
    assert "max_length" not in by_code["expectations"]
    assert "max_choices" not in by_code["timeliness"]


def test_questionnaire_routes_document_their_bodies(client: TestClient) -> None:
    """Clients (and the contract test) can check a 200 body against the document."""
    paths = client.get("/openapi.json").json()["paths"]
    listing = paths["/api/v1/questionnaires"]["get"]["responses"]["200"]
    one = paths["/api/v1/questionnaires/{slug}/{version}"]["get"]["responses"]["200"]
    assert listing["content"]["application/json"]["schema"]["items"] == {
        "$ref": "#/components/schemas/QuestionnaireSummary"
    }
    assert one["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/QuestionnaireOut"
    }


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


def test_other_methods_get_405_with_every_allowed_method(client: TestClient) -> None:
    """A script that tries the wrong method learns every method the path has."""
    wrong = client.delete("/api/v1/campaigns")
    assert wrong.status_code == 405
    assert wrong.headers["allow"] == "GET, HEAD, OPTIONS, POST"  # HEAD wherever GET is
    assert wrong.json()["error"] == "method_not_allowed"
    # "batch" is not a submission id: GET there is the wrong method, not a bad id.
    batch = client.get("/api/v1/submissions/batch")
    assert batch.status_code == 405
    assert batch.headers["allow"] == "OPTIONS, POST"
    options = client.options("/api/v1/campaigns/C-1")
    assert options.status_code == 204
    assert options.headers["allow"] == "GET, HEAD, OPTIONS, PUT"
    assert client.options("/api/v1/nothing-here").status_code == 404


def test_the_document_gives_the_real_error_shape_and_the_checked_lists(
    client: TestClient, catalog: Catalog
) -> None:
    """Clients generated from the document parse the errors the service sends, and see
    the option codes it accepts."""
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in json.dumps(spec)
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for status, answer in operation["responses"].items():
                if status[0] in "45":
                    schema = answer["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/Error"}, (method, path)
    indices = spec["paths"]["/api/v1/campaigns/{campaign}/indices"]["get"]["parameters"]
    enums = {
        p["name"]: p["schema"]["anyOf"][0].get("enum") for p in indices if "anyOf" in p["schema"]
    }
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    assert enums["gender"] == q.questions["gender"].option_codes
    assert enums["age_band"] == q.questions["age_band"].option_codes
    assert enums["level"] == list(UNIT_KINDS)
    assert enums["channel"] == list(CHANNELS)
