"""Citizens' comments: the free-text answers of a campaign's counted responses.

Listed per unit (and below), searchable, with the response's date and channel;
a coordinator may hide one as abusive (audited, within their area), after which no
export of comments, nor the microdata, carries its text. The response still counts:
hiding a comment is not excluding a response. A coordinator may also choose comments
to print in the report (*đưa vào báo cáo*, audited); a hidden one never is.
"""

import io
import unicodedata
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import and_, func, literal, select, union_all
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.service import Principal
from app.campaigns.models import Campaign, HiddenComment, ReportComment
from app.campaigns.service import questionnaire_of
from app.collection.models import Submission
from app.core.clock import VIETNAM
from app.core.csvfile import SafeWriter, safe_workbook
from app.core.errors import Conflict, FieldError, Forbidden, Invalid, NotFound
from app.counts.models import UnitAncestor
from app.questionnaires.catalog import Questionnaire, get_catalog
from app.units.models import Unit

State = Literal["shown", "hidden", "chosen", "all"]
STATES = ("shown", "hidden", "chosen", "all")
PAGE_SIZE = 50
MAX_SEARCH = 200


@dataclass(frozen=True)
class Comment:
    id: uuid.UUID
    question: str
    text: str
    unit: str
    unit_name: str
    channel: str
    submitted_at: datetime
    hidden_at: datetime | None = None
    hidden_by: str | None = None
    hidden_reason: str | None = None
    chosen_at: datetime | None = None


@dataclass(frozen=True)
class CommentPage:
    rows: list[Comment]
    total: int


@dataclass(frozen=True)
class Query:
    """Which comments: under a unit, containing some words, of one question, shown or
    hidden."""

    unit: str | None = None
    search: str | None = None
    question: str | None = None
    state: State = "shown"


def text_questions(q: Questionnaire) -> list[str]:
    """The questionnaire's comment questions (free text marked `comment: true`), in its
    order. Other free text, such as a procedure's name, is an answer, not a comment."""
    return [
        code
        for code, question in q.questions.items()
        if question.kind == "text" and question.comment
    ]


def check(session: Session, q: Questionnaire, query: Query) -> None:
    """Refuse a query that cannot mean anything, saying where."""
    problems = []
    if query.question is not None and query.question not in text_questions(q):
        known = ", ".join(text_questions(q))
        problems.append(FieldError.of("question", "one_of", "value", known=known))
    if query.state not in STATES:
        problems.append(FieldError.of("state", "one_of", "value", known=", ".join(STATES)))
    if query.search is not None and len(query.search) > MAX_SEARCH:
        problems.append(FieldError.of("q", "at_most", "too_long", n=MAX_SEARCH))
    if (
        query.unit is not None
        and session.scalar(select(Unit.id).where(Unit.code == query.unit)) is None
    ):
        problems.append(FieldError.of("unit", "unit_unknown", "unknown", code=query.unit))
    if problems:
        raise Invalid.of("filters_invalid", problems)


def fold(text: str) -> str:
    """Text for matching: without case or Vietnamese marks (Đ as D), so "cam on",
    "Cảm ơn" and "CẢM ƠN" all find "cảm ơn". People often type without marks."""
    bare = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()


def _select(session: Session, who: Principal, campaign: Campaign, query: Query) -> Any:
    """One row per non-empty free-text answer that matches, as a subquery."""
    return _answers(campaign, who.unit_id, query)


