"""Response microdata for analysts: one row per response, the questionnaire's codes
as variables, with variable and value labels, as CSV, XLSX, SPSS (.sav) or Stata
(.dta).

What is in a row: the response id, its unit and the codes of the unit's ancestors
by kind, the channel, the time it was finished (Vietnam time), quality flags,
whether it is excluded (and why), over-quota, and every answer. What is never in
it: the dossier hash, the device, the API key, the client's address — nothing that
points back at a person or a tablet.

Rows are read from the database in chunks; CSV and XLSX stream them to the file.
SPSS and Stata are written by pyreadstat from one table held in memory, kept
small by storing every coded answer as a one-byte integer.
"""

import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any, Literal

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from app.campaigns import comments
from app.campaigns.models import Campaign
from app.collection.models import CHANNELS, Submission
from app.core import labels
from app.core.clock import VIETNAM
from app.core.csvfile import SafeWriter, safe_workbook
from app.counts.models import UnitAncestor
from app.questionnaires.catalog import Questionnaire
from app.reporting.doc_text import kind_label
from app.units.models import UNIT_KINDS, Unit

MicroFormat = Literal["csv", "xlsx", "sav", "dta"]
FORMATS: tuple[MicroFormat, ...] = ("csv", "xlsx", "sav", "dta")
MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "sav": "application/x-spss-sav",
    "dta": "application/x-stata-dta",
}
CHUNK = 5_000
FIXED_LABELS = {
    "id": {"vi": "Mã phiếu", "en": "Response id"},
    "unit": {"vi": "Mã đơn vị", "en": "Unit code"},
    "unit_name": {"vi": "Tên đơn vị", "en": "Unit name"},
    "channel": {"vi": "Kênh thu thập", "en": "Channel"},
    "submitted_at": {"vi": "Thời điểm hoàn thành (giờ Việt Nam)", "en": "Finished at (Vietnam)"},
    "flags": {"vi": "Cờ chất lượng", "en": "Quality flags"},
    "excluded": {"vi": "Bị loại", "en": "Excluded"},
    "exclude_reason": {"vi": "Lý do loại", "en": "Reason excluded"},
    "over_quota": {"vi": "Vượt chỉ tiêu", "en": "Over quota"},
}
YES_NO = {"vi": {0: "Không", 1: "Có"}, "en": {0: "No", 1: "Yes"}}


def _pick(text: dict[str, str], lang: str) -> str:
    return text.get(lang) or text.get("vi") or next(iter(text.values()))


# Stata allows 32-character names, and pyreadstat names each value-label set after its
# variable plus a running number: 28 leaves room for that number (up to 9,999 sets).
NAME_MAX = 28


@dataclass
class Variable:
    """One column: its name (at most NAME_MAX ASCII characters), label, type, and for
    coded answers the labels of its values."""

    name: str
    label: str
    kind: Literal["str", "int", "time"]
    values: dict[int, str] = field(default_factory=dict)
    missing: list[int] = field(default_factory=list)


@dataclass
class Layout:
    variables: list[Variable]
    # Answer code → number, per single-choice question and for the channel.
    codes: dict[str, dict[str, int]]


