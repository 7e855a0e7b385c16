"""Importing paper forms typed into a spreadsheet, one row per form.

The submission id is derived from the campaign and the form's serial number, so
importing the same file twice stores nothing new, and a row whose answers changed
since it was imported is reported instead of silently overwritten.

The file is read and written in chunks of :data:`CHUNK` rows inside one
savepoint: memory does not grow with the file (only 12 bytes a form, to find a
form number used twice), and a problem anywhere rolls every chunk back.
"""

import dataclasses
import hashlib
import json
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from typing import IO, Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.campaigns import quotas
from app.campaigns.models import Campaign, CampaignStatus
from app.campaigns.service import get_campaign, questionnaire_of, scope_unit_ids
from app.collection.models import Submission
from app.collection.service import ROW_DEFAULTS, bulk_insert
from app.core import metrics
from app.core.chunks import one_of
from app.core.clock import VIETNAM
from app.core.csvfile import read_csv, row_problems
from app.core.errors import FieldError, Invalid
from app.counts import snapshots
from app.questionnaires import quality
from app.questionnaires.answers import check_answers, clean
from app.questionnaires.catalog import Catalog, Questionnaire
from app.units.models import Counter, Unit
from app.units.service import ancestors_ids

PAPER_NAMESPACE = uuid.UUID("6f0f3c3e-7a51-4b7e-9a0e-5b1f6d2c9a10")
META = ("form", "date", "unit", "counter", "channel")
# A template's unit names, for the person typing; not read.
TEMPLATE_ONLY = ("unit_name",)
# The Vietnamese column names the template offers.
PAPER_ALIASES = {
    "số phiếu": "form",
    "phiếu": "form",
    "ngày": "date",
    "ngày khảo sát": "date",
    "đơn vị": "unit",
    "mã đơn vị": "unit",
    "quầy": "counter",
    "mã quầy": "counter",
    "hình thức": "channel",
    "tên đơn vị": "unit_name",
}
MULTI_SEPARATORS = (";", "|")
# Rows checked and written at a time; problems reported at most (and how many more).
CHUNK = 5_000
MAX_REPORTED = 1_000


@dataclass(frozen=True)
class PaperResult:
    created: int
    unchanged: int


def paper_id(campaign: str, form: str) -> uuid.UUID:
    """The submission id of paper form `form` of `campaign` (stable across imports)."""
    return uuid.uuid5(PAPER_NAMESPACE, f"{campaign}\x1f{form}")


def _norm(label: str) -> str:
    return " ".join(unicodedata.normalize("NFC", label).casefold().split())


def option_labels(q: Questionnaire) -> dict[str, dict[str, Any]]:
    """For each choice or scale question, its options' labels (every language) and
    codes, normalised, to the code: a paper form may be typed as "Hài lòng"."""
    out: dict[str, dict[str, Any]] = {}
    for code, question in q.questions.items():
        options: list[Any] = list(question.options)
        if question.kind == "scale":  # its own scale: the main one or a named 3-/4-level one
            levels, na, _ = q.scale_of(code)
            options = [*levels, *([na] if na is not None else [])]
        table: dict[str, Any] = {}
        for o in options:
            for text in o.label.values():
                table[_norm(text)] = o.code
            table[_norm(str(o.code))] = o.code
        out[code] = table
    return out


def _cell(
    q: Questionnaire, code: str, raw: str, labels: dict[str, dict[str, Any]] | None = None
) -> tuple[Any, str | None]:
    """The typed answer in a cell (a code, or an option's label), and the raw text of a
    scale cell that is not a number (None if it is fine)."""
    kind = q.questions[code].kind
    known = (labels or {}).get(code, {})
    if raw == "":
        return None, None
    if kind == "scale":
        if isinstance(value := known.get(_norm(raw)), int):
            return value, None
        try:
            return int(raw), None
        except ValueError:
            return None, raw
    if kind == "multi":
        for sep in MULTI_SEPARATORS:
            raw = raw.replace(sep, ";")
        parts = [p.strip() for p in raw.split(";") if p.strip()]
        return [known.get(_norm(p), p) for p in parts], None
    if kind == "single":
        return known.get(_norm(raw), raw), None
    return raw, None


