"""The dashboard's files: templates to fill in, uploads checked before they are stored,
and the counters list with their survey links and QR codes.

Thin routes over app/collection/uploads.py (the same imports the command line runs)
and the template builders (app/campaigns/fill_in.py, app/collection/paper_template.py).
"""

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from app.access.dash_render import dash_page, field
from app.access.security import PageManager, PagePrincipal
from app.access.service import Principal
from app.campaigns import coordination
from app.campaigns.fill_in import FORMATS, MEDIA, Format, filename, targets_template
from app.collection import uploads
from app.collection.paper_template import paper_template
from app.collection.sheet_pages import base_url
from app.core.db import SessionDep
from app.core.errors import FieldError, Forbidden, Invalid
from app.questionnaires.catalog import get_catalog
from app.web.render import language

router = APIRouter(include_in_schema=False)


def _format(request: Request) -> Format:
    fmt = request.query_params.get("format", "xlsx")
    if fmt not in FORMATS:
        raise Invalid.of(
            "invalid_fields",
            [FieldError.of("format", "one_of", "unknown", known="xlsx, csv")],
            n=1,
        )
    return "csv" if fmt == "csv" else "xlsx"


def _download(body: bytes, fmt: Format, name: str) -> Response:
    return Response(
        body,
        media_type=MEDIA[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/dash/campaigns/{code}/targets-template")
def targets_template_file(
    code: str, request: Request, session: SessionDep, who: PagePrincipal
) -> Response:
    """The campaign's scope units with a column for their dossier counts (?format=xlsx|csv)."""
    c = coordination.visible_campaign(session, who, code)
    fmt = _format(request)
    body = targets_template(session, c, fmt, language(request))
    return _download(body, fmt, filename(c, "targets", fmt))


@router.get("/dash/campaigns/{code}/paper-template")
def paper_template_file(
    code: str, request: Request, session: SessionDep, who: PagePrincipal
) -> Response:
    """The paper-form template with the campaign's units in your area (?format=xlsx|csv)."""
    c = coordination.visible_campaign(session, who, code)
    fmt = _format(request)
    body = paper_template(session, get_catalog(), c, fmt, language(request), who.unit_id)
    return _download(body, fmt, filename(c, "paper-forms", fmt))


def _upload_page(
    request: Request,
    session: SessionDep,
    who: Principal,
    kind: uploads.Kind,
    campaign: str | None,
    status: int = 200,
    **context: Any,
) -> HTMLResponse:
    if campaign is not None:
        c = coordination.visible_campaign(session, who, campaign)
        return dash_page(
            request, "paper.html", who, status, campaign=c, tab="paper", kind=kind, **context
        )
    return dash_page(request, "units.html", who, status, kind=kind, **context)


async def _upload(
    request: Request, session: SessionDep, who: Principal, campaign: str | None
) -> Response:
    # The form (with its file) was parsed once by the CSRF check and is cached.
    form = await request.form()
    kind_raw = field(form, "kind") or "paper"
    kind: uploads.Kind = next((k for k in uploads.KINDS if k == kind_raw), "paper")
    if (kind == "paper") != (campaign is not None):
        known = "paper" if campaign is not None else "units, counters"
        raise Invalid.of(
            "invalid_fields", [FieldError.of("kind", "one_of", "unknown", known=known)], n=1
        )
    catalog = get_catalog()
    try:
        if field(form, "confirm") == "1":
            data, name = uploads.unpack(field(form, "data")), field(form, "name") or "file"
            done = await run_in_threadpool(
                uploads.store, session, catalog, who, kind, data, name, campaign
            )
            target = f"/dash/campaigns/{campaign}/paper" if campaign else "/dash/units"
            query = f"?imported={done.created}&kept={done.kept}&kind={kind}"
            return RedirectResponse(target + query, status_code=303)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid.of("choose_file", [FieldError.of("file", "no_file", "required")])
        data, name = await upload.read(), upload.filename
        outcome = await run_in_threadpool(
            uploads.check, session, catalog, who, kind, data, name, campaign
        )
    except Invalid as exc:
        return _upload_page(request, session, who, kind, campaign, 422, problems=exc)
    return _upload_page(
        request,
        session,
        who,
        kind,
        campaign,
        preview=outcome,
        name=name,
        packed=uploads.pack(data),
    )


def _may_upload(who: Principal) -> None:
    if not who.can_manage:
        raise Forbidden.of("role_read_only", role=who.role)


def _done(request: Request) -> dict[str, Any]:
    q = request.query_params
    if "imported" not in q:
        return {}
    return {"imported": (q.get("imported", "0"), q.get("kept", "0")), "kind": q.get("kind")}


@router.get("/dash/campaigns/{code}/paper", response_class=HTMLResponse)
def paper_page(
    code: str, request: Request, session: SessionDep, who: PagePrincipal
) -> HTMLResponse:
    """Paper forms: the template, and an upload checked before it is imported."""
    _may_upload(who)
    done = _done(request)
    done.pop("kind", None)
    return _upload_page(request, session, who, "paper", code, **done)


@router.post("/dash/campaigns/{code}/paper", response_class=HTMLResponse)
async def paper_upload(
    code: str, request: Request, session: SessionDep, who: PageManager
) -> Response:
    """Check an uploaded file of paper forms (nothing stored), or store it once confirmed."""
    return await _upload(request, session, who, code)


@router.get("/dash/units", response_class=HTMLResponse)
def units_page(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """Units and counters from a file, checked before they are imported."""
    _may_upload(who)
    done = _done(request)
    kind: uploads.Kind = "counters" if done.pop("kind", None) == "counters" else "units"
    return _upload_page(request, session, who, kind, None, **done)


@router.post("/dash/units", response_class=HTMLResponse)
async def units_upload(request: Request, session: SessionDep, who: PageManager) -> Response:
    """Check an uploaded units or counters file (nothing stored), or store it once confirmed."""
    return await _upload(request, session, who, None)


@router.get("/dash/counters", response_class=HTMLResponse)
def counters_page(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """Every counter in your area with its survey link and printable QR code."""
    base = base_url(request).rstrip("/")
    return dash_page(
        request, "counters.html", who, rows=uploads.counter_rows(session, who), base=base
    )
