"""The dashboard's Tablets page: enrol a tablet at a counter, rename, revoke."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.access.dash_render import dash_form, dash_page, field
from app.access.security import PageManager, PagePrincipal
from app.access.service import Principal
from app.collection import tablets
from app.collection.kiosks import Enrolled
from app.core.clock import VIETNAM
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import Invalid

router = APIRouter(include_in_schema=False)
FormDep = Depends(dash_form)


def _page(
    request: Request,
    session: SessionDep,
    who: Principal,
    status: int = 200,
    enrolled: Enrolled | None = None,
    problems: Invalid | None = None,
) -> HTMLResponse:
    base = get_settings().PUBLIC_URL.rstrip("/")
    return dash_page(
        request,
        "tablets.html",
        who,
        status,
        rows=tablets.tablets(session, who),
        counters=tablets.counters(session, who),
        enrolled=enrolled,
        link=f"{base}/kiosk/enrol?token={enrolled.token}" if enrolled else None,
        minutes=get_settings().KIOSK_ENROL_MINUTES,
        vn=VIETNAM,
        problems=problems,
        saved=request.query_params.get("saved") == "1",
    )


@router.get("/dash/tablets", response_class=HTMLResponse)
def tablets_page(request: Request, session: SessionDep, who: PagePrincipal) -> HTMLResponse:
    """Tablets at the counters in your area: state, last sync, unsent responses."""
    return _page(request, session, who)


@router.post("/dash/tablets", response_class=HTMLResponse)
def enrol_tablet(
    request: Request, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Make a one-time link for a new tablet (shown once, on this page)."""
    try:
        done = tablets.enrol(session, who, field(form, "counter"), field(form, "label"))
    except Invalid as exc:
        return _page(request, session, who, 422, problems=exc)
    return _page(request, session, who, 201, enrolled=done)


@router.post("/dash/tablets/{device_id}/rename")
def rename_tablet(
    device_id: int,
    request: Request,
    session: SessionDep,
    who: PageManager,
    form: FormData = FormDep,
) -> Response:
    """Give a tablet another label."""
    try:
        tablets.rename(session, who, device_id, field(form, "label"))
    except Invalid as exc:
        return _page(request, session, who, 422, problems=exc)
    return RedirectResponse("/dash/tablets?saved=1", status_code=303)


@router.post("/dash/tablets/{device_id}/revoke")
def revoke_tablet(
    device_id: int, session: SessionDep, who: PageManager, form: FormData = FormDep
) -> Response:
    """Stop a lost or replaced tablet: its cookie no longer admits anything."""
    tablets.revoke(session, who, device_id)
    return RedirectResponse("/dash/tablets?saved=1", status_code=303)
