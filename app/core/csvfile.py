"""Reading uploaded CSV files with errors that point at a line and a column."""

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import IO, Any

from app.core.errors import FieldError, Invalid


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM from Excel is fine); anything else is refused with its position."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Invalid.of(
            "not_utf8",
            [FieldError.of(f"line {line}", "not_utf8_short", "encoding")],
            name=name,
            at=exc.start,
            line=line,
        ) from exc


def read_rows(
    text: str, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[str], Iterator[Row]]:
    """Check the header, then yield rows with their 1-based line numbers.

    Header names are matched case-insensitively with surrounding spaces removed, the
    way people type them in a spreadsheet.
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        typed = [h.strip() for h in next(reader)]
    except StopIteration:
        raise Invalid.of("csv_empty", name=name) from None
    canonical = {c.lower(): c for c in required + optional}
    header = [canonical.get(h.lower(), h) for h in typed]
    missing = [c for c in required if c not in header]
    unknown = [h for h in header if h not in required and h not in optional]
    dupes = sorted({h for h in header if header.count(h) > 1})
    problems = [FieldError.of("line 1", "csv_missing_column", "missing", column=c) for c in missing]
    problems += [
        FieldError.of("line 1", "csv_unknown_column", "unknown", column=c) for c in unknown
    ]
    problems += [FieldError.of("line 1", "csv_twice", "duplicate", column=c) for c in dupes]
    if problems:
        expected = ", ".join(required + optional)
        raise Invalid.of("csv_bad_header", problems, name=name, expected=expected)

    def rows() -> Iterator[Row]:
        for values in reader:
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                yield Row(line, {"__width__": str(len(values))})
                continue
            yield Row(line, {h: v.strip() for h, v in zip(header, values, strict=True)})

    return header, rows()


def width_error(row: Row, expected: int) -> FieldError | None:
    if "__width__" in row.values:
        return FieldError.of(
            f"line {row.line}", "csv_width", "width", n=row.values["__width__"], expected=expected
        )
    return None


# A cell starting with one of these is a formula to Excel and LibreOffice
# (`=HYPERLINK(…)` becomes a live link; OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A text cell a spreadsheet will show as text: prefixed with `'` if it starts
    like a formula. Numbers, and text that is only a number (`-3.5`), pass unchanged
    so that they stay numbers in the sheet."""
    if not isinstance(value, str) or not value.startswith(FORMULA_START):
        return value
    try:
        float(value)
    except ValueError:
        return "'" + value
    return value


class SafeWriter:
    """csv.writer with every cell through :func:`safe_cell`. The only CSV writer in
    the service (a test fails on any other `csv.writer` under app/)."""

    def __init__(self, out: IO[str], **fmt: Any) -> None:
        self._w = csv.writer(out, **fmt)

    def writerow(self, row: Iterable[Any]) -> None:
        self._w.writerow([safe_cell(v) for v in row])
