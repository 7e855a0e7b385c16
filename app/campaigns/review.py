"""Reviewing responses: list them with their quality flags, exclude or restore one.

An exclusion never changes the answers (design.md): the row gets `excluded_at`, who
and why, and the tallies and quota counts drop it in the same transaction, so the
next report leaves it out. Restoring reverses exactly that.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import Text, func, select, text
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.models import Account
from app.access.service import Principal
from app.campaigns import quotas
from app.campaigns.models import Campaign
from app.campaigns.service import questionnaire_of
from app.collection.models import REVIEW_PREDICATE, Submission
from app.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.counts import columns, snapshots, tally
from app.counts.models import UnitAncestor
from app.questionnaires import quality
from app.questionnaires.catalog import Catalog, get_catalog
from app.units.models import Counter, Unit

State = Literal["flagged", "excluded", "over_quota", "all"]
PAGE_SIZE = 50
# The reasons a coordinator picks from when excluding (their words are in
# app/access/dash_text.py as `why_<code>`); `other` needs a note.
REASONS = ("speeding", "straight_lining", "burst", "duplicate", "test", "not_user", "other")
TextByLang = dict[str, str]


@dataclass(frozen=True)
class Row:
    id: uuid.UUID
    unit: str
    unit_name: str
    counter: str | None
    channel: str
    submitted_at: datetime
    seconds: int | None
    flags: list[str]
    over_quota: bool
    excluded_at: datetime | None
    excluded_by: str | None
    exclude_reason: str | None
    late_sync: bool = False
    interviewer: str | None = None  # the interviewer's login (channel `interview`)


@dataclass(frozen=True)
class Listing:
    rows: list[Row]
    total: int
    flag_counts: dict[str, int]
    excluded: int


def _visible(stmt: Any, who: Principal) -> Any:
    if who.unit_id is None:
        return stmt
    below = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == who.unit_id)
    return stmt.where(Submission.unit_id.in_(below))


def _has_flag(flag: str) -> Any:
    # The flag list as JSON text holds "speeding" in quotes, on SQLite and PostgreSQL alike.
    return func.cast(Submission.quality_flags, Text).like(f'%"{flag}"%')


@dataclass(frozen=True)
class FlagCounts:
    per_flag: dict[str, int]  # responses carrying each flag (over_quota included)
    flagged: int  # responses carrying at least one
    excluded: int


def flag_counts(session: Session, who: Principal, campaign: Campaign) -> FlagCounts:
    """How many counted responses carry each flag or any flag (from the tallies' `flag=`
    keys, folded first), and how many are excluded (a partial index holds those)."""
    tally.fold_campaign(session, campaign, questionnaire_of(get_catalog(), campaign))
    totals = tally.key_totals(session, campaign.id, who.unit_id, "flag=")
    excluded = session.scalar(
        _visible(
            select(func.count())
            .select_from(Submission)
            .where(Submission.campaign_id == campaign.id, Submission.excluded_at.is_not(None)),
            who,
        )
    )
    per_flag = {k.removeprefix("flag="): n for k, n in totals.items() if n and k != "flag=*"}
    return FlagCounts(per_flag, totals.get("flag=*", 0), int(excluded or 0))


def list_responses(
    session: Session,
    who: Principal,
    campaign: Campaign,
    state: State = "flagged",
    flag: str | None = None,
    page: int = 1,
    interviewer: str | None = None,
) -> Listing:
    """One page of the campaign's responses the principal may see, newest first;
    `interviewer` (a login) keeps only the forms that interviewer filled."""
    conditions: list[Any] = [Submission.campaign_id == campaign.id]
    if interviewer:
        account_id = session.scalar(
            select(Account.id).where(Account.login == interviewer.strip().lower())
        )
        if account_id is None:
            raise Invalid.of(
                "unknown_interviewer",
                [FieldError.of("interviewer", "interviewer_unknown", login=interviewer)],
                login=interviewer,
            )
        conditions.append(Submission.interviewer_id == account_id)
    if state == "flagged":
        # Verbatim the partial index's predicate, so only those rows are read.
        dialect = session.get_bind().dialect.name
        conditions.append(text(f"({REVIEW_PREDICATE[dialect]})"))
    elif state == "excluded":
        conditions.append(Submission.excluded_at.is_not(None))
    elif state == "over_quota":
        conditions.append(Submission.over_quota)
    if flag == "over_quota":
        conditions.append(Submission.over_quota)
    elif flag:
        if flag not in quality.ALL:
            known = ", ".join((*quality.ALL, "over_quota"))
            raise Invalid.of(
                "unknown_flag", [FieldError.of("flag", "one_of", known=known)], flag=flag
            )
        conditions.append(_has_flag(flag))
    # Counted on the responses alone (no joins), paged in the database: a campaign
    # holds up to millions of responses.
    total = (
        session.scalar(
            _visible(select(func.count()).select_from(Submission).where(*conditions), who)
        )
        or 0
    )
    start = (max(page, 1) - 1) * PAGE_SIZE
    page_ids = _visible(
        select(Submission.id)
        .where(*conditions)
        .order_by(Submission.submitted_at.desc(), Submission.id)
        .offset(start)
        .limit(PAGE_SIZE),
        who,
    ).subquery()
    candidates = session.execute(
        select(Submission, Unit.code, Unit.name, Counter.code, Account.login)
        .join(page_ids, page_ids.c.id == Submission.id)
        .join(Unit, Unit.id == Submission.unit_id)
        .outerjoin(Counter, Counter.id == Submission.counter_id)
        .outerjoin(Account, Account.id == Submission.interviewer_id)
        .order_by(Submission.submitted_at.desc(), Submission.id)
    ).all()
    rows = [
        _row(s, unit, unit_name, counter, login)
        for s, unit, unit_name, counter, login in candidates
    ]
    counts = flag_counts(session, who, campaign)
    return Listing(rows, total, counts.per_flag, counts.excluded)


def _row(
    s: Submission, unit: str, unit_name: str, counter: str | None, interviewer: str | None = None
) -> Row:
    return Row(
        s.id,
        unit,
        unit_name,
        counter,
        s.channel,
        s.submitted_at,
        int((s.submitted_at - s.started_at).total_seconds()) if s.started_at else None,
        list(s.quality_flags),
        s.over_quota,
        s.excluded_at,
        s.excluded_by,
        s.exclude_reason,
        s.late_sync,
        interviewer,
    )


@dataclass(frozen=True)
class Answer:
    """One question of a response as the respondent saw it: its wording and the labels
    of what was chosen (both in every language of the questionnaire)."""

    code: str
    question: TextByLang
    chosen: list[TextByLang]  # scale level or options; empty when not answered
    text: str | None  # a free-text answer
    asked: bool  # False: its show-if condition kept it from the respondent


@dataclass(frozen=True)
class Part:
    title: TextByLang
    answers: list[Answer]


@dataclass(frozen=True)
class Detail:
    row: Row
    parts: list[Part]


def rows_of(
    session: Session, who: Principal, campaign: Campaign, ids: list[uuid.UUID]
) -> list[Row]:
    """The listed responses of the campaign the principal may see, newest first; an id
    that is not one of them is refused (404), so nothing is acted on by mistake."""
    found = session.execute(
        _visible(
            select(Submission, Unit.code, Unit.name, Counter.code)
            .join(Unit, Unit.id == Submission.unit_id)
            .outerjoin(Counter, Counter.id == Submission.counter_id)
            .where(Submission.campaign_id == campaign.id, Submission.id.in_(ids))
            .order_by(Submission.submitted_at.desc(), Submission.id),
            who,
        )
    ).all()
    missing = set(ids) - {s.id for s, *_ in found}
    if missing:
        raise NotFound.of(
            "response_unknown",
            [
                FieldError.of("ids", "response_id_unknown", "unknown", sid=m)
                for m in sorted(missing)
            ],
            sid=sorted(missing)[0],
            code=campaign.code,
        )
    return [_row(s, unit, name, counter) for s, unit, name, counter in found]


def detail(session: Session, who: Principal, campaign: Campaign, sid: uuid.UUID) -> Detail:
    """One response with its answers in questionnaire order (viewers may look too)."""
    (row,) = rows_of(session, who, campaign, [sid])
    answers = session.scalar(select(Submission.answers).where(Submission.id == sid)) or {}
    q = questionnaire_of(get_catalog(), campaign)
    scale = {o.code: o.label for o in q.model.scale.options}
    scale[q.not_applicable] = q.model.scale.not_applicable.label
    parts = []
    for section in q.model.sections:
        lines = []
        for question in section.questions:
            given = answers.get(question.code)
            labels = {o.code: o.label for o in question.options}
            chosen: list[TextByLang] = []
            free = None
            if question.kind == "scale" and isinstance(given, int) and given in scale:
                chosen = [scale[given]]
            elif question.kind == "text" and isinstance(given, str):
                free = given
            elif given is not None:
                picked = given if isinstance(given, list) else [given]
                chosen = [labels.get(c, {"vi": str(c), "en": str(c)}) for c in picked]
            lines.append(
                Answer(
                    question.code, question.text, chosen, free, q.visible(question.code, answers)
                )
            )
        parts.append(Part(section.title, lines))
    return Detail(row, parts)


def exclude_many(
    session: Session,
    catalog: Catalog,
    who: Principal,
    campaign: Campaign,
    ids: list[uuid.UUID],
    reason: str,
    code: str | None = None,
) -> int:
    """Exclude several responses with one reason, each audited on its own; one that
    cannot be excluded (already excluded, outside the area) refuses the whole request,
    and the request's transaction then stores none of them."""
    if not ids:
        raise Invalid.of("choose_responses", [FieldError.of("ids", "none_chosen", "required")])
    for sid in dict.fromkeys(ids):
        exclude(session, catalog, who, campaign, sid, reason, code)
    return len(set(ids))


