"""Importing paper forms typed into a spreadsheet, one row per form.

The submission id is derived from the campaign and the form's serial number, so
importing the same file twice stores nothing new, and a row whose answers changed
since it was imported is reported instead of silently overwritten.
"""

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns import quotas
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import get_campaign, questionnaire_of, scope_unit_ids
from app.collection.models import Submission
from app.collection.service import ROW_DEFAULTS, insert_once
from app.core.clock import VIETNAM
from app.core.csvfile import decode, read_rows, width_error
from app.core.errors import FieldError, Invalid
from app.counts import snapshots
from app.questionnaires import quality
from app.questionnaires.answers import check_answers, clean
from app.questionnaires.catalog import Catalog, Questionnaire
from app.units.models import Counter, Unit
from app.units.service import ancestors_ids

PAPER_NAMESPACE = uuid.UUID("6f0f3c3e-7a51-4b7e-9a0e-5b1f6d2c9a10")
META = ("form", "date", "unit", "counter", "channel")
MULTI_SEPARATORS = (";", "|")


@dataclass(frozen=True)
class PaperResult:
    created: int
    unchanged: int


def paper_id(campaign: str, form: str) -> uuid.UUID:
    """The submission id of paper form `form` of `campaign` (stable across imports)."""
    return uuid.uuid5(PAPER_NAMESPACE, f"{campaign}\x1f{form}")


def _cell(q: Questionnaire, code: str, raw: str) -> tuple[Any, str | None]:
    """The typed answer in a cell, or an error message."""
    kind = q.questions[code].kind
    if raw == "":
        return None, None
    if kind == "scale":
        try:
            return int(raw), None
        except ValueError:
            return None, f"{raw!r} is not a number on the scale (1–5, 0 = not applicable)"
    if kind == "multi":
        for sep in MULTI_SEPARATORS:
            raw = raw.replace(sep, ";")
        return [p.strip() for p in raw.split(";") if p.strip()], None
    return raw, None


def import_paper(
    session: Session, catalog: Catalog, campaign_code: str, data: bytes, name: str = "file"
) -> PaperResult:
    """Import a CSV of paper forms into an open campaign, all or nothing."""
    campaign = get_campaign(session, campaign_code)
    q = questionnaire_of(catalog, campaign)
    if campaign.status != CampaignStatus.open:
        raise Invalid(
            f"campaign {campaign.code!r} is {campaign.status}; open it before importing "
            f"(sipas campaign open {campaign.code})"
        )
    header, rows = read_rows(decode(data, name), name, ("form", "date"), (*META[2:], *q.questions))
    _check_header(q, header, name)
    problems: list[FieldError] = []
    scope = scope_unit_ids(session, campaign)
    all_units = list(session.scalars(select(Unit)))
    units = {u.code: u for u in all_units}
    units_by_id = {u.id: u for u in all_units}
    counters = {c.code: c for c in session.scalars(select(Counter))} if "counter" in header else {}
    now = datetime.now(UTC)
    forms: dict[str, int] = {}
    pending: list[tuple[int, dict[str, Any]]] = []
    for row in rows:
        if (err := width_error(row, len(header))) is not None:
            problems.append(err)
            continue
        v, at = row.values, f"line {row.line}"
        row_problems: list[FieldError] = []
        form, filled = _form_and_date(v, row.line, forms, now, row_problems)
        unit, counter = _place(v, units, units_by_id, counters, at, row_problems)
        if unit is not None and not scope & set(ancestors_ids(unit)):
            row_problems.append(
                FieldError(
                    f"{at}, column {'unit' if v.get('unit') else 'counter'}",
                    f"unit {unit.code!r} is outside the scope of campaign {campaign.code!r}",
                    "scope",
                )
            )
        channel = v.get("channel") or "paper"
        if channel not in ("paper", "interview"):
            row_problems.append(
                FieldError(f"{at}, column channel", f"{channel!r}: use paper or interview", "value")
            )
        answers = _answers(q, v, at, row_problems)
        problems += row_problems
        if not row_problems and unit is not None and filled is not None:
            pending.append(
                (row.line, _row(campaign, q, form, unit, counter, channel, filled, answers, now))
            )
    if problems:
        raise Invalid(f"{name}: {len(problems)} problem(s); nothing was imported", problems)
    return _store(session, pending, name)


def _check_header(q: Questionnaire, header: list[str], name: str) -> None:
    """A place column and every always-required question, or nothing is read."""
    problems: list[FieldError] = []
    if "unit" not in header and "counter" not in header:
        problems.append(FieldError("line 1", "a column 'unit' or 'counter' is required", "missing"))
    for code, question in q.questions.items():
        if question.required and not question.show_if and code not in header:
            problems.append(
                FieldError("line 1", f"missing column {code!r} (a required question)", "missing")
            )
    if problems:
        raise Invalid(f"{name}: bad header; nothing was imported", problems)


