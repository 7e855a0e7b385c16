"""Rendering the coordinator's pages: shared context, headers, errors, form problems."""

from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.access import dash_text
from app.access.security import DASH_MAX_FIELDS, SignInRequired
from app.access.service import Principal
from app.core.errors import AppError
from app.web.render import PAGE_HEADERS, language, remember_language, templates

DASH_PREFIXES = ("/dash", "/login", "/logout")


def dash_page(
    request: Request,
    template: str,
    who: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> HTMLResponse:
    """A dashboard page in the coordinator's language, with the CSRF token for its forms."""
    lang = language(request)
    response = templates.TemplateResponse(
        request,
        f"dash/{template}",
        {
            "lang": lang,
            "t": lambda key, **kw: dash_text.t(key, lang, **kw),
            "who": who,
            "csrf": who.csrf_token if who else "",
            "path": request.url.path,
            **context,
        },
        status_code=status_code,
        headers=PAGE_HEADERS,
    )
    remember_language(response, request, lang)
    return response


async def dash_form(request: Request) -> FormData:
    """The posted form of a dashboard page (parsed once; the CSRF check reads it first)."""
    return await request.form(max_files=1, max_fields=DASH_MAX_FIELDS)


def is_dash(request: Request) -> bool:
    return request.url.path.startswith(DASH_PREFIXES)


def dash_error(request: Request, exc: AppError, status: int | None = None) -> Response:
    """Sign-in needed: to /login and back; anything else: a page saying what went wrong."""
    if isinstance(exc, SignInRequired):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target, safe='')}", status_code=303)
    return dash_page(
        request,
        "error.html",
        None,
        status_code=status or exc.status_code,
        detail=exc.detail,
        fields=exc.fields,
    )


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
