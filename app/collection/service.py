"""Recording submissions: exactly one stored row per id, or a clear rejection.

Idempotency follows ODK Central: the client picks the id; the identical body again
gets the original receipt (200), a different body under the same id is a conflict
(409). The database decides who wins a race (INSERT … ON CONFLICT DO NOTHING on the
primary key), never a check-then-insert in Python.

The hot path is three statements (look-up, insert, commit) built once and served
from SQLAlchemy's compiled cache; a batch is a handful of statements whatever its
size.
"""

import dataclasses
import hashlib
import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast

import psycopg
from psycopg.types.json import Jsonb
from pydantic import ValidationError
from sqlalchemy import (
    Connection,
    TextClause,
    bindparam,
    exists,
    func,
    join,
    literal,
    select,
    text,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.exc import DataError, StatementError
from sqlalchemy.orm import Session, aliased

from app.campaigns import quotas
from app.campaigns.models import Campaign, CampaignStatus, CampaignUnit, CounterCampaign
from app.campaigns.service import unknown_campaign
from app.collection import admission
from app.collection.models import Submission
from app.collection.schemas import BatchResult, Receipt, SubmissionIn
from app.core import metrics
from app.core.clock import VIETNAM
from app.core.config import get_settings
from app.core.errors import AppError, Conflict, FieldError, Invalid, TooManyRequests
from app.core.statements import Prepared
from app.questionnaires import quality
from app.questionnaires.answers import check_answers, clean
from app.questionnaires.catalog import Catalog
from app.units.models import Counter, Unit
from app.web import i18n

# Clocks on kiosks and phones drift; a little skew is not an error.
CLOCK_SKEW = timedelta(minutes=10)
# Responses finished this recently count towards the rate limit; older ones are a
# kiosk's offline queue being replayed.
LIVE_WINDOW = timedelta(minutes=5)
# No SIPAS response predates the service; a year-1 or year-9999 timestamp is a broken
# clock or a probe, and near those ends a UTC conversion overflows.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
TABLE = Submission.__table__
# Every column, in table order (a trigger queues each new row for the fold).
STAGED_COLUMNS = [c.name for c in TABLE.columns]
# What a bulk loader must supply; the rest start empty (see ROW_DEFAULTS).
CORE_COLUMNS = STAGED_COLUMNS[: STAGED_COLUMNS.index("quality_flags") + 1]
ROW_DEFAULTS: dict[str, Any] = {
    "over_quota": False,
    "device_id": None,
    "dossier_hash": None,
    "excluded_at": None,
    "excluded_by": None,
    "exclude_reason": None,
    "api_key_id": None,
    "late_sync": False,
}


@dataclass(frozen=True)
class Recorded:
    receipt: Receipt
    created: bool


@dataclass(frozen=True)
class _Open:
    id: int
    code: str
    questionnaire: str
    version: int
    # Its period (Vietnam calendar days): a response finished outside it is refused.
    starts_on: date
    ends_on: date
    # A closed campaign taking a response finished while it was open (late sync).
    late: bool = False


class LateSyncExpired(Conflict):
    """Finished while its campaign was open, but sent after the late-sync grace period."""

    kind = "late_sync_expired"


@dataclass(frozen=True)
class _Place:
    """A counter, its unit, and the open campaigns covering that unit."""

    counter_id: int
    unit_id: int
    unit_code: str
    # Open campaigns covering it, the first opened first.
    campaigns: tuple[_Open, ...]
    # The one the coordinator chose for this counter where open campaigns overlap.
    assigned: int | None = None


@dataclass(frozen=True)
class _Stored:
    body_hash: str
    receipt: Receipt


@dataclass
class _Judged:
    """A parsed body with its verdict: the row to insert, or the problems."""

    body: SubmissionIn
    digest: str
    row: dict[str, Any] | None
    receipt: Receipt | None
    problems: list[FieldError]
    # Refused as a whole, not for a field (a late sync past its grace period).
    refusal: AppError | None = None


def body_hash(body: SubmissionIn, answers: dict[str, Any]) -> str:
    """SHA-256 of the canonical body: same content, same hash, whatever the key order
    or UTC offset the client used."""
    # The form token is a credential, not content: a resend is the same response.
    canonical = body.model_dump(mode="json", exclude={"answers", "form_token"})
    if canonical.get("dossier") is None:
        # Bodies from before `dossier` existed keep their hash, so their retries match.
        canonical.pop("dossier", None)
    for key in ("started_at", "submitted_at"):
        value = getattr(body, key)
        canonical[key] = _utc_text(value) if value else None
    canonical["answers"] = answers
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    # surrogatepass: a body with a lone surrogate still gets a hash, so it can be
    # judged (and refused by unstorable_text) instead of failing here.
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def _utc_text(value: datetime) -> str:
    try:
        return value.astimezone(UTC).isoformat()
    except OverflowError:
        # Year 1 at +07:00 has no UTC form; _check_times refuses it anyway.
        return value.isoformat()


def unstorable_text(value: Any, loc: str = "") -> list[FieldError]:
    """Every string in a raw body (keys too) that no database column can hold: a NUL
    character (PostgreSQL text and jsonb refuse it) or a lone surrogate (not UTF-8).

    A guard at the storage boundary, so one such item is refused alone instead of
    failing the statement, and so the transaction, of a whole batch.
    """
    if isinstance(value, str):
        if "\x00" in value:
            return [FieldError.of(loc or "body", "has_nul", "nul")]
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return [FieldError.of(loc or "body", "has_surrogate", "surrogate")]
        return []
    problems: list[FieldError] = []
    if isinstance(value, dict):
        for key, item in value.items():
            here = f"{loc}.{key}" if loc else str(key)
            if isinstance(key, str) and (bad := unstorable_text(key, loc or "body")):
                # The loc names the key, written so that it can itself be sent back.
                shown = here.replace("\x00", "\\x00").encode("utf-8", "backslashreplace")
                problems += [dataclasses.replace(f, loc=shown.decode()) for f in bad]
                continue
            problems += unstorable_text(item, here)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            problems += unstorable_text(item, f"{loc}.{i}" if loc else str(i))
    return problems


# Built once, so the hot path runs compiled statements from SQLAlchemy's cache.
_scope_unit = aliased(Unit)
_covering = join(CampaignUnit, _scope_unit, _scope_unit.id == CampaignUnit.unit_id).join(
    Campaign, (Campaign.id == CampaignUnit.campaign_id) & (Campaign.status == CampaignStatus.open)
)
_PLACE_SELECT = (
    select(
        Counter.id,
        Counter.unit_id,
        Unit.code,
        Campaign.id,
        Campaign.code,
        Campaign.questionnaire,
        Campaign.questionnaire_version,
        Campaign.starts_on,
        Campaign.ends_on,
        CounterCampaign.campaign_id,
    )
    .join(Unit, Unit.id == Counter.unit_id)
    .outerjoin(CounterCampaign, CounterCampaign.counter_id == Counter.id)
    # A campaign covers the units in its scope and everything below them.
    .outerjoin(_covering, Unit.path.startswith(_scope_unit.path))
    .where(Counter.code == bindparam("code"))
    .order_by(Campaign.opened_at, Campaign.id)
)
_PLACE = Prepared(_PLACE_SELECT)
_STORED = (
    select(
        Submission.id,
        Submission.body_hash,
        Submission.received_at,
        Campaign.code,
        Unit.code,
        Submission.late_sync,
    )
    .join(Campaign, Campaign.id == Submission.campaign_id)
    .join(Unit, Unit.id == Submission.unit_id)
    .where(Submission.id.in_(bindparam("ids", expanding=True)))
)


def _insert_statement() -> TextClause:
    # Textual SQL because SQLAlchemy cannot cache the compiled form of an insert with
    # ON CONFLICT; this exact SQL runs on PostgreSQL and SQLite (3.35+), and the typed
    # bind parameters keep the UUID, JSON and UTC conversions of the model.
    # The fold_queue trigger queues the new row for the tallies.
    columns = [TABLE.c[name] for name in STAGED_COLUMNS]
    names = ", ".join(c.name for c in columns)
    marks = ", ".join(f":{c.name}" for c in columns)
    sql = f"INSERT INTO submission ({names}) VALUES ({marks}) ON CONFLICT (id) DO NOTHING RETURNING id"
    return text(sql).bindparams(*(bindparam(c.name, type_=c.type) for c in columns))


_INSERT = Prepared(_insert_statement())


def _place(conn: Connection, code: str) -> _Place | None:
    return _place_of(_PLACE.rows(conn, {"code": code}))


def _place_of(rows: list[tuple[Any, ...]]) -> _Place | None:
    if not rows:
        return None
    counter_id, unit_id, unit_code = rows[0][:3]
    campaigns = tuple(_Open(*r[3:9]) for r in rows if r[3] is not None)
    return _Place(counter_id, unit_id, unit_code, tuple(dict.fromkeys(campaigns)), rows[0][9])


def _stored(conn: Connection, ids: list[uuid.UUID]) -> dict[uuid.UUID, _Stored]:
    if not ids:
        return {}
    return {
        sid: _Stored(
            digest,
            Receipt(id=sid, received_at=received, campaign=campaign, unit=unit, late_sync=late),
        )
        for sid, digest, received, campaign, unit, late in conn.execute(_STORED, {"ids": ids})
    }


def get_receipt(session: Session, submission_id: uuid.UUID) -> Receipt | None:
    """The receipt of a stored submission, for a kiosk checking what it already sent."""
    found = _stored(session.connection(), [submission_id]).get(submission_id)
    return found.receipt if found else None


def stored_answers(session: Session, submission_id: uuid.UUID) -> dict[str, Any] | None:
    """The answers stored under an id (a form post carries no client clock, so a
    resent form is recognised by its answers rather than its body hash)."""
    return session.scalar(select(Submission.answers).where(Submission.id == submission_id))


def _why_not(session: Session, code: str, counter: str, place: _Place) -> FieldError:
    """Why the named campaign cannot take this response (only on the error path)."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        missing = unknown_campaign(session, code)
        if missing.fields:
            names = missing.fields[0].params["names"]
            return FieldError.of(
                "campaign", "submission_campaign_case", "unknown", code=code, names=names
            )
        return FieldError.of("campaign", "submission_campaign_unknown", "unknown", code=code)
    if campaign.status != CampaignStatus.open:
        return FieldError.of(
            "campaign",
            "submission_campaign_not_open",
            "not_open",
            code=code,
            status=campaign.status,
        )
    return FieldError.of(
        "counter",
        "counter_outside_campaign",
        "scope",
        counter=counter,
        unit=place.unit_code,
        code=code,
    )


def _late_campaign(
    session: Session, body: SubmissionIn, place: _Place, now: datetime, lang: str
) -> tuple[_Open | None, AppError | None]:
    """A closed campaign covering the counter that this response was finished in.

    Only looked for when no open campaign takes the response (the error path). It
    must have been finished inside the campaign's period and before it closed; it is
    taken until LATE_SYNC_GRACE_DAYS after the close, then refused on its own terms
    (not "campaign closed"), so that the tablet keeps it and says so.
    """
    unit_path = session.scalar(select(Unit.path).where(Unit.id == place.unit_id)) or ""
    scope = aliased(Unit)
    stmt = (
        select(Campaign)
        .join(CampaignUnit, CampaignUnit.campaign_id == Campaign.id)
        .join(scope, scope.id == CampaignUnit.unit_id)
        .where(
            Campaign.status == CampaignStatus.closed,
            Campaign.questionnaire == body.questionnaire,
            Campaign.questionnaire_version == body.version,
            literal(unit_path).startswith(scope.path),
        )
        .order_by(Campaign.id.desc())
    )
    if body.campaign is not None:
        stmt = stmt.where(Campaign.code == body.campaign)
    finished = body.submitted_at
    day = finished.astimezone(VIETNAM).date()

    def closed_at(c: Campaign) -> datetime:
        # Closed before closing times were kept: the end of its last day.
        return c.closed_at or datetime.combine(c.ends_on + timedelta(days=1), time(), VIETNAM)

    fits = [
        c
        for c in session.scalars(stmt).unique()
        if c.starts_on <= day <= c.ends_on and finished <= closed_at(c)
    ]
    if not fits:
        return None, None
    c = fits[0]
    grace = get_settings().LATE_SYNC_GRACE_DAYS
    deadline = closed_at(c) + timedelta(days=grace)
    if now > deadline:
        return None, LateSyncExpired(
            i18n.t(
                "late_expired",
                lang,
                campaign=c.code,
                closed=closed_at(c).astimezone(VIETNAM).date().isoformat(),
                days=grace,
                until=deadline.astimezone(VIETNAM).date().isoformat(),
            )
        )
    opened = _Open(c.id, c.code, c.questionnaire, c.questionnaire_version, c.starts_on, c.ends_on)
    return replace(opened, late=True), None


def _campaign(
    session: Session,
    body: SubmissionIn,
    place: _Place,
    problems: list[FieldError],
    now: datetime,
    lang: str,
) -> tuple[_Open | None, AppError | None]:
    """The campaign that takes this response, or why none does."""
    if body.campaign is not None:
        # Kiosks name the campaign their form was served for: its queue belongs there
        # even when another campaign has opened at the counter since.
        taken = any(c.code == body.campaign for c in place.campaigns)
    else:
        taken = any(
            (c.questionnaire, c.version) == (body.questionnaire, body.version)
            for c in place.campaigns
        )
    if not taken:
        late, refusal = _late_campaign(session, body, place, now, lang)
        if late is not None or refusal is not None:
            return late, refusal
    return _open_campaign(session, body, place, problems), None


def _open_campaign(
    session: Session, body: SubmissionIn, place: _Place, problems: list[FieldError]
) -> _Open | None:
    if body.campaign is not None:
        chosen = next((c for c in place.campaigns if c.code == body.campaign), None)
        if chosen is None:
            problems.append(_why_not(session, body.campaign, body.counter, place))
        elif (chosen.questionnaire, chosen.version) != (body.questionnaire, body.version):
            problems.append(
                FieldError.of(
                    "version",
                    "campaign_uses",
                    "mismatch",
                    code=chosen.code,
                    slug=chosen.questionnaire,
                    version=chosen.version,
                )
            )
            return None
        return chosen
    candidates = [
        c
        for c in place.campaigns
        if (c.questionnaire, c.version) == (body.questionnaire, body.version)
    ]
    if not candidates:
        problems.append(
            FieldError.of(
                "counter",
                "no_open_campaign",
                "no_campaign",
                slug=body.questionnaire,
                version=body.version,
                unit=place.unit_code,
                counter=body.counter,
            )
        )
        return None
    # Where open campaigns overlap, the counter feeds the one the coordinator chose
    # when opening the second (app/campaigns/counters.py), else the first opened.
    chosen = next((c for c in candidates if c.id == place.assigned), None)
    return chosen or candidates[0]


def _check_times(body: SubmissionIn, now: datetime) -> list[FieldError]:
    problems = []
    for key in ("started_at", "submitted_at"):
        value = getattr(body, key)
        if value is not None and value < EARLIEST:
            problems.append(FieldError.of(key, "before_2000", "too_old"))
    if body.submitted_at > now + CLOCK_SKEW:
        problems.append(FieldError.of("submitted_at", "time_in_future", "future"))
    if body.started_at is not None:
        if body.started_at > now + CLOCK_SKEW:
            problems.append(FieldError.of("started_at", "time_in_future", "future"))
        if body.started_at > body.submitted_at:
            problems.append(FieldError.of("started_at", "started_after_submitted", "order"))
    return problems


def in_period(moment: datetime, starts_on: date, ends_on: date) -> bool:
    """Whether a response finished at `moment` falls in a campaign's period: its
    calendar days in Vietnam, with the same clock-skew tolerance as the future check
    (a kiosk a few minutes fast at midnight is not refused)."""
    first = datetime.combine(starts_on, time(), VIETNAM) - CLOCK_SKEW
    after = datetime.combine(ends_on + timedelta(days=1), time(), VIETNAM) + CLOCK_SKEW
    return first <= moment < after


def _check_period(body: SubmissionIn, campaign: _Open) -> list[FieldError]:
    if in_period(body.submitted_at, campaign.starts_on, campaign.ends_on):
        return []
    return [
        FieldError.of(
            "submitted_at",
            "outside_period",
            "period",
            campaign=campaign.code,
            starts=campaign.starts_on,
            ends=campaign.ends_on,
        )
    ]


def _judge(
    session: Session,
    catalog: Catalog,
    body: SubmissionIn,
    now: datetime,
    places: dict[str, _Place | None],
    device_id: int | None = None,
    lang: str = i18n.DEFAULT_LANGUAGE,
) -> _Judged:
    """Validate a body completely, without writing anything."""
    answers = clean(body.answers)
    digest = body_hash(body, answers)
    problems: list[FieldError] = []
    q = catalog.get(body.questionnaire, body.version)
    if q is None:
        problems.append(
            FieldError.of(
                "questionnaire",
                "submission_questionnaire_unknown",
                "unknown",
                slug=body.questionnaire,
                version=body.version,
            )
        )
    if body.counter not in places:
        places[body.counter] = _place(session.connection(), body.counter)
    place = places[body.counter]
    campaign = None
    refusal: AppError | None = None
    if place is None:
        problems.append(FieldError.of("counter", "counter_unknown", "unknown", code=body.counter))
    elif q is not None:
        campaign, refusal = _campaign(session, body, place, problems, now, lang)
    problems += _check_times(body, now)
    if campaign is not None and not campaign.late:
        # A late-synced response was already held to the period by _late_campaign.
        problems += _check_period(body, campaign)
    if q is not None:
        problems += check_answers(q, answers)
    if problems or q is None or place is None or campaign is None:
        # A response that would be refused for its content anyway says so (422).
        return _Judged(body, digest, None, None, problems, None if problems else refusal)
    row = {
        **ROW_DEFAULTS,
        "id": body.id,
        "campaign_id": campaign.id,
        "unit_id": place.unit_id,
        "counter_id": place.counter_id,
        "questionnaire": body.questionnaire,
        "questionnaire_version": body.version,
        "channel": body.channel,
        "started_at": body.started_at,
        "submitted_at": body.submitted_at,
        "received_at": now,
        "answers": answers,
        "body_hash": digest,
        "quality_flags": quality.flags(
            q, answers, body.started_at, body.submitted_at, get_settings().SPEEDING_SECONDS
        ),
        "device_id": device_id,
        "dossier_hash": quality.dossier_hash(body.dossier) if body.dossier else None,
        "late_sync": campaign.late,
    }
    receipt = Receipt(
        id=body.id,
        received_at=now,
        campaign=campaign.code,
        unit=place.unit_code,
        late_sync=campaign.late,
    )
    return _Judged(body, digest, row, receipt, [])


def _replay(judged: _Judged, stored: _Stored) -> Recorded:
    if stored.body_hash != judged.digest:
        raise Conflict.of(
            "submission_differs",
            [FieldError.of("id", "id_used", "conflict")],
            sid=judged.body.id,
        )
    return Recorded(stored.receipt, created=False)


def insert_once(session: Session, values: dict[str, Any]) -> bool:
    """Insert unless the id exists; True if this call inserted the row.

    The primary key decides: of two concurrent inserts of one id, PostgreSQL makes
    the second wait for the first to commit and then skips it; SQLite serialises them.
    """
    return _INSERT.first(session.connection(), values) is not None


class QuotaFull(Conflict):
    """The unit has all the responses its target asks for, and the campaign stops there."""

    kind = "quota_full"


def _quota_full(sid: uuid.UUID) -> QuotaFull:
    return QuotaFull.of("quota_full", sid=sid)


def _arrival(row: dict[str, Any]) -> quotas.Arrival:
    return quotas.Arrival(row["id"], row["campaign_id"], row["unit_id"], row["answers"])


def _rate_statement(who: Any) -> Any:
    return (
        select(func.count())
        .select_from(Submission)
        .where(
            who,
            Submission.received_at > bindparam("since"),
            Submission.submitted_at > bindparam("live"),
        )
    )


# Built once (compiled from the cache on every submission): live responses this
# minute from one kiosk device, or from one counter's device-less senders.
_RATE_DEVICE = _rate_statement(Submission.device_id == bindparam("who"))
_RATE_COUNTER = _rate_statement(
    (Submission.counter_id == bindparam("who")) & Submission.device_id.is_(None)
)


def rate_room(
    session: Session, now: datetime, counter_id: int, device_id: int | None
) -> int | None:
    """How many more live responses one kiosk device (or one counter, when no enrolled
    device sent them: phones scanning the counter's QR code) may send this minute;
    None when there is no limit.

    Not per IP address: a hall of kiosks shares one. "Live" means submitted within
    the last few minutes: a kiosk replaying its offline queue sends hours of
    responses at once and must not be turned away.
    """
    limit = get_settings().RATE_PER_MINUTE
    if not limit:
        return None
    stmt, who = (_RATE_DEVICE, device_id) if device_id is not None else (_RATE_COUNTER, counter_id)
    params = {"who": who, "since": now - timedelta(minutes=1), "live": now - LIVE_WINDOW}
    recent = session.connection().execute(stmt, params).scalar()
    return max(limit - (recent or 0), 0)


# One statement for a tablet's live response: how many live responses it sent this
# minute (the rate limit) and whether another of its responses was finished within
# BURST_SECONDS of this one (the `burst` flag), the two look-ups on one index.
_LIVE_DEVICE = Prepared(
    select(
        _RATE_DEVICE.scalar_subquery(),
        exists().where(
            Submission.device_id == bindparam("d"),
            Submission.submitted_at > bindparam("lo"),
            Submission.submitted_at < bindparam("hi"),
            Submission.id != bindparam("id"),
        ),
    )
)


# The place look-up with the tablet's live figures (_LIVE_DEVICE) as two more
# columns: for a tablet's live response, place, rate and burst in one turn.
_PLACE_LIVE = Prepared(_PLACE_SELECT.add_columns(*cast(Any, _LIVE_DEVICE.stmt).selected_columns))


def _live_params(
    device_id: int, submission_id: uuid.UUID, at: datetime, now: datetime, burst_seconds: int
) -> dict[str, Any]:
    window = timedelta(seconds=burst_seconds)
    return {
        "who": device_id,
        "d": device_id,
        "since": now - timedelta(minutes=1),
        "live": now - LIVE_WINDOW,
        "lo": at - window,
        "hi": at + window,
        "id": submission_id,
    }


def _check_live_device(
    session: Session,
    row: dict[str, Any],
    now: datetime,
    device_id: int,
    burst_seconds: int,
    seen: tuple[int, bool] | None = None,
) -> None:
    """:func:`check_rate` and the burst half of quality.add_context_flags, in one turn
    (none when `seen`, the figures read with the place, is given)."""
    limit = get_settings().RATE_PER_MINUTE
    if seen is None:
        params = _live_params(device_id, row["id"], row["submitted_at"], now, burst_seconds)
        ((recent, near),) = _LIVE_DEVICE.rows(session.connection(), params)
    else:
        recent, near = seen
    if limit and recent + 1 > limit:
        raise _rate_error(device_id)
    if burst_seconds and near:
        quality.add_flag(row, quality.BURST)


def _rate_error(device_id: int | None) -> TooManyRequests:
    key = "rate_kiosk" if device_id is not None else "rate_counter"
    return TooManyRequests.of(key, limit=get_settings().RATE_PER_MINUTE)


def check_rate(
    session: Session, now: datetime, counter_id: int, device_id: int | None, new: int = 1
) -> None:
    """Refuse (429) when `new` more live responses would exceed :func:`rate_room`."""
    room = rate_room(session, now, counter_id, device_id)
    if room is not None and new > room:
        raise _rate_error(device_id)


def _admit(
    session: Session,
    who: admission.Submitter,
    row: dict[str, Any],
    body: SubmissionIn,
    now: datetime,
) -> str:
    path = admission.admit(
        session,
        who,
        submission_id=body.id,
        token=body.form_token,
        counter_id=row["counter_id"],
        unit_id=row["unit_id"],
        submitted_at=row["submitted_at"],
        # A late sync is a queue being replayed, whatever its age: it needs the
        # kiosk's cookie, its form token or a write key.
        live=row["submitted_at"] > now - LIVE_WINDOW and not row["late_sync"],
        now=now,
    )
    if path == "key" and who.key is not None:
        row["api_key_id"] = who.key.id
    return path


def _replay_flags(session: Session, rows: list[dict[str, Any]], now: datetime) -> None:
    settings = get_settings()
    quality.add_replay_flags(
        session, rows, now - LIVE_WINDOW, now, settings.REPLAY_FLAG_COUNT, settings.REPLAY_MINUTES
    )


def record(
    session: Session,
    catalog: Catalog,
    body: SubmissionIn,
    device_id: int | None = None,
    who: admission.Submitter | None = None,
) -> Recorded:
    """Store one submission, or return the receipt of its earlier identical copy.

    `who` says what the request showed besides the body (kiosk cookie, write key);
    see app/collection/admission.py for which responses it admits.
    """
    try:
        done = _record(session, catalog, body, device_id, who)
    except AppError as exc:
        metrics.submission(
            "refused", metrics.refusal_reason(exc.kind, (f.code for f in exc.fields))
        )
        raise
    metrics.submission("created" if done.created else "replayed")
    return done


def _record(
    session: Session,
    catalog: Catalog,
    body: SubmissionIn,
    device_id: int | None,
    who: admission.Submitter | None,
) -> Recorded:
    now = datetime.now(UTC)
    # Every other text field is CleanStr/CleanAny, refused with its own message when
    # the body was parsed; walking the whole dumped body again cost more than the
    # answers' own validation. The form token is the one plain `str`.
    if body.form_token and (bad_text := unstorable_text(body.form_token, "form_token")):
        raise Invalid.of("unstorable_text", bad_text)
    who = who or admission.Submitter(device_id=device_id)
    device_id = who.device_id
    burst = get_settings().BURST_SECONDS
    places: dict[str, _Place | None] = {}
    live_seen: tuple[int, bool] | None = None
    if who.key is None and device_id is not None and body.submitted_at > now - LIVE_WINDOW:
        # A tablet's live response: its place and its rate and burst figures in one turn.
        rows = _PLACE_LIVE.rows(
            session.connection(),
            {
                "code": body.counter,
                **_live_params(device_id, body.id, body.submitted_at, now, burst),
            },
        )
        places[body.counter] = _place_of(rows)
        live_seen = (rows[0][-2], rows[0][-1]) if rows else None
    judged = _judge(session, catalog, body, now, places, device_id, who.lang)
    if judged.row is None or judged.receipt is None:
        # A retry of a response stored before the rules changed (its campaign has
        # closed since, say) still gets its receipt; a different body is a conflict.
        if (stored := _stored(session.connection(), [body.id]).get(body.id)) is not None:
            return _replay(judged, stored)
        if judged.refusal is not None:
            raise judged.refusal
        raise Invalid.of("response_invalid", judged.problems, n=len(judged.problems))
    path = _admit(session, who, judged.row, body, now)
    if path == "key" and who.key is not None:
        admission.check_key_rate(session, who.key, now, 1, who.lang)
        quality.add_context_flags(session, judged.row, burst)
    elif device_id is not None and judged.row["submitted_at"] > now - LIVE_WINDOW:
        # A tablet's live response: its rate and its burst neighbours in one turn.
        _check_live_device(session, judged.row, now, device_id, burst, live_seen)
        quality.add_context_flags(session, judged.row, 0)  # the dossier check alone
    else:
        if judged.row["submitted_at"] > now - LIVE_WINDOW:
            check_rate(session, now, judged.row["counter_id"], device_id)
        quality.add_context_flags(session, judged.row, burst)
    _replay_flags(session, [judged.row], now)
    if insert_once(session, judged.row):
        if quotas.admit(session, [_arrival(judged.row)]):
            raise _quota_full(body.id)
        return Recorded(judged.receipt, created=True)
    # Stored before, or by a concurrent request that committed first.
    stored = _stored(session.connection(), [body.id]).get(body.id)
    if stored is None:  # pragma: no cover - the other transaction rolled back
        raise Conflict.of("being_stored", sid=body.id)
    return _replay(judged, stored)


def _pydantic_fields(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"loc": ".".join(str(p) for p in e["loc"]) or "body", "msg": e["msg"], "code": e["type"]}
        for e in exc.errors()
    ]


def copy_insert(
    conn: Connection, rows: Iterable[Sequence[Any]], columns: Sequence[str] = STAGED_COLUMNS
) -> set[uuid.UUID]:
    """PostgreSQL bulk insert: COPY `rows` (values in STAGED_COLUMNS order) into a
    temporary copy of `submission`, then one INSERT … SELECT … ON CONFLICT (id) DO
    NOTHING; returns the ids inserted. Used by batches and by the demo loader."""
    names = ", ".join(columns)
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:  # type: ignore[union-attr]
        cur.execute(
            "CREATE TEMP TABLE IF NOT EXISTS submission_stage "
            "(LIKE submission INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
        with cur.copy(f"COPY submission_stage ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cur.execute(
            f"INSERT INTO submission ({names}) SELECT {names} FROM submission_stage "
            "ON CONFLICT (id) DO NOTHING RETURNING id"
        )
        inserted = {row[0] for row in cur.fetchall()}
        cur.execute("TRUNCATE submission_stage")
    return inserted


def _bulk_insert(session: Session, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert many rows at once, skipping ids that exist; returns the ids inserted.

    PostgreSQL goes through :func:`copy_insert` (a multi-row VALUES of 1,300
    parameters costs more to build than to run); SQLite takes one multi-row insert.
    """
    if not rows:
        return set()
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        json_columns = {"answers", "quality_flags"}
        return copy_insert(
            conn,
            ([Jsonb(r[c]) if c in json_columns else r[c] for c in STAGED_COLUMNS] for r in rows),
        )
    stmt = (
        sqlite.insert(Submission)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(TABLE.c.id)
    )
    return set(conn.execute(stmt, rows).scalars())


bulk_insert = _bulk_insert


def _error(item_id: str | None, exc: AppError) -> BatchResult:
    return BatchResult(
        id=item_id,
        status=exc.status_code,
        error=exc.kind,
        detail=exc.detail,
        fields=[f.as_dict() for f in exc.fields],
    )


def _malformed(item_id: str | None, fields: list[dict[str, str]]) -> BatchResult:
    return BatchResult(
        id=item_id, status=422, error="invalid", detail="the response is malformed", fields=fields
    )


def _insert_isolated(
    session: Session, rows: list[dict[str, Any]]
) -> tuple[set[uuid.UUID], dict[uuid.UUID, str]]:
    """Insert the rows; if the database refuses the statement for a value in it, find
    the rows it refuses, one savepoint each, and insert the rest.

    Returns the ids inserted and, for each refused row, the database's reason. Only
    a refusal of the data (DataError, or a value the driver cannot encode) is pinned
    on a row: a lost connection or a timeout fails the whole batch, so the kiosk
    keeps every item and sends it again.
    """
    try:
        with session.begin_nested():
            return _bulk_insert(session, rows), {}
    except _REFUSED as exc:
        if not _refuses_data(exc):
            raise
    inserted: set[uuid.UUID] = set()
    refused: dict[uuid.UUID, str] = {}
    for row in rows:
        try:
            with session.begin_nested():
                inserted |= _bulk_insert(session, [row])
        except _REFUSED as exc:
            if not _refuses_data(exc):
                raise
            reason = getattr(exc, "orig", None) or exc
            refused[row["id"]] = (str(reason).splitlines() or [type(reason).__name__])[0]
    return inserted, refused


# What a driver raises for a value it cannot send: sqlite3 lets OverflowError and
# UnicodeEncodeError through unwrapped; psycopg's COPY (raw cursor) raises its own
# DataError, the rest arrive as SQLAlchemy's.
_REFUSED = (DataError, StatementError, psycopg.DataError, UnicodeError, OverflowError)


def _refuses_data(exc: Exception) -> bool:
    # Only a refusal of a value is the item's fault. Anything else (OperationalError:
    # the connection, a timeout) fails the batch, so the kiosk keeps its items.
    if isinstance(exc, StatementError) and not isinstance(exc, DataError):
        return isinstance(exc.orig, UnicodeError | OverflowError)
    return True


def record_batch(
    session: Session,
    catalog: Catalog,
    items: list[Any],
    device_id: int | None = None,
    who: admission.Submitter | None = None,
) -> list[BatchResult]:
    """Store a kiosk's queue: one result per item, in order; a bad item blocks nothing.

    Everything is validated before anything is written, and the valid rows go in
    with one multi-row insert. An item the database still refuses is found and
    refused alone; live items over a counter's rate limit get 429 alone.
    """
    now = datetime.now(UTC)
    who = who or admission.Submitter(device_id=device_id)
    device_id = who.device_id
    places: dict[str, _Place | None] = {}
    results: list[BatchResult | None] = []
    judged: list[tuple[int, _Judged]] = []
    for raw in items:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        item_id = str(raw_id).encode("utf-8", "replace").decode() if raw_id is not None else None
        if bad_text := unstorable_text(raw):
            results.append(_malformed(item_id, [f.as_dict() for f in bad_text]))
            continue
        try:
            body = SubmissionIn.model_validate(raw)
        except ValidationError as exc:
            results.append(_malformed(item_id, _pydantic_fields(exc)))
            continue
        judged.append(
            (len(results), _judge(session, catalog, body, now, places, device_id, who.lang))
        )
        results.append(None)

    # The first valid copy of an id in the batch is the one to insert.
    first: dict[uuid.UUID, _Judged] = {}
    for _, j in judged:
        if j.row is not None:
            first.setdefault(j.body.id, j)
    # Each item is admitted on its own (token, kiosk, key); a refused one gets its
    # 403 and the others go on.
    refusals: dict[uuid.UUID, AppError] = {}
    paths: dict[uuid.UUID, str] = {}
    for sid, j in first.items():
        if j.row is not None:
            try:
                paths[sid] = _admit(session, who, j.row, j.body, now)
            except AppError as exc:
                refusals[sid] = exc
    admitted = [j for sid, j in first.items() if sid in paths]
    # A write key has its own limit; the per-counter live limit is for everyone else.
    limited = _over_rate(
        session, now, [j for j in admitted if paths[j.body.id] != "key"], device_id
    )
    rows = [j.row for j in admitted if j.row is not None and j.body.id not in limited]
    if who.key is not None and rows:
        admission.check_key_rate(session, who.key, now, len(rows), who.lang)
    quality.add_batch_flags(session, rows, get_settings().BURST_SECONDS)
    _replay_flags(session, rows, now)
    inserted, unstorable = _insert_isolated(session, rows)
    refused = quotas.admit(session, [_arrival(r) for r in rows if r["id"] in inserted])
    inserted -= refused
    stored = _stored(
        session.connection(), [j.body.id for _, j in judged if j.body.id not in inserted]
    )
    for j in first.values():
        if j.body.id in inserted and j.receipt is not None:
            stored[j.body.id] = _Stored(j.digest, j.receipt)
    reported_new: set[uuid.UUID] = set()
    for pos, j in judged:
        sid = j.body.id
        try:
            if sid in refusals:
                raise refusals[sid]
            if sid in refused:
                raise _quota_full(sid)
            if sid in stored:
                outcome = _replay(j, stored[sid])
                if sid in inserted and sid not in reported_new:
                    reported_new.add(sid)
                    outcome = Recorded(outcome.receipt, created=True)
            elif sid in limited:
                raise limited[sid]
            elif sid in unstorable:
                # The database's own reason, in its words (English), kept for the client.
                raise Invalid.of(
                    "db_cannot_store",
                    [FieldError.of("body", "db_refused", "unstorable", why=unstorable[sid])],
                )
            elif j.refusal is not None:
                raise j.refusal
            else:
                raise Invalid.of("response_invalid", j.problems, n=len(j.problems))
        except AppError as exc:
            results[pos] = _error(str(sid), exc)
            continue
        results[pos] = BatchResult(
            id=str(sid), status=201 if outcome.created else 200, receipt=outcome.receipt
        )
    done = [r for r in results if r is not None]
    for r in done:
        if r.status in (200, 201):
            metrics.submission("created" if r.status == 201 else "replayed")
        else:
            codes = (f.get("code", "") for f in r.fields)
            metrics.submission("refused", metrics.refusal_reason(r.error or "invalid", codes))
    return done


def _over_rate(
    session: Session, now: datetime, valid: list[_Judged], device_id: int | None
) -> dict[uuid.UUID, TooManyRequests]:
    """The live items beyond what each counter (or tablet) may still send this minute,
    each with its 429; the earliest in the batch go first. Queued items (older than
    LIVE_WINDOW) are never limited."""
    room: dict[int, int | None] = {}
    over: dict[uuid.UUID, TooManyRequests] = {}
    for j in valid:
        row = j.row
        if row is None or row["submitted_at"] <= now - LIVE_WINDOW:
            continue
        counter_id = row["counter_id"]
        if counter_id not in room:
            room[counter_id] = rate_room(session, now, counter_id, device_id)
        left = room[counter_id]
        if left is None:
            continue
        if left <= 0:
            over[j.body.id] = _rate_error(device_id)
        else:
            room[counter_id] = left - 1
    return over