def layout(q: Questionnaire, kinds: list[str], lang: str) -> Layout:
    """The variables of the export in order, from the questionnaire file."""
    fixed = lambda name: _pick(FIXED_LABELS[name], lang)  # noqa: E731
    channel_codes = {c: i + 1 for i, c in enumerate(CHANNELS)}
    variables = [
        Variable("id", fixed("id"), "str"),
        Variable("unit", fixed("unit"), "str"),
        Variable("unit_name", fixed("unit_name"), "str"),
        *[Variable(f"unit_{k}", kind_label(k, lang), "str") for k in kinds],
        Variable(
            "channel",
            fixed("channel"),
            "int",
            {n: labels.channel(c, lang) for c, n in channel_codes.items()},
        ),
        Variable("submitted_at", fixed("submitted_at"), "time"),
        Variable("flags", fixed("flags"), "str"),
        Variable("excluded", fixed("excluded"), "int", dict(YES_NO[lang])),
        Variable("exclude_reason", fixed("exclude_reason"), "str"),
        Variable("over_quota", fixed("over_quota"), "int", dict(YES_NO[lang])),
    ]
    codes: dict[str, dict[str, int]] = {"channel": channel_codes}
    for question in q.questions.values():
        label = f"{question.code}. {_pick(question.text, lang)}"[:250]
        if question.kind == "scale":
            # Each rating on its own scale (a 4-level interest question, the 5-level
            # satisfaction items), its not-applicable code a missing value.
            options, na, _ = q.scale_of(question.code)
            values = {o.code: _pick(o.label, lang) for o in options}
            missing = []
            if na is not None:
                values[na.code] = _pick(na.label, lang)
                missing = [na.code]
            variables.append(Variable(question.code, label, "int", values, missing))
        elif question.kind == "single":
            mapping = {o.code: i + 1 for i, o in enumerate(question.options)}
            codes[question.code] = mapping
            values = {mapping[o.code]: _pick(o.label, lang) for o in question.options}
            variables.append(Variable(question.code, label, "int", values))
        elif question.kind == "multi":
            for o in question.options:
                variables.append(
                    Variable(
                        f"{question.code}_{o.code}"[:NAME_MAX],
                        f"{label} — {_pick(o.label, lang)}"[:250],
                        "int",
                        dict(YES_NO[lang]),
                    )
                )
        else:
            variables.append(Variable(question.code, label, "str"))
    seen: set[str] = set()
    for v in variables:  # truncated names stay distinct
        base, i = v.name[:NAME_MAX], 1
        while v.name in seen or len(v.name) > NAME_MAX:
            v.name = f"{base[: NAME_MAX - len(str(i)) - 1]}_{i}"
            i += 1
        seen.add(v.name)
    return Layout(variables, codes)


def _unit_ids(campaign: Campaign, under: int | None) -> Select[tuple[int]]:
    """The units holding responses of the campaign, within `under` if given."""
    unit_ids = select(Submission.unit_id).where(Submission.campaign_id == campaign.id).distinct()
    if under is not None:
        unit_ids = unit_ids.where(
            Submission.unit_id.in_(
                select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == under)
            )
        )
    return unit_ids


def _kinds_and_paths(
    session: Session, campaign: Campaign, under: int | None
) -> tuple[list[str], dict[int, tuple[Unit, dict[str, str]]]]:
    """Every unit holding responses of the campaign (within `under`), with the codes
    of its ancestors by kind, and the kinds that occur, in tree order."""
    unit_ids = _unit_ids(campaign, under)
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.id.in_(unit_ids)))}
    paths: dict[int, dict[str, str]] = {uid: {} for uid in units}
    rows = session.execute(
        select(UnitAncestor.unit_id, Unit.kind, Unit.code)
        .join(Unit, Unit.id == UnitAncestor.ancestor_id)
        .where(UnitAncestor.unit_id.in_(unit_ids))
    )
    for unit_id, kind, code in rows:
        paths[unit_id].setdefault(kind, code)
    present = {k for p in paths.values() for k in p}
    kinds = [k for k in UNIT_KINDS if k in present]
    return kinds, {uid: (units[uid], paths[uid]) for uid in units}