def _get(session: Session, who: Principal, campaign: Campaign, sid: uuid.UUID) -> Submission:
    # Locked: a fold running now either has counted the row already (we then subtract)
    # or skips it while we hold it (PostgreSQL SKIP LOCKED) and finds it done.
    sub = session.scalar(
        select(Submission)
        .where(Submission.id == sid, Submission.campaign_id == campaign.id)
        .with_for_update()
    )
    if sub is None:
        raise NotFound.of("response_unknown", sid=sid, code=campaign.code)
    if not accounts.in_scope(session, who, sub.unit_id):
        raise Forbidden.of("response_outside", sid=sid)
    if not who.can_manage:
        raise Forbidden.of("role_cannot_review", role=who.role)
    return sub


def _retally(session: Session, catalog: Catalog, campaign: Campaign, sub: Submission) -> None:
    """Subtract a counted row's answers from the tallies."""
    q = questionnaire_of(catalog, campaign)
    if tally.recount_if_relaid(session, campaign.id, q):
        # The counts start over from the responses: leave this one out of the recount.
        tally.dequeue(session, sub.id)
        return
    facts = tally.RowFacts(sub.submitted_at, sub.quality_flags, sub.over_quota)
    tally.add_counts(session, q, campaign.id, sub.unit_id, sub.answers, sub.channel, facts, sign=-1)
    row = (sub.unit_id, sub.channel, sub.answers, sub.submitted_at)
    columns.append(session, campaign.id, q, [row], sign=-1)  # filtered reports subtract it too


