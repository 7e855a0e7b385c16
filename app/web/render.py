"""Templates, the language of a request, and HTML error pages for respondents."""

import hashlib
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.web import i18n

APP_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = APP_DIR / "static"
LANG_COOKIE = "sipas_lang"
ONE_YEAR = 365 * 24 * 3600
# Pages hold a fresh response id and must never come back from a cache or the
# back button; the CSP also rules out any third-party request.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def _asset_version() -> str:
    """Changes whenever the CSS or script changes, so browsers may cache them for long."""
    digest = hashlib.sha256()
    for name in sorted(p.name for p in STATIC_DIR.iterdir() if p.is_file()):
        digest.update((STATIC_DIR / name).read_bytes())
    return digest.hexdigest()[:10]


templates = Jinja2Templates(directory=APP_DIR / "templates")
templates.env.trim_blocks = True
templates.env.lstrip_blocks = True
templates.env.globals["asset_version"] = _asset_version()


def language(request: Request) -> str:
    """`?lang=` first, then the remembered choice, then Vietnamese.

    The browser's Accept-Language is deliberately ignored: many phones in Vietnam
    run an English interface for people who read Vietnamese only.
    """
    chosen = request.query_params.get("lang") or request.cookies.get(LANG_COOKIE)
    return i18n.pick(chosen)


def remember_language(response: HTMLResponse, request: Request, lang: str) -> None:
    if request.cookies.get(LANG_COOKIE) != lang:
        response.set_cookie(
            LANG_COOKIE, lang, max_age=ONE_YEAR, httponly=True, samesite="lax", path="/"
        )


def page(
    request: Request, template: str, lang: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    """Render a respondent page with the shared context and headers."""
    context.setdefault("kiosk", False)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "lang": lang,
            "other": i18n.OTHER[lang],
            "t": lambda key, **kw: i18n.t(key, lang, **kw),
            **context,
        },
        status_code=status_code,
        headers=PAGE_HEADERS,
    )
    remember_language(response, request, lang)
    return response


_TITLES = {
    404: ("not_found_title", "not_found_body"),
    409: ("not_open_title", "not_open_body"),
    413: ("error_title", "too_large_body"),
    422: ("error_title", "damaged_body"),
    503: ("busy_title", "busy_body"),
}


def error_page(request: Request, status: int, kind: str) -> HTMLResponse:
    """An error as a page in the respondent's language (never a stack trace)."""
    lang = language(request)
    if kind == "conflict":
        title, body = "conflict_title", "conflict_body"
    elif kind == "bad_text":
        title, body = "error_title", "bad_text_body"
    elif kind == "quota_full":
        title, body = "full_title", "full_body"
    elif kind == "ended":
        title, body = "ended_title", "ended_body"
    else:
        title, body = _TITLES.get(status, ("error_title", "error_body"))
    return message_page(request, lang, status, title, body)


def message_page(
    request: Request,
    lang: str,
    status: int,
    title: str,
    body: str,
    again: str | None = None,
    again_label: str = "new_response",
    **values: object,
) -> HTMLResponse:
    """A short page with a title, a sentence and, optionally, one way on."""
    return page(
        request,
        "respondent/message.html",
        lang,
        status_code=status,
        status=status,
        title=i18n.t(title, lang),
        body=i18n.t(body, lang, **values),
        again=again,
        again_label=again_label,
    )