@dataclass
class _Problems:
    """The first MAX_REPORTED problems, and how many there were."""

    shown: list[FieldError] = field(default_factory=list)
    total: int = 0

    def add(self, found: list[FieldError]) -> None:
        self.total += len(found)
        self.shown += found[: max(0, MAX_REPORTED - len(self.shown))]

    def raise_if_any(self, name: str) -> None:
        if not self.total:
            return
        more = self.total - len(self.shown)
        self.shown.sort(key=lambda p: int(p.loc.split()[1].rstrip(",")) if " " in p.loc else 0)
        key = "import_problems_first" if more else "import_problems"
        if all(p.code == "conflict" for p in self.shown):
            key = "import_conflicts"
        raise Invalid.of(key, list(self.shown), name=name, n=self.total, shown=len(self.shown))


class _Forms:
    """Form numbers seen so far, as sorted 64-bit hashes with their lines (12 bytes a
    form), to find one used twice without holding the file."""

    def __init__(self) -> None:
        self._keys: list[np.ndarray] = []
        self._lines: list[np.ndarray] = []

    def add(self, forms: list[tuple[str, int]]) -> list[FieldError]:
        problems: list[FieldError] = []
        first: dict[int, int] = {}
        keys, lines = [], []
        for form, line in forms:
            h = int.from_bytes(hashlib.blake2b(form.encode(), digest_size=8).digest(), "little")
            h -= 1 << 63
            earlier = first.get(h) or self._find(h)
            if earlier is not None:
                problems.append(
                    FieldError.of(
                        f"line {line}, column form",
                        "form_twice",
                        "duplicate",
                        form=form,
                        first=earlier,
                    )
                )
                continue
            first[h] = line
            keys.append(h)
            lines.append(line)
        if keys:
            k = np.array(keys, dtype=np.int64)
            order = np.argsort(k)
            self._keys.append(k[order])
            self._lines.append(np.array(lines, dtype=np.int32)[order])
        return problems

    def _find(self, h: int) -> int | None:
        for keys, lines in zip(self._keys, self._lines, strict=True):
            i = int(np.searchsorted(keys, h))
            if i < len(keys) and keys[i] == h:
                return int(lines[i])
        return None


def import_paper(
    session: Session,
    catalog: Catalog,
    campaign_code: str,
    data: bytes | IO[bytes],
    name: str = "file",
    area: Unit | None = None,
) -> PaperResult:
    """Import a CSV of paper forms into an open campaign, all or nothing; with `area`
    (a coordinator's unit), only forms of units under it."""
    campaign = get_campaign(session, campaign_code)
    q = questionnaire_of(catalog, campaign)
    if campaign.status != CampaignStatus.open:
        raise Invalid.of("import_campaign_not_open", code=campaign.code, status=campaign.status)
    header, rows = read_csv(
        data, name, ("form", "date"), (*META[2:], *TEMPLATE_ONLY, *q.questions), PAPER_ALIASES
    )
    _check_header(q, header, name)
    ctx = _Context(session, campaign, q, header, area)
    problems = _Problems()
    forms = _Forms()
    created = unchanged = 0
    with session.begin_nested():  # a problem in any chunk undoes the chunks before it
        chunk: list[tuple[int, dict[str, Any]]] = []
        numbers: list[tuple[str, int]] = []
        for row in rows:
            if own := row_problems(row, len(header)):
                problems.add(own)
                continue
            if _template_row(row.values):
                continue
            row_problems_ = ctx.check(row.line, row.values)
            problems.add(row_problems_[1])
            if row.values["form"]:
                numbers.append((row.values["form"], row.line))
            if row_problems_[0] is not None:
                chunk.append((row.line, row_problems_[0]))
            if len(numbers) >= CHUNK:
                problems.add(forms.add(numbers))
                numbers = []
                if len(chunk) >= CHUNK:
                    c, u = _store_chunk(session, chunk, problems)
                    created, unchanged, chunk = created + c, unchanged + u, []
        problems.add(forms.add(numbers))
        c, u = _store_chunk(session, chunk, problems)
        created, unchanged = created + c, unchanged + u
        problems.raise_if_any(name)
    if created:
        # A coordinator who imports forms looks at the results next: show them at once.
        snapshots.forget(session, campaign.id)
    metrics.submission("created", "", created)
    metrics.submission("replayed", "", unchanged)
    return PaperResult(created=created, unchanged=unchanged)


