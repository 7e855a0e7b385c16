"""The questionnaire as a respondent meets it at a counter (kiosk or phone).

Looks up what a counter's link should show, and turns a posted HTML form into the
same `SubmissionIn` the JSON API takes, so one rule set judges every input.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from pydantic import ValidationError
from sqlalchemy import literal, select
from sqlalchemy.orm import Session, aliased

from app.campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignUnit,
    CounterCampaign,
    QuotaPolicy,
)
from app.collection.schemas import Answer, SubmissionIn
from app.core.clock import VIETNAM
from app.core.errors import AppError, FieldError, Invalid, NotFound
from app.core.inputs import ascii_int, in_range, text_error, text_problem
from app.counts.models import UnitAncestor
from app.questionnaires.answers import clean
from app.questionnaires.catalog import Catalog, Questionnaire
from app.units.models import Counter, Unit


class NotOpen(AppError):
    """The counter exists but no campaign is collecting responses there now."""

    status_code = 409
    kind = "not_open"


class Ended(NotOpen):
    """The campaign that covered this counter is closed: say it has ended."""

    kind = "ended"


@dataclass
class NotYet(NotOpen):
    """The campaign covering this counter is still a draft: say when it starts."""

    starts_on: date | None = None
    kind = "not_yet"


def _not_yet(counter_code: str, starts_on: date, household: bool = False) -> NotYet:
    error = NotYet.of(
        "village_survey_not_yet" if household else "survey_not_yet", code=counter_code
    )
    error.starts_on = starts_on
    return error


@dataclass(frozen=True)
class Survey:
    counter: str
    counter_name: str
    unit_name: str
    campaign: str
    questionnaire: Questionnaire
    kiosk: bool
    counter_id: int = 0  # for the form token served with the form
    # Where to complain, shown on the thank-you screen (the campaign's; optional).
    complaint_phone: str | None = None
    complaint_url: str | None = None
    # A household campaign's village (its code): the form names it instead of a
    # counter, and interviewers fill it in interview mode.
    village: str | None = None
    unit_id: int = 0  # the village's, for its form token

    @property
    def base(self) -> str:
        """Where this survey's pages are: /s/<counter> or /s/village/<code>."""
        return f"/s/village/{self.village}" if self.village else f"/s/{self.counter}"


class QuotaReached(AppError):
    """The unit's target is met and the campaign stops there: say so before anyone starts."""

    status_code = 409
    kind = "quota_full"


def _full(session: Session, campaign: Campaign, unit: Unit) -> bool:
    """Under the `stop` policy: is a scope unit covering `unit` at its target?"""
    if campaign.quota_policy != QuotaPolicy.stop:
        return False
    return (
        session.scalar(
            select(CampaignUnit.unit_id)
            .join(UnitAncestor, UnitAncestor.ancestor_id == CampaignUnit.unit_id)
            .where(
                CampaignUnit.campaign_id == campaign.id,
                UnitAncestor.unit_id == unit.id,
                CampaignUnit.target.is_not(None),
                CampaignUnit.collected >= CampaignUnit.target,
            )
            .limit(1)
        )
        is not None
    )


def open_survey(
    session: Session, catalog: Catalog, counter_code: str, refuse_full: bool = True
) -> Survey:
    """The open campaign, and its questionnaire, behind a counter's link."""
    found = session.execute(
        select(Counter, Unit)
        .join(Unit, Unit.id == Counter.unit_id)
        .where(Counter.code == counter_code)
    ).first()
    if found is None:
        raise NotFound.of("counter_missing", code=counter_code)
    counter, unit = found
    assigned = session.scalar(
        select(CounterCampaign.campaign_id).where(CounterCampaign.counter_id == counter.id)
    )
    campaign, q = _running(session, catalog, unit, counter_code, assigned, refuse_full, False)
    return Survey(
        counter.code,
        counter.name,
        unit.name,
        campaign.code,
        q,
        counter.kiosk,
        counter.id,
        campaign.complaint_phone,
        campaign.complaint_url,
    )


def open_village_survey(
    session: Session, catalog: Catalog, code: str, refuse_full: bool = True
) -> Survey:
    """The open household campaign, and its questionnaire, behind a village's link
    (the interviewer's form there, or the household's own: phiếu gửi đến nhà)."""
    unit = session.scalar(select(Unit).where(Unit.code == code, Unit.kind == "village"))
    if unit is None:
        raise NotFound.of("village_missing", code=code)
    campaign, q = _running(session, catalog, unit, code, None, refuse_full, True)
    commune = session.scalar(select(Unit.name).where(Unit.id == unit.parent_id))
    return Survey(
        "",
        commune or "",
        unit.name,
        campaign.code,
        q,
        False,
        0,
        campaign.complaint_phone,
        campaign.complaint_url,
        village=unit.code,
        unit_id=unit.id,
    )