def _form_and_date(
    v: dict[str, str], line: int, forms: dict[str, int], now: datetime, problems: list[FieldError]
) -> tuple[str, date | None]:
    """The form number (unique in the file) and the day it was filled in (not in the future)."""
    at = f"line {line}"
    form = v["form"]
    if not form:
        problems.append(FieldError(f"{at}, column form", "the form number is empty", "required"))
    elif form in forms:
        problems.append(
            FieldError(
                f"{at}, column form",
                f"form {form!r} appears twice (first on line {forms[form]})",
                "duplicate",
            )
        )
    forms.setdefault(form, line)
    try:
        filled = date.fromisoformat(v["date"])
        if filled > now.astimezone(VIETNAM).date():
            problems.append(FieldError(f"{at}, column date", "is in the future", "future"))
    except ValueError:
        filled = None
        problems.append(
            FieldError(f"{at}, column date", f"{v['date']!r} is not a date (YYYY-MM-DD)", "date")
        )
    return form, filled


def _answers(
    q: Questionnaire, v: dict[str, str], at: str, problems: list[FieldError]
) -> dict[str, Any]:
    """The row's cells as typed answers, checked against the questionnaire like a submission."""
    answers: dict[str, Any] = {}
    for code in q.questions:
        if code in v:
            value, msg = _cell(q, code, v[code])
            if msg:
                problems.append(FieldError(f"{at}, column {code}", msg, "value"))
            answers[code] = value
    answers = clean(answers)
    typed_ok = {f.loc.rsplit(" ", 1)[-1] for f in problems}
    for p in check_answers(q, {k: a for k, a in answers.items() if k not in typed_ok}, prefix=""):
        if p.code == "required" and p.loc in typed_ok:
            continue
        problems.append(FieldError(f"{at}, column {p.loc}", p.msg, p.code))
    return answers


def _place(
    v: dict[str, str],
    units: dict[str, Unit],
    units_by_id: dict[int, Unit],
    counters: dict[str, Counter],
    at: str,
    problems: list[FieldError],
) -> tuple[Unit | None, Counter | None]:
    """The unit (and counter, if given) a row names; both must agree."""
    unit = counter = None
    if v.get("counter"):
        counter = counters.get(v["counter"])
        if counter is None:
            problems.append(
                FieldError(f"{at}, column counter", f"unknown counter {v['counter']!r}", "unknown")
            )
    if v.get("unit"):
        unit = units.get(v["unit"])
        if unit is None:
            problems.append(
                FieldError(f"{at}, column unit", f"unknown unit {v['unit']!r}", "unknown")
            )
    if counter is not None:
        if unit is not None and unit.id != counter.unit_id:
            problems.append(
                FieldError(
                    f"{at}, column counter",
                    f"counter {counter.code!r} does not belong to unit {unit.code!r}",
                    "mismatch",
                )
            )
        unit = unit or units_by_id[counter.unit_id]
    if not v.get("unit") and not v.get("counter"):
        problems.append(FieldError(at, "give the form's unit or counter", "required"))
    return unit, counter


def _row(
    campaign: Campaign,
    q: Questionnaire,
    form: str,
    unit: Unit,
    counter: Counter | None,
    channel: str,
    filled: date,
    answers: dict[str, Any],
    now: datetime,
) -> dict[str, Any]:
    # Paper forms carry a date, not a time: noon in Vietnam keeps the date stable in UTC.
    submitted = datetime.combine(filled, time(12), VIETNAM)
    canonical = json.dumps(
        {
            "form": form,
            "unit": unit.code,
            "counter": counter.code if counter else None,
            "channel": channel,
            "date": filled.isoformat(),
            "answers": answers,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return {
        **ROW_DEFAULTS,
        "id": paper_id(campaign.code, form),
        "campaign_id": campaign.id,
        "unit_id": unit.id,
        "counter_id": counter.id if counter else None,
        "questionnaire": q.slug,
        "questionnaire_version": q.version,
        "channel": channel,
        "started_at": None,
        "submitted_at": submitted,
        "received_at": now,
        "answers": answers,
        "body_hash": hashlib.sha256(canonical.encode()).hexdigest(),
        "quality_flags": quality.flags(q, answers, None, submitted, 0),
    }


def _store(session: Session, pending: list[tuple[int, dict[str, Any]]], name: str) -> PaperResult:
    """Insert the new rows; refuse the file if a form was imported before with other answers."""
    ids = [row["id"] for _, row in pending]
    rows = session.execute(
        select(Submission.id, Submission.body_hash).where(Submission.id.in_(ids))
    )
    known = dict(rows.tuples().all())
    changed = [
        FieldError(
            f"line {line}, column form",
            "form was imported before with different answers",
            "conflict",
        )
        for line, row in pending
        if known.get(row["id"], row["body_hash"]) != row["body_hash"]
    ]
    if changed:
        raise Invalid(
            f"{name}: {len(changed)} form(s) were imported before with different answers; "
            "nothing was imported",
            changed,
        )
    new = [row for _, row in pending if row["id"] not in known and insert_once(session, row)]
    # Paper forms are already filled in: they count towards targets but are never
    # refused for a full quota, only marked.
    quotas.admit(
        session,
        [quotas.Arrival(r["id"], r["campaign_id"], r["unit_id"], r["answers"]) for r in new],
        enforce=False,
    )
    created = len(new)
    if new:
        # A coordinator who imports forms looks at the results next: show them at once.
        for campaign_id in sorted({r["campaign_id"] for r in new}):
            snapshots.forget(session, campaign_id)
    return PaperResult(created=created, unchanged=len(pending) - created)
