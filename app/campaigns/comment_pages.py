"""The citizens' comments page: search, hide as abusive (or show again), choose for
the printed report (or take out again), download.

The list and its downloads take the same query (unit, words, question, state), so
what a coordinator downloads is what they searched for, minus hidden comments.
"""

from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from app.access import dash_text
from app.access.dash_render import dash_form, dash_page, field
from app.access.security import PageManager, PagePrincipal
from app.campaigns import comments, coordination
from app.campaigns.review_pages import response_id
from app.campaigns.service import questionnaire_of
from app.core.db import SessionDep
from app.core.errors import FieldError, Invalid
from app.core.inputs import ascii_int
from app.questionnaires.catalog import get_catalog
from app.web.render import language

router = APIRouter(include_in_schema=False)
FormDep = Depends(dash_form)
QUERY_KEYS = ("unit", "q", "question", "state", "page")


def _query(request: Request) -> tuple[comments.Query, int]:
    p = request.query_params
    state = (p.get("state") or "shown").strip()
    raw_page = (p.get("page") or "1").strip()
    page = ascii_int(raw_page)
    if page is None or page < 1:
        raise Invalid.of("filters_invalid", [FieldError.of("page", "whole_number_min_1")])
    return (
        comments.Query(
            unit=(p.get("unit") or "").strip() or None,
            search=(p.get("q") or "").strip() or None,
            question=(p.get("question") or "").strip() or None,
            state=state,  # type: ignore[arg-type]  # checked by comments.check
        ),
        page,
    )


@router.get("/dash/campaigns/{code}/comments", response_class=HTMLResponse)
def comments_page(
    code: str, request: Request, session: SessionDep, who: PagePrincipal
) -> HTMLResponse:
    """The campaign's free-text answers, newest first, searchable, per unit."""
    c = coordination.visible_campaign(session, who, code)
    q = questionnaire_of(get_catalog(), c)
    lang = language(request)
    problems: Invalid | None = None
    listing = comments.CommentPage([], 0)
    query, page = comments.Query(), 1
    try:
        query, page = _query(request)
        listing = comments.list_comments(session, who, c, query, page)
    except Invalid as exc:
        problems = exc
    questions = {
        code_: (q.questions[code_].text.get(lang) or q.questions[code_].text["vi"])
        for code_ in comments.text_questions(q)
    }
    keep = {k: v for k, v in request.query_params.items() if k in QUERY_KEYS and k != "page"}
    return dash_page(
        request,
        "comments.html",
        who,
        status_code=422 if problems else 200,
        campaign=c,
        tab="comments",
        listing=listing,
        asked=query,
        page=page,
        page_size=comments.PAGE_SIZE,
        problems=problems,
        questions=questions,
        states=comments.STATES,
        here=urlencode({**keep, "page": page}),
        keep=keep,
        export_query=urlencode({k: v for k, v in keep.items() if k != "state"}),
    )


@router.get("/dash/campaigns/{code}/comments/export")
def export_comments(
    code: str, request: Request, session: SessionDep, who: PagePrincipal, format: str = "csv"
) -> Response:
    """The matching comments that are not hidden, as CSV (UTF-8 with BOM) or Excel."""
    c = coordination.visible_campaign(session, who, code)
    lang = language(request)
    if format not in ("csv", "xlsx"):
        raise Invalid.of(
            "filters_invalid", [FieldError.of("format", "one_of", "value", known="csv, xlsx")]
        )
    query, _ = _query(request)
    query = comments.Query(query.unit, query.search, query.question, "shown")
    header = [
        dash_text.t(k, lang)
        for k in ("response_id", "when", "code", "unit", "channel", "question", "comment")
    ]
    channel = {ch: dash_text.t(f"ch_{ch}", lang) for ch in ("kiosk", "web", "paper", "interview")}
    q = questionnaire_of(get_catalog(), c)
    questions = {
        code_: (q.questions[code_].text.get(lang) or q.questions[code_].text["vi"])
        for code_ in comments.text_questions(q)
    }
    found = comments.shown_comments(session, who, c, query)
    rows = comments.export_rows(found, header, channel, questions)
    name = f"{c.code}-y-kien" if lang == "vi" else f"{c.code}-comments"
    if format == "xlsx":
        data = comments.to_xlsx(rows, dash_text.t("comments", lang))
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    else:
        data = comments.to_csv(rows, ";" if lang == "vi" else ",")
        media = "text/csv; charset=utf-8"
    return Response(
        data,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}.{format}"',
            "Cache-Control": "private, no-store",
        },
    )


def _back(code: str, form: FormData, done: str) -> RedirectResponse:
    # Back to the list as it was; only its own query keys are taken.
    params = [(k, v) for k, v in parse_qsl(field(form, "back")) if k in QUERY_KEYS]
    query = urlencode([*params, ("done", done)])
    return RedirectResponse(f"/dash/campaigns/{code}/comments?{query}", status_code=303)


@router.post("/dash/campaigns/{code}/comments/{rid}/{question}/hide")
def hide_comment(
    code: str,
    rid: str,
    question: str,
    session: SessionDep,
    who: PageManager,
    form: FormData = FormDep,
) -> Response:
    """Hide one comment as abusive, with a reason."""
    c = coordination.visible_campaign(session, who, code)
    comments.review_comment(
        session, who, c, response_id(rid), question, "hide", field(form, "reason")
    )
    return _back(c.code, form, "hidden")


@router.post("/dash/campaigns/{code}/comments/{rid}/{question}/show")
def show_comment(
    code: str,
    rid: str,
    question: str,
    session: SessionDep,
    who: PageManager,
    form: FormData = FormDep,
) -> Response:
    """Show a hidden comment again."""
    c = coordination.visible_campaign(session, who, code)
    comments.review_comment(session, who, c, response_id(rid), question, "show")
    return _back(c.code, form, "shown")


@router.post("/dash/campaigns/{code}/comments/{rid}/{question}/choose")
def choose_comment(
    code: str,
    rid: str,
    question: str,
    session: SessionDep,
    who: PageManager,
    form: FormData = FormDep,
) -> Response:
    """Choose one comment to print in the PDF report (đưa vào báo cáo)."""
    c = coordination.visible_campaign(session, who, code)
    comments.review_comment(session, who, c, response_id(rid), question, "choose")
    return _back(c.code, form, "chosen")


@router.post("/dash/campaigns/{code}/comments/{rid}/{question}/unchoose")
def unchoose_comment(
    code: str,
    rid: str,
    question: str,
    session: SessionDep,
    who: PageManager,
    form: FormData = FormDep,
) -> Response:
    """Take a comment out of the PDF report again."""
    c = coordination.visible_campaign(session, who, code)
    comments.review_comment(session, who, c, response_id(rid), question, "unchoose")
    return _back(c.code, form, "unchosen")
