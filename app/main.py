"""The FastAPI application."""

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from app.api import campaigns, health, indices, questionnaires, submissions
from app.catalog import get_catalog
from app.config import get_settings
from app.errors import AppError, FieldError, Invalid
from app.inputs import check_request, unparseable
from app.limits import BodyLimit
from app.pages import admin, dashboard, respondent, results, sheets, signin
from app.pages.dash_render import dash_error, is_dash
from app.pages.render import STATIC_DIR, error_page
from app.static import CachedStatic

log = logging.getLogger("sipas")


def _loc(parts: tuple[int | str, ...]) -> str:
    # ("body", "answers", "TC1") -> "answers.TC1": clients know their own body.
    items = [str(p) for p in parts if p not in ("body",)]
    return ".".join(items) or "body"


def _msg(error: dict) -> str:
    # FastAPI says only "JSON decode error"; the decoder's own words say what and where.
    if error["type"] == "json_invalid":
        where = error["loc"][-1]
        return f"not valid JSON: {error.get('ctx', {}).get('error', '')} at character {where}"
    return str(error["msg"])


def _is_page(request: Request) -> bool:
    """Respondents get errors as pages in their language; everything else gets JSON."""
    path = request.url.path
    return path.startswith(("/s/", "/kiosk")) and not path.endswith((".svg", ".png", ".pdf"))


def create_app() -> FastAPI:
    """Build the app; a broken questionnaire file stops start-up with its message."""
    get_catalog()
    app = FastAPI(
        title="SIPAS survey and satisfaction-index service",
        version="0.1.0",
        description=(
            "Collects the SIPAS questionnaire (QĐ 2640/QĐ-BNV) at one-stop counters and on "
            "phones, and publishes satisfaction indices per agency. Errors on `/api` are "
            '`{"error": kind, "detail": sentence, "fields": [{"loc", "msg", "code"}]}`.'
        ),
        # Every route, present and future, refuses NUL and lone surrogates in its
        # path, query and cookie values before any of it reaches a service.
        dependencies=[Depends(check_request)],
    )

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        if is_dash(request):
            return dash_error(request, exc)
        if _is_page(request):
            return error_page(request, exc.status_code, exc.kind)
        # RFC 9110: a 401 names the scheme that would work.
        headers = {"WWW-Authenticate": 'Bearer realm="sipas"'} if exc.status_code == 401 else None
        return JSONResponse(exc.as_dict(), status_code=exc.status_code, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = [{"loc": _loc(e["loc"]), "msg": _msg(e), "code": e["type"]} for e in exc.errors()]
        detail = f"{len(fields)} invalid field(s)"
        if is_dash(request):
            problems = [FieldError(f["loc"], f["msg"], f["code"]) for f in fields]
            return dash_error(request, Invalid(detail, problems))
        body = {"error": "invalid", "detail": detail, "fields": fields}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if (why := unparseable(exc)) is not None:
            return await app_error(request, why)
        if is_dash(request):
            return dash_error(request, AppError(str(exc.detail)), exc.status_code)
        if _is_page(request):
            return error_page(request, exc.status_code, "http_error")
        kind = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return JSONResponse(
            {"error": kind, "detail": str(exc.detail), "fields": []},
            status_code=exc.status_code,
            headers=exc.headers,
        )

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if is_dash(request):
            return dash_error(request, AppError("internal error; it has been logged"), 500)
        if _is_page(request):
            return error_page(request, 500, "internal")
        return JSONResponse(
            {"error": "internal", "detail": "internal error; it has been logged", "fields": []},
            status_code=500,
        )

    app.include_router(health.router)
    app.include_router(questionnaires.router)
    app.include_router(submissions.router)
    app.include_router(indices.router)
    app.include_router(campaigns.router)
    app.include_router(sheets.router)
    app.include_router(respondent.router)
    app.include_router(signin.router)
    app.include_router(dashboard.router)
    app.include_router(results.router)
    app.include_router(admin.router)
    app.mount("/static", CachedStatic(directory=STATIC_DIR), name="static")
    settings = get_settings()
    app.add_middleware(
        BodyLimit,
        limits={
            "/api/v1/submissions": settings.MAX_BODY_BYTES,
            "/api/v1/submissions/batch": settings.MAX_BATCH_BODY_BYTES,
            "/s/": settings.MAX_BODY_BYTES,
        },
    )
    # Pages and reports compress well (a questionnaire page ~8x); tiny JSON
    # receipts are left alone.
    app.add_middleware(GZipMiddleware, minimum_size=600)
    return app


app = create_app()
