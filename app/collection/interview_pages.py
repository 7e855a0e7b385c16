"""The interviewer's pages on a phone or tablet: their villages, and a village's
self-completion link (phiếu gửi đến nhà) as a QR code to show or print.

Under /s/ like the citizen pages, so the service worker keeps them for a field day
without network; the forms themselves are the village forms of app/collection/pages.py
(channel `interview` when an interviewer is signed in) and go through the same
offline queue and batch endpoint.
"""

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from app.access import service as accounts
from app.access.security import SESSION_COOKIE
from app.access.service import Principal
from app.collection import interviews
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import Forbidden, NotFound
from app.web.render import language, message_page, page

router = APIRouter(include_in_schema=False)


def _interviewer(session: SessionDep, request: Request) -> Principal | None:
    token = request.cookies.get(SESSION_COOKIE)
    who = accounts.principal_for_session(session, token) if token else None
    return who if who is not None and who.is_interviewer else None


def _sign_in(path: str) -> Response:
    return RedirectResponse(f"/login?next={path}", status_code=303)


@router.get("/s/interview", response_class=HTMLResponse)
def interview_home(request: Request, session: SessionDep) -> Response:
    """The interviewer's villages today: start a household's form, or show its link."""
    who = _interviewer(session, request)
    lang = language(request)
    if who is None:
        return _sign_in("/s/interview")
    return page(
        request,
        "respondent/interview.html",
        lang,
        who=who,
        villages=interviews.villages(session, who),
        hours=get_settings().INTERVIEWER_SESSION_HOURS,
    )


def self_link(code: str) -> str:
    """The address a household opens to fill the form themselves."""
    return f"{get_settings().PUBLIC_URL.rstrip('/')}/s/village/{code}"


@router.get("/s/interview/{code}/card", response_class=HTMLResponse)
def village_card(code: str, request: Request, session: SessionDep) -> Response:
    """A village's self-completion link as a QR code, to show or to print and leave."""
    who = _interviewer(session, request)
    lang = language(request)
    if who is None:
        return _sign_in(f"/s/interview/{code}/card")
    try:
        village = interviews.village(session, who, code)
    except (NotFound, Forbidden) as exc:
        return message_page(
            request, lang, exc.status_code, "village_card_title", "village_card_body", code=code
        )
    link = self_link(code)
    qr = segno.make(link, error="m", micro=False)
    return page(
        request,
        "respondent/village_card.html",
        lang,
        village=village,
        link=link,
        qr=Markup(qr.svg_inline(scale=6, title=village.name)),
    )
