"""The OpenAPI document matches what the service answers (Schemathesis).

Every operation of `/openapi.json` is exercised by three callers (anonymous, a
read-only API key, a signed-in admin's session cookie with its CSRF token) in
Schemathesis's examples, coverage and fuzzing phases. A test fails on any 5xx, on
a status the document does not list for the operation, on a body or header that
does not match the documented schema, and on a wrong answer to a method the
operation does not have (405 with a correct `Allow`).

The stateful phase is left out: the document declares no links between
operations, so it would only repeat the fuzzing phase's single calls.
"""

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import settings
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi import checks as openapi_checks
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.security import SESSION_COOKIE
from app.core.db import get_session
from app.main import app
from app.questionnaires.catalog import Catalog
from tests.answers import body
from tests.factories import make_account, make_campaign, make_counter, make_unit

CAMPAIGN, UNIT, DEPT, COUNTER = "C-2026", "P", "P-S01", "k-1"
STORED = uuid.UUID("5b0c2a52-1f7e-4a7b-9d0e-2f6c8c3f9a11")

# Half of the generated path values are replaced by codes that exist, so the
# operations answer with their real 200 bodies (and their 401/403/409), not only
# with 404. Bounded: the whole module stays within about 90 s on two cores.
CONFIG = SchemathesisConfig.from_dict(
    {
        "seed": 20261122,
        "generation": {"max-examples": 8, "database": "none"},
        "phases": {
            "examples": {"enabled": True},
            "coverage": {"enabled": True},
            "fuzzing": {"enabled": True},
            "stateful": {"enabled": False},
        },
        "dictionaries": {
            "campaigns": {"values": [CAMPAIGN]},
            "units": {"values": [UNIT, DEPT]},
            "counters": {"values": [COUNTER]},
            "stored": {"values": [str(STORED)]},
        },
        "parameters": {
            "path.campaign": {"dictionary": "campaigns", "probability": 0.5},
            "path.unit": {"dictionary": "units", "probability": 0.5},
            "path.counter": {"dictionary": "counters", "probability": 0.5},
            "path.submission_id": {"dictionary": "stored", "probability": 0.5},
            "path.response_id": {"dictionary": "stored", "probability": 0.5},
        },
    }
)
schema = schemathesis.openapi.from_asgi("/openapi.json", app, config=CONFIG)

# Left out: positive_data_acceptance, since a body that fits the schema is not yet a
# valid response to the questionnaire (its 422 naming the field is documented), and
# use_after_free and friends, which need links the document does not declare.
CHECKS = [
    schemathesis.checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_headers_conformance,
    openapi_checks.response_schema_conformance,
    openapi_checks.negative_data_rejection,
    openapi_checks.missing_required_header,
    openapi_checks.unsupported_method,
    openapi_checks.allow_header_conformance,
]


@dataclass(frozen=True)
class Callers:
    headers: dict[str, dict[str, str]]


def _savepoint_per_request(session: Session) -> Callable[[], Iterator[Session]]:
    """Each request in its own savepoint of `session`, as conftest's `client` does."""

    def override() -> Iterator[Session]:
        nested = session.begin_nested()
        try:
            yield session
        except BaseException:
            nested.rollback()
            raise
        else:
            nested.commit()

    return override


@pytest.fixture(scope="module")
def callers(engine: Engine, catalog: Catalog) -> Iterator[Callers]:
    """A province with a department, a counter, an open published campaign holding one
    response, and the credentials of each kind of caller.

    One world for the whole module, in one transaction rolled back at its end (as
    conftest's `session` is per test): building it again for each of the 78
    operation-and-caller tests would cost more than their calls."""
    with engine.connect() as conn:
        outer = conn.begin()
        session = Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        )
        app.dependency_overrides[get_session] = _savepoint_per_request(session)
        try:
            province = make_unit(session, UNIT)
            dept = make_unit(session, DEPT, "department", province)
            make_counter(session, COUNTER, dept)
            make_campaign(session, catalog, CAMPAIGN, [province])
            with TestClient(app) as client:
                stored = client.post("/api/v1/submissions", json=body(catalog, id=str(STORED)))
            assert stored.status_code == 201, stored.text
            admin = make_account(session, "admin@p", "admin")
            token = accounts.start_session(session, admin)
            who = accounts.principal_for_session(session, token)
            assert who is not None
            assert who.csrf_token
            _, key = accounts.create_api_key(session, "contract test")
            yield Callers(
                {
                    "anonymous": {},
                    "api_key": {"Authorization": f"Bearer {key}"},
                    "session": {
                        "Cookie": f"{SESSION_COOKIE}={token}",
                        "X-CSRF-Token": who.csrf_token,
                    },
                }
            )
        finally:
            app.dependency_overrides.clear()
            session.close()
            outer.rollback()


@schema.parametrize()
# A report under two other test runs on two cores can take longer than Hypothesis's
# default 200 ms deadline; slowness is the benchmarks' business, not this test's.
@settings(deadline=None)
@pytest.mark.parametrize("caller", ["anonymous", "api_key", "session"])
def test_responses_match_the_document(case: Any, caller: str, callers: Callers) -> None:
    case.call_and_validate(headers=callers.headers[caller], checks=CHECKS)
