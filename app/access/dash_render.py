"""Rendering the coordinator's pages: shared context, headers, errors, form problems."""

import re
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup, escape
from starlette.datastructures import FormData

from app.access import dash_format, dash_text
from app.access.security import DASH_MAX_FIELDS, SignInRequired
from app.access.service import Principal
from app.core import messages
from app.core.errors import AppError, FieldError
from app.web.render import PAGE_HEADERS, language, remember_language, templates

DASH_PREFIXES = ("/dash", "/login", "/logout")
_LINE = re.compile(r"line (\d+)(?:, column (.+))?")


def untranslated(text: object) -> Markup:
    """Text with no translation, shown as it is and marked so a test can find it."""
    return Markup('<span lang="en" class="untranslated">{}</span>').format(text)


def label(kind: str, code: object, lang: str) -> Markup | str:
    """A code shown to a coordinator (`kind_service_centre`, `role_viewer`) in words."""
    key = f"{kind}_{code}"
    return dash_text.t(key, lang) if key in dash_text.UI else untranslated(code)


def _worded(params: dict[str, Any], lang: str) -> dict[str, Any]:
    """A message's parameters with the codes a coordinator has words for (a role)
    in those words: "Vai trò Người xem chỉ được xem", not "Vai trò viewer …"."""
    return {
        k: dash_text.t(f"{k}_{v}", lang) if k == "role" and f"role_{v}" in dash_text.UI else v
        for k, v in params.items()
    }


def message(error: AppError | FieldError, lang: str) -> Markup | str:
    """An error's message in the page's language (its English, marked, if it has no key)."""
    key = error.key
    if key is not None and key in messages.MESSAGES:
        return messages.text(key, lang, **_worded(error.params, lang))
    return untranslated(error.detail if isinstance(error, AppError) else error.msg)


def where(loc: str, lang: str) -> str:
    """Where a problem is, in words: `dòng 4, cột unit`, `Cỡ mẫu tối thiểu`."""
    if f"loc_{loc}" in dash_text.UI:
        return dash_text.t(f"loc_{loc}", lang)
    if m := _LINE.fullmatch(loc):
        if m.group(2) is None:
            return dash_text.t("loc_line", lang, n=m.group(1))
        return dash_text.t("loc_line_column", lang, n=m.group(1), column=m.group(2))
    if loc.startswith("targets."):
        return dash_text.t("loc_target_of", lang, unit=loc.removeprefix("targets."))
    if loc.startswith("transactions."):
        return dash_text.t("loc_transactions_of", lang, unit=loc.removeprefix("transactions."))
    if loc.startswith("quotas."):
        return dash_text.t("loc_quota_of", lang, key=loc.removeprefix("quotas."))
    return dash_text.t("loc_field", lang, name=loc)


# How the values under a detail key are shown: flags and roles in words.
_DETAIL_VALUES = {"flags": "f", "role": "role", "scope": "scope"}


def detail(data: object, lang: str) -> Markup:
    """An audit row's detail as `Lý do: quá nhanh · Cảnh báo: Làm quá nhanh`, never as
    JSON with `\\u00e2` escapes."""
    if not isinstance(data, dict):
        return escape(str(data))
    parts = []
    for key, value in data.items():
        name = dash_text.t(f"dk_{key}", lang) if f"dk_{key}" in dash_text.UI else untranslated(key)
        parts.append(Markup("{}: {}").format(name, _value(value, _DETAIL_VALUES.get(key), lang)))
    return Markup(" · ").join(parts)


def _value(value: object, kind: str | None, lang: str) -> Markup:
    if isinstance(value, list):
        return Markup(", ").join(_value(v, kind, lang) for v in value)
    if isinstance(value, dict):
        return Markup(", ").join(
            Markup("{} {}").format(k, _value(v, None, lang)) for k, v in value.items()
        )
    if value is None:
        return Markup("–")
    if kind is not None and value != "*":
        return escape(label(kind, value, lang))
    if isinstance(value, float):
        return escape(dash_format.num(value, lang, 2))
    return escape(str(value))


def helpers(lang: str) -> dict[str, Any]:
    """What every dashboard template may call, bound to the page's language."""
    return {
        "t": lambda key, **kw: dash_text.t(key, lang, **kw),
        "label": lambda kind, code: label(kind, code, lang),
        "msg": lambda error: message(error, lang),
        "where": lambda loc: where(loc, lang),
        "detail": lambda data: detail(data, lang),
        "day": lambda value: dash_format.day(value, lang),
        "moment": lambda value, seconds=False: dash_format.moment(value, lang, seconds),
        "num": lambda value, digits=0: dash_format.num(value, lang, digits),
        # An index (SIPAS, factor, criterion, rate) at the published precision: the
        # digits its rank is decided at, as the PDF, workbook and public pages print it.
        "pct": lambda value: dash_format.index(value, lang),
    }


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
            **helpers(lang),
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
        error=exc,
    )


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""