def _template_row(v: dict[str, str]) -> bool:
    """A row of the pre-filled template nobody filled in: only its unit is there."""
    return not any(value for key, value in v.items() if key not in ("unit", "unit_name"))


class _Context:
    """What checking a row needs, loaded once: the scope, units, counters, labels."""

    def __init__(
        self,
        session: Session,
        campaign: Campaign,
        q: Questionnaire,
        header: list[str],
        area: Unit | None = None,
    ) -> None:
        self.campaign, self.q, self.area = campaign, q, area
        self.scope = scope_unit_ids(session, campaign)
        all_units = list(session.scalars(select(Unit)))
        self.units = {u.code: u for u in all_units}
        self.units_by_id = {u.id: u for u in all_units}
        self.counters = (
            {c.code: c for c in session.scalars(select(Counter))} if "counter" in header else {}
        )
        self.labels = option_labels(q)
        self.now = datetime.now(UTC)

    def check(self, line: int, v: dict[str, str]) -> tuple[dict[str, Any] | None, list[FieldError]]:
        """The row to insert, or None, and the row's problems."""
        at = f"line {line}"
        found: list[FieldError] = []
        form, filled = _form_and_date(v, line, self.now, found, self.campaign)
        unit, counter = _place(v, self.units, self.units_by_id, self.counters, at, found)
        if unit is not None and not self.scope & set(ancestors_ids(unit)):
            found.append(
                FieldError.of(
                    f"{at}, column {'unit' if v.get('unit') else 'counter'}",
                    "unit_outside_campaign",
                    "scope",
                    unit=unit.code,
                    campaign=self.campaign.code,
                )
            )
        if unit is not None and self.area is not None and self.area.id not in ancestors_ids(unit):
            found.append(
                FieldError.of(
                    f"{at}, column {'unit' if v.get('unit') else 'counter'}",
                    "import_outside_area",
                    "area",
                    unit=unit.code,
                    area=self.area.code,
                )
            )
        channel = v.get("channel") or "paper"
        if channel not in ("paper", "interview"):
            found.append(
                FieldError.of(f"{at}, column channel", "channel_paper", "value", raw=channel)
            )
        answers = _answers(self.q, v, at, found, self.labels)
        if found or unit is None or filled is None:
            return None, found
        row = _row(self.campaign, self.q, form, unit, counter, channel, filled, answers, self.now)
        return row, found


def _check_header(q: Questionnaire, header: list[str], name: str) -> None:
    """A place column and every always-required question, or nothing is read."""
    problems: list[FieldError] = []
    if "unit" not in header and "counter" not in header:
        problems.append(FieldError.of("line 1", "place_column_required", "missing"))
    for code, question in q.questions.items():
        if question.required and not question.show_if and code not in header:
            problems.append(
                FieldError.of("line 1", "question_column_missing", "missing", column=code)
            )
    if problems:
        raise Invalid.of("import_bad_header", problems, name=name)