def rows(
    session: Session,
    campaign: Campaign,
    q: Questionnaire,
    lang: str,
    under: int | None = None,
) -> tuple[Layout, int, Iterator[list[Any]]]:
    """The layout, how many rows, and the rows (each a list in layout order), read
    in chunks."""
    kinds, units = _kinds_and_paths(session, campaign, under)
    lay = layout(q, kinds, lang)
    questions = list(q.questions.values())
    count = 0
    ids = list(units)
    for start in range(0, len(ids), 10_000):
        count += (
            session.scalar(
                select(func.count())
                .select_from(Submission)
                .where(
                    Submission.campaign_id == campaign.id,
                    Submission.unit_id.in_(ids[start : start + 10_000]),
                )
            )
            or 0
        )

    # The units as a subquery, not a list: a national campaign has more units than a
    # statement may carry parameters.
    unit_ids = _unit_ids(campaign, under)
    # Comments a coordinator hid as abusive leave every export of comments.
    hidden = comments.hidden_answers(session, campaign)
    # Comments a coordinator hid as abusive leave every export of comments.
    hidden = comments.hidden_answers(session, campaign)

    def generate() -> Iterator[list[Any]]:
        stmt = (
            select(
                Submission.id,
                Submission.unit_id,
                Submission.channel,
                Submission.submitted_at,
                Submission.quality_flags,
                Submission.excluded_at,
                Submission.exclude_reason,
                Submission.over_quota,
                Submission.answers,
            )
            .where(Submission.campaign_id == campaign.id, Submission.unit_id.in_(unit_ids))
            .order_by(Submission.submitted_at, Submission.id)
            .execution_options(yield_per=CHUNK)
        )
        if not units:
            return
        for rid, unit_id, channel, at, flags, excluded_at, reason, over, answers in session.execute(
            stmt
        ):
            if unit_id not in units:  # a unit's first response arrived during the export
                continue
            unit, path = units[unit_id]
            row: list[Any] = [str(rid), unit.code, unit.name, *[path.get(k, "") for k in kinds]]
            row += [lay.codes["channel"].get(channel), at.astimezone(VIETNAM).replace(tzinfo=None)]
            row += [";".join(flags or []), int(excluded_at is not None), reason or ""]
            row.append(int(bool(over)))
            for question in questions:
                value = answers.get(question.code)
                if question.kind == "scale":
                    row.append(value if isinstance(value, int) else None)
                elif question.kind == "single":
                    row.append(lay.codes[question.code].get(value) if value is not None else None)
                elif question.kind == "multi":
                    chosen = set(value or [])
                    row += [
                        (int(o.code in chosen) if value is not None else None)
                        for o in question.options
                    ]
                elif (rid, question.code) in hidden:
                    row.append("")
                else:
                    row.append(value or "")
            yield row

    return lay, count, generate()


def write_csv(lay: Layout, data: Iterator[list[Any]], out: IO[str]) -> None:
    """CSV with the variable names as header (labels are in the SPSS/Stata/XLSX
    files), UTF-8 with BOM, times as YYYY-MM-DD HH:MM:SS in Vietnam time."""
    out.write("\ufeff")
    w = SafeWriter(out, lineterminator="\r\n")
    w.writerow([v.name for v in lay.variables])
    for row in data:
        w.writerow(["" if x is None else _text(x) for x in row])


def _text(x: Any) -> Any:
    return x.strftime("%Y-%m-%d %H:%M:%S") if isinstance(x, datetime) else x


def write_xlsx(lay: Layout, data: Iterator[list[Any]], path: Path) -> None:
    """XLSX streamed row by row (constant memory): a *Dữ liệu* sheet with names in
    the first row and labels in the second, and a *Nhãn* sheet of value labels."""
    wb = safe_workbook(str(path), constant_memory=True)
    bold = wb.add_format({"bold": True})
    when = wb.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    ws = wb.add_worksheet("Dữ liệu")
    # constant_memory writes rows strictly in order.
    for col, v in enumerate(lay.variables):
        ws.write_string(0, col, v.name, bold)
    for col, v in enumerate(lay.variables):
        ws.write_string(1, col, v.label)
    r = 2
    for row in data:
        for col, x in enumerate(row):
            if x is None or x == "":
                continue
            if isinstance(x, datetime):
                ws.write_datetime(r, col, x, when)
            elif isinstance(x, int):
                ws.write_number(r, col, x)
            else:
                ws.write_string(r, col, str(x))
        r += 1
    labels = wb.add_worksheet("Nhãn")
    labels.write_row(0, 0, ["variable", "value", "label"], bold)
    r = 1
    for v in lay.variables:
        for value, text in v.values.items():
            labels.write_string(r, 0, v.name)
            labels.write_number(r, 1, value)
            labels.write_string(r, 2, text)
            r += 1
    wb.close()