def exclude(
    session: Session,
    catalog: Catalog,
    who: Principal,
    campaign: Campaign,
    sid: uuid.UUID,
    reason: str,
    code: str | None = None,
) -> Submission:
    """Leave a response out of every index and count, with a reason (audited; `code`,
    one of REASONS, is the reason the coordinator picked from the list, if any)."""
    reason = reason.strip()
    if not reason or len(reason) > 500:
        raise Invalid.of("reason_required", [FieldError.of("reason", "chars_1_500", "required")])
    sub = _get(session, who, campaign, sid)
    if sub.excluded_at is not None:
        raise Conflict.of("already_excluded", sid=sid)
    if not tally.dequeue(session, sub.id):
        _retally(session, catalog, campaign, sub)  # counted already: subtract it
    sub.excluded_at = datetime.now(UTC)
    sub.excluded_by = who.actor
    sub.exclude_reason = reason
    quotas.withdraw(session, sub, -1)
    mark_changed(session, campaign)
    accounts.audit(
        session,
        who.actor,
        "response.exclude",
        f"{campaign.code}/{sid}",
        {"reason": reason, "flags": list(sub.quality_flags)}
        | ({"reason_code": code} if code else {}),
    )
    session.flush()
    return sub


def restore(
    session: Session, who: Principal, campaign: Campaign, sid: uuid.UUID, reason: str = ""
) -> Submission:
    """Count an excluded response again (audited); the next fold adds it back."""
    sub = _get(session, who, campaign, sid)
    if sub.excluded_at is None:
        raise Conflict.of("not_excluded", sid=sid)
    sub.excluded_at = None
    sub.excluded_by = None
    sub.exclude_reason = None
    tally.enqueue(session, sub.id, campaign.id)  # the next fold counts it again
    quotas.withdraw(session, sub, +1)
    snapshots.forget(session, campaign.id)  # so that fold comes with the next report
    accounts.audit(
        session, who.actor, "response.restore", f"{campaign.code}/{sid}", {"reason": reason}
    )
    session.flush()
    return sub


def mark_changed(session: Session, campaign: Campaign) -> None:
    """The change shows in the next report (see snapshots.campaign_changed)."""
    snapshots.campaign_changed(session, campaign)
