"""The FastAPI application."""

import logging

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.gzip import GZipMiddleware

from app.access import admin, signin
from app.access.dash_render import dash_error, is_dash
from app.access.security import SESSION_COOKIE
from app.campaigns import api as campaigns
from app.campaigns import comment_pages, review_pages
from app.campaigns import pages as dashboard
from app.collection import api as submissions
from app.collection import authoring_pages, file_pages
from app.collection import pages as respondent
from app.collection import sheet_pages as sheets
from app.collection import tablet_pages as tablets
from app.core import accesslog, apidocs, health, metrics
from app.core.config import get_settings
from app.core.db import unavailable
from app.core.errors import AppError, FieldError, Invalid, TooManyRequests
from app.core.head import HeadAsGet
from app.core.inputs import check_request, unparseable
from app.core.limits import BodyLimit
from app.core.logs import RequestContext
from app.core.replica import FreshAfterWrite
from app.core.responses import allowed_methods
from app.questionnaires import api as questionnaires
from app.questionnaires.catalog import get_catalog
from app.reporting import api as indices
from app.reporting import pages as results
from app.reporting import public_pages, publish_pages
from app.web.render import STATIC_DIR, error_page
from app.web.static import CachedStatic

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


_DASH_KEYS = {
    "int_parsing": "int_parsing",
    "int_type": "int_parsing",
    "literal_error": "choice_invalid",
    "enum": "choice_invalid",
}


def _dash_problem(error: dict) -> FieldError:
    """A request validation error by message key, for the dashboard's pages."""
    where = [str(p) for p in error["loc"] if p not in ("body", "query", "path", "form")]
    loc = ".".join(where) or "body"
    ctx = error.get("ctx") or {}
    if error["type"] == "bad_text" and "key" in ctx:
        return FieldError.of(loc, ctx["key"], "bad_text", at=ctx["at"])
    key = _DASH_KEYS.get(error["type"], "invalid_value")
    return FieldError.of(loc, key, error["type"], what=_msg(error))


def _is_page(request: Request) -> bool:
    """Respondents get errors as pages in their language; everything else gets JSON."""
    path = request.url.path
    return path.startswith(("/s/", "/kiosk", "/results/")) and not path.endswith(
        (".svg", ".png", ".pdf")
    )


def _headers(exc: AppError) -> dict[str, str] | None:
    headers: dict[str, str] = {}
    if exc.status_code == 401:  # RFC 9110: a 401 names the scheme that would work.
        headers["WWW-Authenticate"] = 'Bearer realm="sipas"'
    if exc.retry_after is not None:
        headers["Retry-After"] = str(exc.retry_after)
    return headers or None


def create_app() -> FastAPI:
    """Build the app; a broken questionnaire file stops start-up with its message."""
    get_catalog()
    accesslog.install()
    metrics.forget_dead_workers()
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
        # Our own /docs and /redoc (app/core/apidocs.py) serve their assets locally.
        docs_url=None,
        redoc_url=None,
    )

    _add_error_handlers(app)
    _include_routers(app)
    app.mount(apidocs.ASSETS_URL, apidocs.assets(), name="docs-assets")
    app.mount("/static", CachedStatic(directory=STATIC_DIR), name="static")
    _add_middleware(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    """One AppError tree, three renderings: the dashboard's page, the respondent's page, JSON."""

    @app.exception_handler(AppError)
    async def app_error(request: Request, exc: AppError) -> Response:
        response = _render_app_error(request, exc)
        if isinstance(exc, TooManyRequests):
            # RFC 9110 §10.2.3: a client (a kiosk's queue) knows when to come back.
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    def _render_app_error(request: Request, exc: AppError) -> Response:
        if is_dash(request):
            response = dash_error(request, exc)
        elif _is_page(request):
            response = error_page(request, exc.status_code, exc.kind)
        else:
            return JSONResponse(exc.as_dict(), status_code=exc.status_code, headers=_headers(exc))
        response.headers.update(_headers(exc) or {})
        return response

    @app.exception_handler(RequestValidationError)
    async def request_invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = [{"loc": _loc(e["loc"]), "msg": _msg(e), "code": e["type"]} for e in exc.errors()]
        detail = f"{len(fields)} invalid field(s)"
        if is_dash(request):
            problems = [_dash_problem(e) for e in exc.errors()]
            return dash_error(request, Invalid.of("invalid_fields", problems, n=len(problems)))
        body = {"error": "invalid", "detail": detail, "fields": fields}
        return JSONResponse(body, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if (why := unparseable(exc)) is not None:
            return await app_error(request, why)
        if exc.status_code == 405:
            allow = ", ".join(allowed_methods(request))
            if request.method == "OPTIONS":
                # RFC 9110 §9.3.7: OPTIONS asks which methods the path has; that is
                # an answer, not an error.
                return Response(status_code=204, headers={"Allow": allow})
            exc.headers = {**(exc.headers or {}), "Allow": allow}
        if is_dash(request):
            key = {404: "not_found_page", 405: "method_not_allowed"}.get(exc.status_code)
            error = AppError.of(key) if key else AppError.of("http_error", what=str(exc.detail))
            return dash_error(request, error, exc.status_code)
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
        if (busy := unavailable(exc)) is not None:
            # The database is slow or away: a retry will do, so say 503, not 500.
            log.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
            return await app_error(request, busy)
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        if is_dash(request):
            return dash_error(request, AppError.of("internal"), 500)
        if _is_page(request):
            return error_page(request, 500, "internal")
        return JSONResponse(
            {"error": "internal", "detail": "internal error; it has been logged", "fields": []},
            status_code=500,
        )


def _include_routers(app: FastAPI) -> None:
    """Every domain's routers, in the order the OpenAPI document lists them."""
    app.include_router(health.router)
    app.include_router(metrics.router)
    app.include_router(apidocs.router)
    app.include_router(questionnaires.router)
    app.include_router(authoring_pages.api)
    app.include_router(authoring_pages.router)
    app.include_router(submissions.router)
    app.include_router(indices.router)
    app.include_router(campaigns.router)
    app.include_router(sheets.router)
    app.include_router(respondent.router)
    app.include_router(signin.router)
    app.include_router(dashboard.router)
    app.include_router(review_pages.router)
    app.include_router(comment_pages.router)
    app.include_router(results.router)
    app.include_router(public_pages.router)
    app.include_router(publish_pages.router)
    app.include_router(admin.router)
    app.include_router(tablets.router)
    app.include_router(file_pages.router)


def _add_middleware(app: FastAPI) -> None:
    """Body limits per public endpoint, then compression."""
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
    # With a replica: a signed-in reader's reads follow their own writes (app/core/replica.py).
    app.add_middleware(FreshAfterWrite, session_cookie=SESSION_COOKIE)
    # Inside HeadAsGet, which hands a copy of the scope on: the router writes the
    # matched route into the scope this middleware holds.
    app.add_middleware(metrics.RequestMetrics)
    app.add_middleware(RequestContext)
    app.add_middleware(HeadAsGet)  # outermost: HEAD sees exactly GET's headers


app = create_app()
