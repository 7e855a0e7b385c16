"""What the API answers besides each route's own result: one error shape, the
methods a path allows, and the enumerations the document gives for checked values.

Every error on `/api` (an `AppError`, a request FastAPI could not validate, an
unknown path or method) is rendered as `Error`; `errors()` documents it, with the
statuses a route can give, in the route's `responses=`. A route that declares its
422 this way keeps FastAPI's `HTTPValidationError` out of the document, which is
not what the service sends.
"""

from collections.abc import Callable, Iterable
from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.routing import Match

# Why each status happens, in general terms; a route names its own cases where they
# matter to a client (which kind of 409, which 403).
_WHY: dict[int, str] = {
    304: "Not modified: the ETag sent in If-None-Match is still current.",
    401: "No valid credentials: sign in, or send `Authorization: Bearer <API key>` "
    "(an unknown or revoked key is refused, not treated as anonymous).",
    403: "Outside the caller's role or area, an API key where a signed-in coordinator is "
    "needed, or a missing or wrong `X-CSRF-Token`.",
    404: "Not found.",
    409: "Conflicts with what is stored.",
    413: "The body is larger than the limit.",
    422: "Invalid: `fields` lists every bad field (path, query, cookie or body).",
    429: "Too many requests; retry after `Retry-After` seconds.",
    503: "The database is busy or unreachable; retry after `Retry-After` seconds.",
}

_RETRY_AFTER = {
    "description": "Seconds after which a retry may succeed.",
    "schema": {"type": "integer", "minimum": 0},
}
_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The scheme that would work: `Bearer`.",
            "required": True,
            "schema": {"type": "string"},
        }
    },
    429: {"Retry-After": {**_RETRY_AFTER, "required": True}},
    # Every database wait that ran out says when to come back; a missing QR font
    # (a 503 of the sheets) is not transient and says nothing.
    503: {"Retry-After": _RETRY_AFTER},
}


class FieldProblem(BaseModel):
    """One bad field: where it is and what is wrong with it."""

    loc: str = Field(description="Dotted path, e.g. `answers.TC1`, `level`, `body`.")
    msg: str = Field(description="What is wrong, in a sentence.")
    code: str = Field(description="Machine-readable reason, e.g. `value`, `missing`, `bad_text`.")


class Error(BaseModel):
    """Every error answer of the API."""

    error: str = Field(
        description="Kind, e.g. `invalid`, `bad_text`, `not_found`, `unauthorized`, "
        "`forbidden`, `conflict`, `quota_full`, `rate_limited`, `too_large`, `busy`, "
        "`unavailable`, `method_not_allowed`."
    )
    detail: str = Field(description="What went wrong, in a sentence.")
    fields: list[FieldProblem] = Field(description="Every bad field; empty when none applies.")


def errors(*statuses: int, **why: str) -> dict[int | str, dict[str, Any]]:
    """`responses=` for a route: each status with the `Error` body, its headers and a
    description; `why` overrides a description, keyed `s404="Unknown campaign."`."""
    out: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        entry: dict[str, Any] = {"description": why.get(f"s{status}", _WHY[status])}
        if status != 304:  # a 304 has no body
            entry["model"] = Error
        if status in _HEADERS:
            entry["headers"] = _HEADERS[status]
        out[status] = entry
    return out


# The methods a route can be declared with; OPTIONS is answered for every path.
_METHODS = ("DELETE", "GET", "HEAD", "PATCH", "POST", "PUT")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route serves at this request's path, for `Allow`.

    Starlette answers 405 with the methods of the first route whose path matched, but
    FastAPI makes one route per method, so `GET` and `POST /api/v1/campaigns` are two
    routes and the first alone would leave POST out. Each method is tried against the
    router as a request would be, so included routers are searched too."""
    allowed = []
    for method in _METHODS:
        probe = {**request.scope, "method": method}
        if any(route.matches(probe)[0] == Match.FULL for route in request.app.router.routes):
            allowed.append(method)
    if "GET" in allowed and "HEAD" not in allowed:
        allowed.append("HEAD")  # app.core.head answers HEAD wherever GET is served
    return sorted([*allowed, "OPTIONS"]) if allowed else []


def one_of(values: Callable[[], Iterable[str]]) -> Callable[[dict[str, Any]], None]:
    """`json_schema_extra` that sets a parameter's or field's `enum` in the OpenAPI
    document from `values`, read when the document is built: the lists come from where
    the service checks against them (questionnaire options, unit kinds, channels),
    never from a copy."""

    def extra(schema: dict[str, Any]) -> None:
        for branch in schema.get("anyOf", [schema]):  # `str | None`: the string branch
            if branch.get("type") == "array":  # a list of them
                branch = branch["items"]
            if branch.get("type") == "string":
                branch["enum"] = list(values())

    return extra