def write_stats(lay: Layout, data: Iterator[list[Any]], count: int, path: Path, fmt: str) -> None:
    """SPSS .sav or Stata .dta through pyreadstat, with variable and value labels
    (and the not-applicable code as user-missing in SPSS).

    pyreadstat writes from one table in memory, so the table is kept compact: coded
    answers fill preallocated one-byte integer columns with a missing mask, times a
    datetime64[us] column, and only text is held as Python strings (unit codes and names
    are shared objects, not copies). A million responses take about 200 MB.
    """
    import numpy as np
    import pandas as pd
    import pyreadstat

    width = [np.int8 if len(v.values) < 127 else np.int32 for v in lay.variables]
    ints = {
        i: (np.zeros(count, dtype=width[i]), np.ones(count, dtype=bool))
        for i, v in enumerate(lay.variables)
        if v.kind == "int"
    }
    # Microseconds, not seconds: pyreadstat reads a datetime64[s] column as if it held
    # nanoseconds, and every time came out as 1970-01-01 in SPSS and Stata.
    times = {
        i: np.full(count, np.datetime64("NaT"), dtype="datetime64[us]")
        for i, v in enumerate(lay.variables)
        if v.kind == "time"
    }
    texts = {
        i: np.full(count, "", dtype=object) for i, v in enumerate(lay.variables) if v.kind == "str"
    }
    r = -1
    for r, row in enumerate(data):
        if r >= count:  # responses arrived since the count: the export is as of the count
            r = count - 1
            break
        for i, x in enumerate(row):
            if x is None:
                continue
            if i in ints:
                values, mask = ints[i]
                values[r] = x
                mask[r] = False
            elif i in times:
                times[i][r] = np.datetime64(x, "s")
            else:
                texts[i][r] = x
    n = r + 1
    frame: dict[str, Any] = {}
    for i, v in enumerate(lay.variables):
        if i in ints:
            values, mask = ints[i]
            frame[v.name] = pd.arrays.IntegerArray(values[:n], mask[:n])
        elif i in times:
            frame[v.name] = times[i][:n]
        else:
            frame[v.name] = texts[i][:n]
    df = pd.DataFrame(frame, copy=False)
    # pyreadstat's annotations are narrower than what it accepts (ints for value keys).
    # The formats bound a label's bytes (SPSS: 120 per value label; Stata: 80 per
    # variable label) and readstat would cut a long one mid-word ("hành chính cô").
    cap = VALUE_LABEL_BYTES[fmt]
    labels: Any = [v.label for v in lay.variables]
    value_labels: Any = {
        v.name: {k: _cut(text, cap) for k, text in v.values.items()}
        for v in lay.variables
        if v.values
    }
    missing: Any = {v.name: v.missing for v in lay.variables if v.missing}
    if fmt == "sav":
        pyreadstat.write_sav(
            df,
            str(path),
            column_labels=labels,
            variable_value_labels=value_labels,
            missing_ranges=missing,
        )
    else:
        # Stata labels are at most 80 bytes; value labels need numeric columns.
        pyreadstat.write_dta(
            df,
            str(path),
            column_labels=[_cut(label, 80) for label in labels],
            variable_value_labels=value_labels,
            version=15,
        )


VALUE_LABEL_BYTES = {"sav": 120, "dta": 32_000}


def _cut(text: str, limit: int) -> str:
    """At most `limit` bytes of UTF-8 (the formats count bytes): whole words and an
    ellipsis when it must be shortened, never half a word or half a letter."""
    if len(text.encode("utf-8")) <= limit:
        return text
    room = text.encode("utf-8")[: limit - len("…".encode())].decode("utf-8", errors="ignore")
    words = room.rsplit(" ", 1)[0] if " " in room else room
    return words.rstrip(" ,;:—-") + "…"


def _counted(
    data: Iterator[list[Any]], total: int, progress: Callable[[int, int], None]
) -> Iterator[list[Any]]:
    progress(0, total)
    for done, row in enumerate(data, 1):
        yield row
        progress(done, total)


def export(
    session: Session,
    campaign: Campaign,
    q: Questionnaire,
    fmt: MicroFormat,
    lang: str,
    under: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write the campaign's microdata (within `under`) to a temporary file; the caller
    sends it and removes it. `progress(done, total)` is told of every response read."""
    lay, count, data = rows(session, campaign, q, lang, under)
    if progress is not None:
        data = _counted(data, count, progress)
    handle = tempfile.NamedTemporaryFile(prefix="sipas-", suffix=f".{fmt}", delete=False)
    path = Path(handle.name)
    handle.close()
    try:
        if fmt == "csv":
            with path.open("w", encoding="utf-8", newline="") as out:
                write_csv(lay, data, out)
        elif fmt == "xlsx":
            write_xlsx(lay, data, path)
        else:
            write_stats(lay, data, count, path, fmt)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path
