"""Questionnaires authored without Python, for administrators: upload an XLSForm or
YAML file, see its mistakes by sheet, row and column or a preview of the form as a
citizen will see it, then save it as a new version; download any version as XLSForm
or YAML. The same for API clients (admin keys) under /api/v1/questionnaires.

Thin routes over app/questionnaires/authoring.py.
"""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import UploadFile

from app.access.dash_render import dash_page, field
from app.access.dash_text import t as dash_t
from app.access.security import ApiPrincipal, PageAdmin, PagePrincipal
from app.access.service import Principal
from app.collection.uploads import pack, unpack
from app.core.db import SessionDep
from app.core.errors import FieldError, Forbidden, Invalid, NotFound, TooLarge
from app.core.responses import errors
from app.questionnaires import authoring
from app.questionnaires.authoring_text import describe, message, place
from app.questionnaires.catalog import Questionnaire, get_catalog
from app.web import i18n
from app.web.render import language, page

router = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1/questionnaires", tags=["questionnaires"])


def _rows(session: SessionDep) -> dict[str, Any]:
    stored = {(r.slug, r.version) for r in authoring.uploaded(session)}
    return {"rows": list(get_catalog()), "uploaded": stored}


def _list_page(
    request: Request, session: SessionDep, who: Principal, status: int = 200, **context: Any
) -> HTMLResponse:
    return dash_page(request, "questionnaires.html", who, status, **_rows(session), **context)


@router.get("/dash/questionnaires", response_class=HTMLResponse)
def questionnaires_page(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """Every questionnaire version with its downloads, and the upload form (admins)."""
    if not who.is_admin:
        raise Forbidden.of("admin_only_page")
    q = request.query_params
    saved = (q["saved"], q.get("version", "")) if "saved" in q else None
    return _list_page(request, session, who, saved=saved)


def _preview(
    request: Request, who: Principal, q: Questionnaire, name: str, data: bytes, stated: int | None
) -> HTMLResponse:
    lang = language(request)
    lang = lang if lang in q.languages else q.languages[0]
    return page(
        request,
        "respondent/preview.html",
        lang,
        q=q,
        ui=lambda key, **kw: dash_t(key, lang, **kw),
        csrf=who.csrf_token,
        name=name,
        packed=pack(data),
        stated=stated,
        answers={},
        errors={},
        shown=set(),
        conditions={code: i18n.condition(q, qu, lang) for code, qu in q.questions.items()},
        scale_hint=i18n.t("rate_hint", lang),
    )


@router.post("/dash/questionnaires", response_class=HTMLResponse)
async def questionnaires_upload(request: Request, session: SessionDep, who: PageAdmin) -> Response:
    """Check an uploaded questionnaire (nothing stored) and preview it, or save it."""
    form = await request.form()
    lang = language(request)
    if field(form, "confirm") == "1":
        data, name = unpack(field(form, "data")), field(form, "name") or "questionnaire"
    else:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid.of("choose_file", [FieldError.of("file", "no_file", "required")])
        data, name = await upload.read(authoring.MAX_UPLOAD + 1), upload.filename
    if len(data) > authoring.MAX_UPLOAD:
        raise TooLarge.of("questionnaire_too_large", limit=authoring.MAX_UPLOAD // 2**20)
    checked = await run_in_threadpool(authoring.check, session, get_catalog(), data, name)
    if not checked.ok or checked.model is None:
        problems = [describe(p, lang) for p in checked.problems]
        return _list_page(request, session, who, 422, problems=problems, name=name)
    if field(form, "confirm") != "1":
        q = Questionnaire(model=checked.model, source=Path(name))
        return _preview(request, who, q, name, data, checked.stated)
    row = authoring.save(session, checked, data, who.account_id)
    return RedirectResponse(
        f"/dash/questionnaires?saved={row.slug}&version={row.version}", status_code=303
    )


def _file(slug: str, version: int, fmt: str) -> Response:
    q = get_catalog().get(slug, version)
    if q is None:
        raise NotFound.of("questionnaire_missing_version", slug=slug, version=version)
    body, media, name = authoring.export(q, fmt)
    return Response(
        body, media_type=media, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@router.get("/dash/questionnaires/{slug}/{version}.xlsx")
def questionnaire_xlsform(slug: str, version: int, who: PagePrincipal) -> Response:
    """One questionnaire version as an XLSForm workbook."""
    return _file(slug, version, "xlsform")


@router.get("/dash/questionnaires/{slug}/{version}.yaml")
def questionnaire_yaml(slug: str, version: int, who: PagePrincipal) -> Response:
    """One questionnaire version as our YAML."""
    return _file(slug, version, "yaml")


class QuestionnaireSaved(BaseModel):
    slug: str
    version: int
    url: str
    saved: bool


@api.get(
    "/{slug}/{version}/xlsform",
    responses={
        200: {"content": {authoring.XLSX_MEDIA: {}}, "description": "The XLSForm workbook."},
        **errors(401, 404, 422, s404="No such questionnaire version."),
    },
    response_class=Response,
)
def get_xlsform(slug: str, version: int, who: ApiPrincipal) -> Response:
    """One questionnaire version as an XLSForm workbook (survey, choices, settings, scoring)."""
    return _file(slug, version, "xlsform")


@api.post(
    "",
    response_model=QuestionnaireSaved,
    status_code=201,
    responses=errors(401, 403, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                authoring.XLSX_MEDIA: {"schema": {"type": "string", "format": "binary"}},
                "application/yaml": {"schema": {"type": "string"}},
            },
        }
    },
)
async def upload_questionnaire(
    request: Request,
    session: SessionDep,
    who: ApiPrincipal,
    name: Annotated[str, Query(max_length=200, description="The file's name.")] = "upload",
    dry_run: Annotated[bool, Query(description="Check only; store nothing.")] = False,
) -> QuestionnaireSaved:
    """Check an XLSForm (.xlsx body) or YAML questionnaire and save it as the next version
    of its slug (admin only). Mistakes: 422, each field's `loc` naming sheet, row and
    column; nothing is stored."""
    if not who.is_admin:
        raise Forbidden.of("admin_only")
    data = await request.body()
    if len(data) > authoring.MAX_UPLOAD:
        raise TooLarge.of("questionnaire_too_large", limit=authoring.MAX_UPLOAD // 2**20)
    if "spreadsheet" in request.headers.get("content-type", "") and not name.endswith(".xlsx"):
        name += ".xlsx"
    checked = await run_in_threadpool(authoring.check, session, get_catalog(), data, name)
    if not checked.ok or checked.model is None:
        fields = [
            FieldError.of(
                place(p, "en") or "file", "questionnaire_problem", p.key, message=message(p, "en")
            )
            for p in checked.problems
        ]
        raise Invalid.of("questionnaire_refused", fields, name=name, n=len(fields))
    m = checked.model
    if not dry_run:
        authoring.save(session, checked, data, who.account_id)
    return QuestionnaireSaved(
        slug=m.slug,
        version=m.version,
        url=f"/api/v1/questionnaires/{m.slug}/{m.version}",
        saved=not dry_run,
    )
