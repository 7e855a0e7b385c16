"""Recording submissions: exactly one stored row per id, or a clear rejection.

Idempotency follows ODK Central: the client picks the id; the identical body again
gets the original receipt (200), a different body under the same id is a conflict
(409). The database decides who wins a race (INSERT … ON CONFLICT DO NOTHING on the
primary key), never a check-then-insert in Python.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.catalog import Catalog, Questionnaire
from app.errors import AppError, Conflict, FieldError, Invalid
from app.models import Campaign, CampaignStatus, Counter, Submission, Unit
from app.schemas.submissions import BatchResult, Receipt, SubmissionIn
from app.services.answers import check_answers, clean
from app.services.campaigns import covers, open_campaigns_for

# Clocks on kiosks and phones drift; a little skew is not an error.
CLOCK_SKEW = timedelta(minutes=10)


@dataclass(frozen=True)
class Recorded:
    receipt: Receipt
    created: bool


def body_hash(body: SubmissionIn, answers: dict[str, Any]) -> str:
    """SHA-256 of the canonical body: same content, same hash, whatever the key order
    or UTC offset the client used."""
    canonical = body.model_dump(mode="json", exclude={"answers"})
    for key in ("started_at", "submitted_at"):
        value = getattr(body, key)
        canonical[key] = value.astimezone(UTC).isoformat() if value else None
    canonical["answers"] = answers
    raw = json.dumps(canonical, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(raw.encode()).hexdigest()


def receipt_of(session: Session, row: Submission) -> Receipt:
    campaign, unit = session.execute(
        select(Campaign.code, Unit.code)
        .select_from(Submission)
        .join(Campaign, Campaign.id == Submission.campaign_id)
        .join(Unit, Unit.id == Submission.unit_id)
        .where(Submission.id == row.id)
    ).one()
    return Receipt(id=row.id, received_at=row.received_at, campaign=campaign, unit=unit)


def get_receipt(session: Session, submission_id: uuid.UUID) -> Receipt | None:
    """The receipt of a stored submission, for a kiosk checking what it already sent."""
    row = session.get(Submission, submission_id)
    return receipt_of(session, row) if row else None


def _existing(session: Session, body: SubmissionIn, digest: str) -> Recorded | None:
    row = session.scalar(
        select(Submission).where(Submission.id == body.id).execution_options(populate_existing=True)
    )
    if row is None:
        return None
    if row.body_hash != digest:
        raise Conflict(
            f"submission {body.id} was already received with different content",
            [FieldError("id", "already used for a different response", "conflict")],
        )
    return Recorded(receipt_of(session, row), created=False)


def _resolve(
    session: Session, catalog: Catalog, body: SubmissionIn
) -> tuple[Questionnaire | None, Counter | None, Campaign | None, list[FieldError]]:
    problems: list[FieldError] = []
    q = catalog.get(body.questionnaire, body.version)
    if q is None:
        problems.append(
            FieldError(
                "questionnaire",
                f"unknown questionnaire {body.questionnaire} v{body.version}",
                "unknown",
            )
        )
    counter = session.scalar(select(Counter).where(Counter.code == body.counter))
    if counter is None:
        problems.append(FieldError("counter", f"unknown counter {body.counter!r}", "unknown"))
        return q, None, None, problems
    unit = session.get_one(Unit, counter.unit_id)
    campaign: Campaign | None = None
    if body.campaign is not None:
        campaign = session.scalar(select(Campaign).where(Campaign.code == body.campaign))
        if campaign is None:
            problems.append(
                FieldError("campaign", f"unknown campaign {body.campaign!r}", "unknown")
            )
        elif campaign.status != CampaignStatus.open:
            problems.append(
                FieldError(
                    "campaign",
                    f"campaign {campaign.code!r} is {campaign.status}, not open for responses",
                    "not_open",
                )
            )
            campaign = None
        elif not covers(session, campaign, unit):
            problems.append(
                FieldError(
                    "counter",
                    f"counter {body.counter!r} belongs to unit {unit.code!r}, "
                    f"which is outside the scope of campaign {campaign.code!r}",
                    "scope",
                )
            )
            campaign = None
    else:
        candidates = open_campaigns_for(session, unit)
        if q is not None:
            candidates = [
                c
                for c in candidates
                if (c.questionnaire, c.questionnaire_version) == (q.slug, q.version)
            ]
        if not candidates:
            problems.append(
                FieldError(
                    "counter",
                    f"no open campaign with {body.questionnaire} "
                    f"v{body.version} covers unit {unit.code!r} of counter {body.counter!r}",
                    "no_campaign",
                )
            )
        elif len(candidates) > 1:
            codes = ", ".join(c.code for c in candidates)
            problems.append(
                FieldError(
                    "campaign",
                    f"several open campaigns cover this counter ({codes}); send `campaign`",
                    "ambiguous",
                )
            )
        else:
            campaign = candidates[0]
    if (
        campaign is not None
        and q is not None
        and (campaign.questionnaire, campaign.questionnaire_version) != (q.slug, q.version)
    ):
        problems.append(
            FieldError(
                "version",
                f"campaign {campaign.code!r} uses {campaign.questionnaire} "
                f"v{campaign.questionnaire_version}",
                "mismatch",
            )
        )
    return q, counter, campaign, problems


def _check_times(body: SubmissionIn, now: datetime) -> list[FieldError]:
    problems = []
    if body.submitted_at > now + CLOCK_SKEW:
        problems.append(FieldError("submitted_at", "is in the future", "future"))
    if body.started_at is not None:
        if body.started_at > now + CLOCK_SKEW:
            problems.append(FieldError("started_at", "is in the future", "future"))
        if body.started_at > body.submitted_at:
            problems.append(FieldError("started_at", "is after submitted_at", "order"))
    return problems


def insert_once(session: Session, values: dict[str, Any]) -> bool:
    """Insert unless the id exists; True if this call inserted the row."""
    dialect = session.get_bind().dialect.name
    stmt: Insert
    if dialect == "postgresql":
        stmt = (
            postgresql.insert(Submission)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["id"])
        )
    elif dialect == "sqlite":
        stmt = (
            sqlite.insert(Submission).values(**values).on_conflict_do_nothing(index_elements=["id"])
        )
    else:  # pragma: no cover - only the two supported backends
        raise RuntimeError(f"unsupported database {dialect}")
    return session.execute(stmt.returning(Submission.id)).first() is not None


def record(session: Session, catalog: Catalog, body: SubmissionIn) -> Recorded:
    """Store one submission, or return the receipt of its earlier identical copy."""
    answers = clean(body.answers)
    digest = body_hash(body, answers)
    if (found := _existing(session, body, digest)) is not None:
        return found
    now = datetime.now(UTC)
    q, counter, campaign, problems = _resolve(session, catalog, body)
    problems += _check_times(body, now)
    if q is not None:
        problems += check_answers(q, answers)
    if problems or counter is None or campaign is None:
        raise Invalid(f"the response is invalid: {len(problems)} problem(s)", problems)
    inserted = insert_once(
        session,
        {
            "id": body.id,
            "campaign_id": campaign.id,
            "unit_id": counter.unit_id,
            "counter_id": counter.id,
            "questionnaire": body.questionnaire,
            "questionnaire_version": body.version,
            "channel": body.channel,
            "started_at": body.started_at,
            "submitted_at": body.submitted_at,
            "received_at": now,
            "answers": answers,
            "body_hash": digest,
            "quality_flags": [],
        },
    )
    if not inserted:  # a concurrent request with the same id committed first
        found = _existing(session, body, digest)
        if found is None:  # pragma: no cover - the conflicting row vanished (rolled back)
            raise Conflict(f"submission {body.id} is being stored by another request; retry")
        return found
    unit_code = session.scalar(select(Unit.code).where(Unit.id == counter.unit_id))
    return Recorded(
        Receipt(id=body.id, received_at=now, campaign=campaign.code, unit=unit_code or ""),
        created=True,
    )


def _pydantic_fields(exc: ValidationError) -> list[dict[str, str]]:
    return [
        {"loc": ".".join(str(p) for p in e["loc"]) or "body", "msg": e["msg"], "code": e["type"]}
        for e in exc.errors()
    ]


def record_batch(
    session: Session, catalog: Catalog, items: list[dict[str, Any]]
) -> list[BatchResult]:
    """Store each item in its own savepoint: a bad item never blocks the good ones."""
    results: list[BatchResult] = []
    for raw in items:
        raw_id = raw.get("id") if isinstance(raw, dict) else None
        item_id = str(raw_id) if raw_id is not None else None
        try:
            body = SubmissionIn.model_validate(raw)
        except ValidationError as exc:
            results.append(
                BatchResult(
                    id=item_id,
                    status=422,
                    error="invalid",
                    detail="the response is malformed",
                    fields=_pydantic_fields(exc),
                )
            )
            continue
        try:
            with session.begin_nested():
                done = record(session, catalog, body)
        except AppError as exc:
            results.append(
                BatchResult(
                    id=item_id,
                    status=exc.status_code,
                    error=exc.kind,
                    detail=exc.detail,
                    fields=[f.as_dict() for f in exc.fields],
                )
            )
            continue
        results.append(
            BatchResult(id=item_id, status=201 if done.created else 200, receipt=done.receipt)
        )
    return results
