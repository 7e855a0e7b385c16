"""The pages a respondent sees at a counter's link: welcome, questionnaire, thanks.

Plain HTML forms that work in any browser; `static/sipas.js` only enhances them
(one group per screen, offline queue, kiosk reset). A posted form is judged by the
same `submissions.record` as the JSON API.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from app.access import service as accounts
from app.access.security import SESSION_COOKIE
from app.collection import admission, kiosks
from app.collection import service as submissions
from app.collection.survey import (
    NotYet,
    Survey,
    answers_from_form,
    open_survey,
    open_village_survey,
    submission_from_form,
    survey_dossier,
)
from app.core.config import get_settings
from app.core.db import SessionDep
from app.core.errors import Conflict, Invalid, NotFound
from app.core.inputs import ascii_int
from app.questionnaires.catalog import Questionnaire, get_catalog
from app.units.models import KioskDevice
from app.web import i18n
from app.web.render import STATIC_DIR, language, message_page, page, remember_language

router = APIRouter(include_in_schema=False)

KIOSK_COOKIE = kiosks.KIOSK_COOKIE
TEN_YEARS = 10 * 365 * 24 * 3600
# A SIPAS form has about 50 fields; far more is not a person filling it in.
MAX_FORM_FIELDS = 400


@dataclass(frozen=True)
class Draft:
    """A half-finished or rejected form, shown again exactly as the respondent left it."""

    answers: dict[str, Any]
    step: int
    response_id: str
    started_at: str | None
    dossier: str | None = None
    form_token: str | None = None


async def form_data(request: Request) -> FormData:
    """The posted form, read before the (synchronous) route runs in a worker thread."""
    return await request.form(max_files=0, max_fields=MAX_FORM_FIELDS)


@dataclass(frozen=True)
class Where:
    """The place a link names: a counter (/s/<code>) or a village (/s/village/<code>)."""

    code: str
    village: bool = False

    def open(self, session: SessionDep, refuse_full: bool = True) -> Survey:
        opener = open_village_survey if self.village else open_survey
        return opener(session, get_catalog(), self.code, refuse_full)

    @property
    def base(self) -> str:
        return f"/s/village/{self.code}" if self.village else f"/s/{self.code}"


def is_interviewer(session: SessionDep, request: Request) -> bool:
    """This browser is signed in as an interviewer (their phone or tablet)."""
    token = request.cookies.get(SESSION_COOKIE)
    who = accounts.principal_for_session(session, token) if token else None
    return who is not None and who.is_interviewer


def channel_of(session: SessionDep, request: Request, survey: Survey) -> str:
    """`kiosk` on a counter's tablet, `interview` for an interviewer at a village's
    form, otherwise `web` (a phone, or a household's own self-completion link)."""
    if is_kiosk(session, request, survey):
        return "kiosk"
    if survey.village and is_interviewer(session, request):
        return "interview"
    return "web"


def is_kiosk(session: SessionDep, request: Request, survey: Survey) -> bool:
    """Kiosk mode: the counter says so, or this browser is a tablet enrolled there."""
    if survey.village:
        return False
    if survey.kiosk:
        return True
    found = kiosks.device_for(session, request.cookies.get(KIOSK_COOKIE))
    return found is not None and found[1] == survey.counter


def _show_if_css(q: Questionnaire) -> str:
    """Show a follow-up question while its condition holds, without any script.

    Where the browser has no `:has()`, follow-ups stay visible with an "answer only
    if" hint, and the server drops answers to questions that were not asked.
    """
    rules = []
    for question in q.questions.values():
        for ref, codes in (question.show_if or {}).items():
            for code in codes:
                rules.append(
                    f'#survey:has([name="{ref}"][value="{code}"]:checked) #q-{question.code}'
                    "{display:block}"
                )
    if not rules:
        return ""
    return (
        "@supports selector(:has(a)){.cond{display:none}.cond.shown{display:block}"
        + "".join(rules)
        + "}"
    )


def _form_page(
    request: Request,
    session: SessionDep,
    survey: Survey,
    lang: str,
    draft: Draft | None = None,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
    response_id: str | None = None,
    ended: str | None = None,
) -> HTMLResponse:
    q = survey.questionnaire
    answers = draft.answers if draft else {}
    kiosk = is_kiosk(session, request, survey)
    channel = channel_of(session, request, survey)
    settings = get_settings()
    token = draft.form_token if draft and draft.form_token else None
    if token is None and survey.village and channel == "web":
        # A household's own form: its phone may send it later, from its queue.
        token = admission.issue(session, None, None, unit_id=survey.unit_id)
    elif token is None and not survey.village:
        device = kiosks.device_id(session, request.cookies.get(KIOSK_COOKIE))
        token = admission.issue(session, survey.counter_id, device)
    return page(
        request,
        "respondent/form.html",
        lang,
        status_code=status_code,
        survey=survey,
        q=q,
        kiosk=kiosk,
        channel=channel,
        # An interviewer starts the next household's form at once.
        again=f"{survey.base}/form" if channel == "interview" else survey.base,
        answers=answers,
        draft=draft is not None,
        errors=errors or {},
        labels={code: question.text[lang] for code, question in q.questions.items()},
        shown={code for code, qu in q.questions.items() if qu.show_if and q.visible(code, answers)},
        conditions={code: i18n.condition(q, qu, lang) for code, qu in q.questions.items()},
        show_if_css=_show_if_css(q),
        scale_hint=i18n.t("rate_hint", lang),
        step=max(0, min(draft.step if draft else 0, len(q.parts) - 1)),
        response_id=draft.response_id if draft else (response_id or str(uuid.uuid4())),
        started_at=(draft and draft.started_at) or datetime.now(UTC).isoformat(timespec="seconds"),
        dossier=draft.dossier if draft else survey_dossier(request.query_params.get("d")),
        form_token=token,
        idle_seconds=settings.KIOSK_IDLE_SECONDS,
        warn_seconds=settings.KIOSK_WARN_SECONDS,
        restart_seconds=settings.KIOSK_RESTART_SECONDS,
        messages=i18n.client_messages(lang),
        ended=ended,
    )


@router.get("/s/sw.js")
def service_worker() -> Response:
    """The offline cache for the respondent pages (scope /s/)."""
    return FileResponse(
        STATIC_DIR / "sw.js",
        media_type="text/javascript",
        headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/s/"},
    )


@router.get("/s/village/{code}", response_class=HTMLResponse)
def village_welcome(code: str, request: Request, session: SessionDep) -> HTMLResponse:
    """A village's self-completion link (phiếu gửi đến nhà): what it is; then Start."""
    return _welcome(Where(code, village=True), request, session)


@router.get("/s/village/{code}/form", response_class=HTMLResponse)
def village_questionnaire(code: str, request: Request, session: SessionDep) -> HTMLResponse:
    """A village's form: an interviewer's (channel interview) or a household's own (web)."""
    return _questionnaire(Where(code, village=True), request, session)


@router.post("/s/village/{code}/form", response_class=HTMLResponse)
def village_submit(
    code: str,
    request: Request,
    session: SessionDep,
    form: FormData = Depends(form_data),
) -> Response:
    """Store a completed village form, or show it again with each problem beside it."""
    return _submit(Where(code, village=True), request, session, form)


@router.get("/s/village/{code}/thanks", response_class=HTMLResponse)
def village_thanks(code: str, request: Request, session: SessionDep) -> HTMLResponse:
    """Thank you (for an interviewer: the next household's form is one tap away)."""
    return _thanks(Where(code, village=True), request, session)


@router.get("/s/{counter}", response_class=HTMLResponse)
def welcome(counter: str, request: Request, session: SessionDep) -> HTMLResponse:
    """What this is, that it is anonymous, about three minutes; then Start."""
    return _welcome(Where(counter), request, session)


def _welcome(where: Where, request: Request, session: SessionDep) -> HTMLResponse:
    try:
        survey = where.open(session)
    except NotYet as exc:
        return _not_yet(request, exc)
    kiosk = is_kiosk(session, request, survey)
    # A kiosk's start screen is where the next respondent begins: in Vietnamese,
    # whatever the one before chose (only the switch on this screen changes it).
    lang = i18n.pick(request.query_params.get("lang")) if kiosk else language(request)
    dossier = survey_dossier(request.query_params.get("d"))
    # The new response's id travels in the Start link, so Back after the no-script
    # thank-you page returns to this same response, not to a fresh one.
    start = ({"d": dossier} if dossier else {}) | {"r": str(uuid.uuid4())}
    if kiosk:  # the tablet refreshes its cached start screen (in Vietnamese) meanwhile
        start["lang"] = lang
    return page(
        request,
        "respondent/welcome.html",
        lang,
        survey=survey,
        start=f"{survey.base}/form?{urlencode(start)}",
        kiosk=kiosk,
    )


def _not_yet(request: Request, exc: NotYet) -> HTMLResponse:
    lang = language(request)
    when = exc.starts_on
    if when is None:
        text = "?"
    elif lang == "vi":
        text = f"{when:%d/%m/%Y}"
    else:
        text = f"{when.day} {when:%B %Y}"
    return message_page(request, lang, 409, "not_yet_title", "not_yet_body", date=text)


def _response_id(raw: str | None) -> str:
    """The id the Start link chose, or a fresh one (a bookmarked or damaged link)."""
    try:
        return str(uuid.UUID(raw or ""))
    except ValueError:
        return str(uuid.uuid4())


@router.get("/s/{counter}/form", response_class=HTMLResponse)
def questionnaire(counter: str, request: Request, session: SessionDep) -> HTMLResponse:
    """The whole questionnaire as one form (the script shows one group at a time)."""
    return _questionnaire(Where(counter), request, session)


def _questionnaire(where: Where, request: Request, session: SessionDep) -> HTMLResponse:
    try:
        survey = where.open(session)
    except NotYet as exc:
        return _not_yet(request, exc)
    lang = language(request)
    response_id = _response_id(request.query_params.get("r"))
    if submissions.stored_answers(session, uuid.UUID(response_id)) is not None:
        # Back after the thank-you page: this response is in; offer a new one.
        return message_page(
            request, lang, 200, "conflict_title", "already_sent_body", again=where.base
        )
    return _form_page(request, session, survey, lang, response_id=response_id)


@router.post("/s/{counter}/form", response_class=HTMLResponse)
def submit(
    counter: str,
    request: Request,
    session: SessionDep,
    form: FormData = Depends(form_data),
) -> Response:
    """Store a completed form, or show it again with each problem beside its question."""
    return _submit(Where(counter), request, session, form)


def _submit(where: Where, request: Request, session: SessionDep, form: FormData) -> Response:
    try:
        survey = where.open(session)
    except NotYet as exc:
        return _not_yet(request, exc)
    q = survey.questionnaire

    def getlist(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str)]

    lang = language(request)
    switch = form.get("_lang")
    if isinstance(switch, str) and switch in i18n.LANGUAGES:
        lang = switch  # the language switch on a half-filled form keeps the answers
    step_raw = form.get("_step")
    step = (ascii_int(step_raw) if isinstance(step_raw, str) else None) or 0
    channel = channel_of(session, request, survey)
    given = answers_from_form(q, getlist)
    for code, question in q.questions.items():
        if question.ends_form is not None and given.get(code) in question.ends_form.when:
            # Without JavaScript: the eligibility answer ends the form; nothing is stored.
            return _form_page(request, session, survey, lang, ended=code)
    try:
        body = submission_from_form(survey, getlist, channel, datetime.now(UTC))
    except Invalid as exc:
        bad = {p.loc.removeprefix("answers.") for p in exc.fields}
        if not bad & set(q.questions):
            raise
        kept = {k: v for k, v in answers_from_form(q, getlist).items() if k not in bad}
        refused: dict[str, str] = {
            c: i18n.field_message(q, p, lang)
            for p in exc.fields
            if (c := p.loc.removeprefix("answers.")) in q.questions
        }
        draft = Draft(kept, step, str(uuid.uuid4()), None)
        return _form_page(request, session, survey, lang, draft, refused, 422)
    draft = Draft(
        body.answers,
        step,
        str(body.id),
        body.started_at.isoformat(timespec="seconds") if body.started_at else None,
        body.dossier,
        body.form_token,
    )
    if isinstance(switch, str):
        response = _form_page(request, session, survey, lang, draft)
        remember_language(response, request, lang)
        return response
    who = admission.submitter_for(
        session, None, request.cookies.get(KIOSK_COOKIE), lang, request.cookies.get(SESSION_COOKIE)
    )
    try:
        submissions.record(session, get_catalog(), body, who=who)
    except submissions.QuotaFull:
        return message_page(request, lang, 409, "full_title", "full_body")
    except Invalid as exc:
        errors: dict[str, str] = {}
        for problem in exc.fields:
            code = problem.loc.removeprefix("answers.")
            if code in q.questions:
                errors.setdefault(code, i18n.field_message(q, problem, lang))
        if not errors:  # nothing the respondent can fix: the campaign closed, say
            raise
        return _form_page(request, session, survey, lang, draft, errors, 422)
    except Conflict:
        # A double tap, or the back button and Send again: the same answers under the
        # same id were stored (the server's clock made the bodies differ). Thank them.
        if submissions.stored_answers(session, body.id) == body.answers:
            return RedirectResponse(f"{where.base}/thanks", status_code=303)
        return message_page(
            request, lang, 409, "conflict_title", "conflict_body", again=f"{where.base}/form"
        )
    # Post/redirect/get: reloading the thank-you page never posts the form again.
    return RedirectResponse(f"{where.base}/thanks", status_code=303)