def _form_and_date(
    v: dict[str, str], line: int, now: datetime, problems: list[FieldError], campaign: Campaign
) -> tuple[str, date | None]:
    """The form number (unique in the file: see _Forms) and the day it was filled in
    (not in the future, inside the campaign's period)."""
    at = f"line {line}"
    form = v["form"]
    if not form:
        problems.append(FieldError.of(f"{at}, column form", "form_number_empty", "required"))
    try:
        filled = date.fromisoformat(v["date"])
        if filled > now.astimezone(VIETNAM).date():
            problems.append(FieldError.of(f"{at}, column date", "date_in_future", "future"))
        elif not campaign.starts_on <= filled <= campaign.ends_on:
            problems.append(
                FieldError.of(
                    f"{at}, column date",
                    "outside_period",
                    "period",
                    campaign=campaign.code,
                    starts=campaign.starts_on,
                    ends=campaign.ends_on,
                )
            )
    except ValueError:
        filled = None
        problems.append(
            FieldError.of(f"{at}, column date", "not_a_date_iso", "date", raw=v["date"])
        )
    return form, filled


def _answers(
    q: Questionnaire,
    v: dict[str, str],
    at: str,
    problems: list[FieldError],
    labels: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """The row's cells as typed answers, checked against the questionnaire like a submission."""
    answers: dict[str, Any] = {}
    for code in q.questions:
        if code in v:
            value, bad = _cell(q, code, v[code], labels)
            if bad is not None:
                # The question's own scale: a 4-level rating is not read as 1–5.
                options, na, _ = q.scale_of(code)
                lo, hi = min(o.code for o in options), max(o.code for o in options)
                problems.append(
                    FieldError.of(
                        f"{at}, column {code}",
                        "cell_not_on_scale" if na is not None else "cell_not_on_scale_no_na",
                        "value",
                        raw=bad,
                        lo=lo,
                        hi=hi,
                        na=na.code if na is not None else "",
                    )
                )
            answers[code] = value
    answers = clean(answers)
    typed_ok = {f.loc.rsplit(" ", 1)[-1] for f in problems}
    for p in check_answers(q, {k: a for k, a in answers.items() if k not in typed_ok}, prefix=""):
        if p.code == "required" and p.loc in typed_ok:
            continue
        problems.append(dataclasses.replace(p, loc=f"{at}, column {p.loc}"))
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
                FieldError.of(
                    f"{at}, column counter", "counter_unknown", "unknown", code=v["counter"]
                )
            )
    if v.get("unit"):
        unit = units.get(v["unit"])
        if unit is None:
            problems.append(
                FieldError.of(f"{at}, column unit", "unit_unknown_named", "unknown", code=v["unit"])
            )
    if counter is not None:
        if unit is not None and unit.id != counter.unit_id:
            problems.append(
                FieldError.of(
                    f"{at}, column counter",
                    "counter_not_of_unit",
                    "mismatch",
                    counter=counter.code,
                    unit=unit.code,
                )
            )
        unit = unit or units_by_id[counter.unit_id]
    if not v.get("unit") and not v.get("counter"):
        problems.append(FieldError.of(at, "place_required", "required"))
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


def _store_chunk(
    session: Session, pending: list[tuple[int, dict[str, Any]]], problems: _Problems
) -> tuple[int, int]:
    """Insert a chunk's new rows (created, unchanged); a form imported before with
    other answers is a problem. Once there is any problem nothing more is written:
    the savepoint will be rolled back, only the remaining rows are checked."""
    if problems.total or not pending:
        return 0, 0
    ids = [row["id"] for _, row in pending]
    rows = session.execute(
        select(Submission.id, Submission.body_hash).where(one_of(session, Submission.id, ids))
    )
    known = dict(rows.tuples().all())
    changed = [
        FieldError.of(f"line {line}, column form", "form_imported_differently", "conflict")
        for line, row in pending
        if known.get(row["id"], row["body_hash"]) != row["body_hash"]
    ]
    if changed:
        problems.add(changed)
        return 0, 0
    fresh = [row for _, row in pending if row["id"] not in known]
    inserted = bulk_insert(session, fresh)
    new = [r for r in fresh if r["id"] in inserted]
    # Paper forms are already filled in: they count towards targets but are never
    # refused for a full quota, only marked.
    quotas.admit(
        session,
        [quotas.Arrival(r["id"], r["campaign_id"], r["unit_id"], r["answers"]) for r in new],
        enforce=False,
    )
    return len(new), len(pending) - len(new)
