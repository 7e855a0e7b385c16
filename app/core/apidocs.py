"""The API's documentation pages, `/docs` (Swagger UI) and `/redoc`, with every asset
served by the app itself.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and are blank on an offline
government network. The `fastapi-offline` package (MIT) ships current builds of both
(swagger-ui-dist 5, Apache-2.0; redoc 2, MIT; their licences are in the package); we
use only its files, served under `/static/docs/`, and FastAPI's own HTML builders.
"""

from importlib.resources import files

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from fastapi.responses import HTMLResponse
from starlette.staticfiles import StaticFiles

ASSETS_URL = "/static/docs"
ASSETS_DIR = str(files("fastapi_offline") / "static")

router = APIRouter(include_in_schema=False)

# The pages' own inline start-up scripts run; nothing may load from elsewhere (ReDoc's
# bundle asks for a logo on its vendor's CDN, refused here before it leaves the browser).
_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "script-src 'self' 'unsafe-inline'; worker-src 'self' blob:; connect-src 'self'; "
    "font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'"
)


def _local_only(page: HTMLResponse) -> HTMLResponse:
    page.headers["Content-Security-Policy"] = _CSP
    return page


def assets() -> StaticFiles:
    """The Swagger UI and ReDoc bundles, for `app.mount(ASSETS_URL, ...)`."""
    return StaticFiles(directory=ASSETS_DIR)


def _root(request: Request) -> str:
    return str(request.scope.get("root_path", ""))


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """The interactive API documentation, without any request outside the app."""
    root = _root(request)
    return _local_only(
        get_swagger_ui_html(
            openapi_url=f"{root}{request.app.openapi_url}",
            title=f"{request.app.title} – API",
            swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            oauth2_redirect_url=None,
        )
    )


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """The same documentation as one readable page (ReDoc), no web fonts."""
    root = _root(request)
    return _local_only(
        get_redoc_html(
            openapi_url=f"{root}{request.app.openapi_url}",
            title=f"{request.app.title} – API",
            redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png",
            with_google_fonts=False,
        )
    )