def _answers(campaign: Campaign, area: int | None, query: Query) -> Any:
    q = questionnaire_of(get_catalog(), campaign)
    codes = [query.question] if query.question else text_questions(q)
    conditions: list[Any] = [
        Submission.campaign_id == campaign.id,
        Submission.excluded_at.is_(None),
    ]
    if area is not None:
        below = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == area)
        conditions.append(Submission.unit_id.in_(below))
    if query.unit is not None:
        under = (
            select(UnitAncestor.unit_id)
            .join(Unit, Unit.id == UnitAncestor.ancestor_id)
            .where(Unit.code == query.unit)
        )
        conditions.append(Submission.unit_id.in_(under))
    parts = []
    for code in codes:
        value = Submission.answers[code].as_string()
        where = [*conditions, value.is_not(None), value != ""]
        parts.append(
            select(
                Submission.id.label("sid"),
                literal(code).label("question"),
                value.label("text"),
                Submission.unit_id.label("unit_id"),
                Submission.channel.label("channel"),
                Submission.submitted_at.label("submitted_at"),
            ).where(*where)
        )
    if not parts:
        return None
    return (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()


def _rows(found: Any, state: State) -> Any:
    hidden = HiddenComment
    stmt = (
        select(
            found.c.sid,
            found.c.question,
            found.c.text,
            Unit.code,
            Unit.name,
            found.c.channel,
            found.c.submitted_at,
            hidden.hidden_at,
            hidden.hidden_by,
            hidden.reason,
            ReportComment.chosen_at,
        )
        .join(Unit, Unit.id == found.c.unit_id)
        .outerjoin(
            hidden,
            and_(hidden.submission_id == found.c.sid, hidden.question == found.c.question),
        )
        .outerjoin(
            ReportComment,
            and_(
                ReportComment.submission_id == found.c.sid,
                ReportComment.question == found.c.question,
            ),
        )
    )
    if state == "shown":
        stmt = stmt.where(hidden.submission_id.is_(None))
    elif state == "hidden":
        stmt = stmt.where(hidden.submission_id.is_not(None))
    elif state == "chosen":
        stmt = stmt.where(ReportComment.submission_id.is_not(None))
    return stmt.order_by(found.c.submitted_at.desc(), found.c.sid, found.c.question)


def _comment(row: Any) -> Comment:
    sid, question, text, unit, name, channel, at, hidden_at, hidden_by, reason, chosen = row
    return Comment(
        sid if isinstance(sid, uuid.UUID) else uuid.UUID(str(sid)),
        question,
        text,
        unit,
        name,
        channel,
        at,
        hidden_at,
        hidden_by,
        reason,
        chosen,
    )


def list_comments(
    session: Session, who: Principal, campaign: Campaign, query: Query, page: int = 1
) -> CommentPage:
    """One page of the comments the principal may see, newest first."""
    check(session, questionnaire_of(get_catalog(), campaign), query)
    found = _select(session, who, campaign, query)
    if found is None:
        return CommentPage([], 0)
    stmt = _rows(found, query.state)
    start = (max(page, 1) - 1) * PAGE_SIZE
    if query.search:
        # Matched here, not in SQL: neither SQLite's lower() (ASCII only) nor
        # PostgreSQL without the unaccent extension folds Vietnamese marks. Only the
        # non-empty free-text answers in the area are read.
        matching = list(_matching(session.execute(stmt), query.search))
        return CommentPage(matching[start : start + PAGE_SIZE], len(matching))
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = session.execute(stmt.offset(start).limit(PAGE_SIZE))
    return CommentPage([_comment(r) for r in rows], int(total or 0))


def _matching(rows: Any, search: str) -> Iterator[Comment]:
    words = fold(search).split()
    for r in rows:
        c = _comment(r)
        folded = fold(c.text)
        if all(w in folded for w in words):
            yield c


def shown_comments(
    session: Session, who: Principal, campaign: Campaign, query: Query
) -> Iterator[Comment]:
    """Every matching comment that is not hidden (what an export may carry)."""
    check(session, questionnaire_of(get_catalog(), campaign), query)
    found = _select(session, who, campaign, query)
    if found is not None:
        rows = session.execute(_rows(found, "shown"))
        if query.search:
            yield from _matching(rows, query.search)
        else:
            yield from (_comment(r) for r in rows)


def hidden_answers(session: Session, campaign: Campaign) -> set[tuple[uuid.UUID, str]]:
    """(response, question) of the campaign's hidden comments (the microdata blanks them)."""
    rows = session.execute(
        select(HiddenComment.submission_id, HiddenComment.question)
        .join(Submission, Submission.id == HiddenComment.submission_id)
        .where(Submission.campaign_id == campaign.id)
    )
    return {(sid, question) for sid, question in rows}


def hidden_of(session: Session, sid: uuid.UUID) -> set[str]:
    """The questions of one response whose comment is hidden."""
    return set(
        session.scalars(select(HiddenComment.question).where(HiddenComment.submission_id == sid))
    )


def _target(
    session: Session, who: Principal, campaign: Campaign, sid: uuid.UUID, question: str
) -> Submission:
    q = questionnaire_of(get_catalog(), campaign)
    sub = session.scalar(
        select(Submission).where(Submission.id == sid, Submission.campaign_id == campaign.id)
    )
    if sub is None:
        raise NotFound.of("response_unknown", sid=sid, code=campaign.code)
    if not accounts.in_scope(session, who, sub.unit_id):
        raise Forbidden.of("response_outside", sid=sid)
    if not who.can_manage:
        raise Forbidden.of("role_cannot_review", role=who.role)
    text = sub.answers.get(question) if question in text_questions(q) else None
    if not isinstance(text, str) or not text:
        raise NotFound.of("comment_unknown", sid=sid, question=question)
    return sub


Action = Literal["hide", "show", "choose", "unchoose"]
ACTIONS = ("hide", "show", "choose", "unchoose")


@dataclass(frozen=True)
class _Mark:
    """What an action does to a comment: puts on (or takes off) one mark, and the
    message when the comment already is (or is not) so."""

    model: type[HiddenComment] | type[ReportComment]
    puts: bool
    conflict: str


MARKS: dict[Action, _Mark] = {
    "hide": _Mark(HiddenComment, True, "comment_already_hidden"),
    "show": _Mark(HiddenComment, False, "comment_not_hidden"),
    "choose": _Mark(ReportComment, True, "comment_already_chosen"),
    "unchoose": _Mark(ReportComment, False, "comment_not_chosen"),
}


def review_comment(
    session: Session,
    who: Principal,
    campaign: Campaign,
    sid: uuid.UUID,
    question: str,
    action: Action,
    reason: str = "",
) -> None:
    """One reviewed change of a comment (hide as abusive with a reason, show again,
    choose for the report, take out again): looked up within the principal's area,
    checked against its state, written and audited, or nothing at all."""
    mark = MARKS[action]
    detail: dict[str, str] = {"question": question}
    if action == "hide":
        reason = reason.strip()
        if not reason or len(reason) > 500:
            raise Invalid.of(
                "hide_reason_required", [FieldError.of("reason", "chars_1_500", "required")]
            )
        detail["reason"] = reason
    _target(session, who, campaign, sid, question)
    key = (sid, question)
    if action == "choose" and session.get(HiddenComment, key) is not None:
        raise Conflict.of("comment_hidden_not_chosen", sid=sid, question=question)
    row = session.get(mark.model, key)
    if (row is not None) == mark.puts:
        raise Conflict.of(mark.conflict, sid=sid, question=question)
    now = datetime.now(UTC)
    if action == "hide":
        session.add(
            HiddenComment(
                submission_id=sid,
                question=question,
                hidden_at=now,
                hidden_by=who.actor,
                reason=reason,
            )
        )
        chosen = session.get(ReportComment, key)
        if chosen is not None:  # an abusive text is never printed
            session.delete(chosen)
    elif action == "choose":
        session.add(
            ReportComment(submission_id=sid, question=question, chosen_at=now, chosen_by=who.actor)
        )
    else:
        session.delete(row)
    accounts.audit(session, who.actor, f"comment.{action}", f"{campaign.code}/{sid}", detail)
    session.flush()


def comment_of(
    session: Session, who: Principal, campaign: Campaign, sid: uuid.UUID, question: str
) -> Comment:
    """One comment as listed (unit, date, channel, hidden and chosen marks), if the
    principal may see it."""
    found = _select(session, who, campaign, Query(question=question, state="all"))
    row = None
    if found is not None:
        row = session.execute(_rows(found, "all").where(found.c.sid == sid)).first()
    if row is None:
        raise NotFound.of("comment_unknown", sid=sid, question=question)
    return _comment(row)


@dataclass(frozen=True)
class ForReport:
    """What the printed report says of the comments: how many were received (non-empty
    free-text answers of counted responses) and those chosen, oldest choice first."""

    received: int
    chosen: list[Comment]


def for_report(session: Session, campaign: Campaign) -> ForReport:
    """The campaign's comment count and the comments chosen for its report (not hidden)."""
    found = _answers(campaign, None, Query())
    if found is None:
        return ForReport(0, [])
    received = session.scalar(select(func.count()).select_from(found))
    stmt = (
        _rows(found, "shown")
        .where(ReportComment.submission_id.is_not(None))
        .order_by(None)
        .order_by(ReportComment.chosen_at, found.c.sid, found.c.question)
    )
    return ForReport(int(received or 0), [_comment(r) for r in session.execute(stmt)])


def _local(at: datetime) -> str:
    return at.astimezone(VIETNAM).strftime("%Y-%m-%d %H:%M:%S")


def export_rows(
    comments: Iterator[Comment],
    header: list[str],
    channel: dict[str, str],
    questions: dict[str, str] | None = None,
) -> Iterator[list[Any]]:
    """The export's rows; `questions` names each question by its text (in the reader's
    language), not its code."""
    names = questions or {}
    yield header
    for c in comments:
        yield [
            str(c.id),
            _local(c.submitted_at),
            c.unit,
            c.unit_name,
            channel.get(c.channel, c.channel),
            names.get(c.question, c.question),
            c.text,
        ]


def to_csv(rows: Iterator[list[Any]], sep: str = ",") -> bytes:
    """UTF-8 with the BOM Excel needs for Vietnamese; `;` for Excel in a Vietnamese locale."""
    out = io.StringIO()
    out.write("\ufeff")
    w = SafeWriter(out, delimiter=sep, lineterminator="\r\n")
    for row in rows:
        w.writerow(row)
    return out.getvalue().encode("utf-8")


def to_xlsx(rows: Iterator[list[Any]], sheet: str) -> bytes:
    out = io.BytesIO()
    wb = safe_workbook(out)
    ws = wb.add_worksheet(sheet[:31])
    bold = wb.add_format({"bold": True})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            ws.write_string(r, c, str(value), bold if r == 0 else wrap)
    ws.set_column(0, 0, 38)
    ws.set_column(1, 5, 18)
    ws.set_column(6, 6, 80)
    wb.close()
    return out.getvalue()