def _running(
    session: Session,
    catalog: Catalog,
    unit: Unit,
    code: str,
    assigned: int | None,
    refuse_full: bool,
    household: bool,
) -> tuple[Campaign, Questionnaire]:
    """The campaign collecting at `unit` today and its questionnaire, or why none is."""
    scope = aliased(Unit)
    kind = [Campaign.kind == "household"] if household else []
    # A campaign covers the units in its scope and every unit below them; where two
    # overlap, the counter feeds the one chosen for it when the second was opened,
    # else the first opened (the same rule as the submission API).
    covering = list(
        session.scalars(
            select(Campaign)
            .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
            .join(scope, scope.id == CampaignUnit.unit_id)
            .where(
                Campaign.status == CampaignStatus.open,
                literal(unit.path).startswith(scope.path),
                *kind,
            )
            .order_by(Campaign.opened_at, Campaign.id)
        ).unique()
    )
    campaign = next((c for c in covering if c.id == assigned), None) or next(iter(covering), None)
    counter_code = code
    # The same words, about a village rather than a counter.
    say = "village_" if household else ""
    if campaign is None:
        # The newest campaign that covers it says which: ended, or not started yet.
        latest = session.scalars(
            select(Campaign)
            .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
            .join(scope, scope.id == CampaignUnit.unit_id)
            .where(literal(unit.path).startswith(scope.path), *kind)
            .order_by(Campaign.id.desc())
            .limit(1)
        ).first()
        if latest is not None and latest.status == CampaignStatus.closed:
            raise Ended.of(f"{say}survey_ended", code=counter_code)
        if latest is not None and latest.status == CampaignStatus.draft:
            raise _not_yet(counter_code, household=household, starts_on=latest.starts_on)
        raise NotOpen.of(f"{say}survey_not_open", code=counter_code)
    # An open campaign only takes responses inside its period (the submission API
    # refuses the others), so the page says so rather than take answers to lose them.
    today = datetime.now(VIETNAM).date()
    if today < campaign.starts_on:
        raise _not_yet(counter_code, household=household, starts_on=campaign.starts_on)
    if today > campaign.ends_on:
        raise Ended.of(f"{say}survey_ended", code=counter_code)
    if refuse_full and _full(session, campaign, unit):
        raise QuotaReached.of(
            "village_quota_reached" if household else "counter_quota_reached", code=counter_code
        )
    q = catalog.get(campaign.questionnaire, campaign.questionnaire_version)
    if q is None:
        raise NotOpen.of(
            "questionnaire_not_installed",
            slug=campaign.questionnaire,
            version=campaign.questionnaire_version,
        )
    return campaign, q


FormGetter = Callable[[str], list[str]]


def answers_from_form(q: Questionnaire, getlist: FormGetter) -> dict[str, Answer]:
    """Typed answers from form fields named by question code.

    Only the questionnaire's own codes are read. Scale values become integers when
    they are digits (anything else is passed on, so the checker names it). Answers
    to questions the respondent could not see (a follow-up hidden again after its
    condition changed) are dropped, as the JavaScript form does.
    """
    answers: dict[str, Answer] = {}
    for code, question in q.questions.items():
        values = [v.strip() for v in getlist(code)]
        values = [v for v in values if v]
        if not values:
            continue
        if question.kind == "multi":
            answers[code] = values
        elif question.kind == "scale":
            number = ascii_int(values[0])
            answers[code] = values[0] if number is None else number
        else:
            answers[code] = values[0]
        if len(values) > 1 and question.kind != "multi":
            answers[code] = values  # the checker reports "not one value"
    answers = clean(answers)
    return {code: v for code, v in answers.items() if q.visible(code, answers)}


def parse_id(raw: str | None) -> uuid.UUID:
    try:
        return uuid.UUID(raw or "")
    except ValueError:
        raise Invalid.of("form_id_missing", [FieldError.of("id", "not_uuid", "form")]) from None


def parse_time(raw: str | None) -> datetime | None:
    """A time the page wrote into the form; a damaged one is simply not recorded."""
    try:
        value = datetime.fromisoformat(raw or "")
        value = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return value if in_range(value) else None
    except (ValueError, OverflowError):
        return None


def survey_dossier(raw: str | None) -> str | None:
    """The dossier code a result slip's QR link carries (`?d=`), if it looks like one.

    Anything else is dropped rather than refused: a respondent cannot fix a link.
    """
    code = (raw or "").strip()
    ok = 0 < len(code) <= 64 and code.isprintable() and text_problem(code) is None
    return code if ok else None


def submission_from_form(
    survey: Survey,
    getlist: FormGetter,
    channel: str,
    now: datetime,
) -> SubmissionIn:
    """The JSON contract's body for a posted form."""
    first = getlist("id")
    started = parse_time(next(iter(getlist("started_at")), None))
    if started is not None and started > now:
        started = now  # the page wrote the server's own clock; never after submission

    def checked(name: str) -> list[str]:
        # Bad text is refused here, beside its question, before the contract sees it.
        values = getlist(name)
        for v in values:
            if (error := text_error(f"answers.{name}", v)) is not None:
                bad.append(error)
        return [v for v in values if text_problem(v) is None]

    bad: list[FieldError] = []
    answers = answers_from_form(survey.questionnaire, checked)
    if bad:
        raise Invalid.of("form_bad_characters", bad)
    try:
        return _form_body(survey, getlist, first, started, channel, now, answers)
    except ValidationError as exc:
        # The contract's own checks (pydantic's words, English) on fields the page
        # wrote, not the respondent: shown as "the form is damaged" in either language.
        raise Invalid.of(
            "form_damaged",
            [
                FieldError.of(
                    ".".join(str(p) for p in e["loc"]),
                    "form_field_damaged",
                    e["type"],
                    what=e["msg"],
                )
                for e in exc.errors()
            ],
        ) from None


def _form_body(
    survey: Survey,
    getlist: FormGetter,
    first: list[str],
    started: datetime | None,
    channel: str,
    now: datetime,
    answers: dict[str, Answer],
) -> SubmissionIn:
    return SubmissionIn(
        id=parse_id(first[0] if first else None),
        questionnaire=survey.questionnaire.slug,
        version=survey.questionnaire.version,
        counter=None if survey.village else survey.counter,
        unit=survey.village,
        campaign=survey.campaign,
        channel=channel if channel in ("kiosk", "interview") else "web",
        started_at=started,
        submitted_at=now,
        answers=answers,
        dossier=survey_dossier(next(iter(getlist("dossier")), None)),
        form_token=next(iter(getlist("form_token")), None) or None,
    )