@router.get("/s/{counter}/thanks", response_class=HTMLResponse)
def thanks(counter: str, request: Request, session: SessionDep) -> HTMLResponse:
    """Thank you; a kiosk returns to its start screen after a few seconds."""
    return _thanks(Where(counter), request, session)


def _thanks(where: Where, request: Request, session: SessionDep) -> HTMLResponse:
    # The response just thanked for may have filled the quota: thank, don't refuse.
    survey = where.open(session, refuse_full=False)
    interview = channel_of(session, request, survey) == "interview"
    return page(
        request,
        "respondent/thanks.html",
        language(request),
        survey=survey,
        again=f"{survey.base}/form" if interview else None,
        kiosk=is_kiosk(session, request, survey),
        restart_seconds=get_settings().KIOSK_RESTART_SECONDS,
    )


def _enrol_refused(
    request: Request, lang: str, status: int, key: str, **values: object
) -> Response:
    return page(
        request,
        "respondent/message.html",
        lang,
        status_code=status,
        status=status,
        title=i18n.t(f"enrol_{key}_title", lang),
        body=i18n.t(f"enrol_{key}_body", lang, **values),
        again=None,
    )


@router.get("/kiosk/enrol")
def enrol_device(token: str, request: Request, session: SessionDep) -> Response:
    """Opened once on a new tablet: it becomes the tablet the link was made for.

    The first browser to open the link within KIOSK_ENROL_MINUTES gets a cookie of
    its own; any later opening (another browser, a forwarded link) is refused with
    a page saying so, and enrols nothing.
    """
    lang = language(request)
    try:
        done = kiosks.claim(session, token)
    except kiosks.EnrolLinkUsed:
        found = session.scalar(
            select(KioskDevice.label).where(KioskDevice.enrol_hash == kiosks.token_hash(token))
        )
        return _enrol_refused(request, lang, 409, "used", label=found or "")
    except kiosks.EnrolLinkExpired:
        minutes = get_settings().KIOSK_ENROL_MINUTES
        return _enrol_refused(request, lang, 410, "expired", minutes=minutes)
    except NotFound:
        return _enrol_refused(request, lang, 404, "unknown")
    response = page(
        request,
        "respondent/enrolled.html",
        lang,
        kiosk=True,
        label=done.device.label,
        counter=done.counter.name,
        unit=done.unit_name,
    )
    response.set_cookie(
        KIOSK_COOKIE,
        done.cookie,
        max_age=TEN_YEARS,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.get("/kiosk")
def kiosk_home(request: Request, session: SessionDep) -> Response:
    """An enrolled tablet's start page: its counter's questionnaire."""
    found = kiosks.device_for(session, request.cookies.get(KIOSK_COOKIE))
    if found is None:
        # Whoever opens /kiosk on a tablet is setting it up, not answering: say how.
        return message_page(
            request, language(request), 404, "kiosk_setup_title", "kiosk_setup_body"
        )
    return RedirectResponse(f"/s/{found[1]}", status_code=303)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request) -> HTMLResponse:
    """What this service is, where citizens answer, and sign-in for coordinators."""
    return page(request, "respondent/landing.html", language(request))
