"""Reading uploaded CSV files with errors that point at a line and a column.

Every CSV reader in the service goes through :func:`read_csv`: it takes the bytes
(or a binary file, read line by line so a large file is never held whole), finds
the encoding (UTF-8 with or without Excel's BOM; UTF-16 from Excel's "Unicode
text"), the delimiter (`,`, `;` as Vietnamese Excel writes it, or a tab), matches
the header against the reader's columns and their Vietnamese names, and yields
the rows with their line numbers. An Excel workbook (.xlsx, a filled-in template)
is read too: its first sheet, with row numbers as line numbers. Text no database
can store (a NUL), a cell longer than :data:`MAX_CELL`, and bytes that are not the
file's encoding become line-and-column errors, never a traceback or a driver
message.
"""

import codecs
import csv
import dataclasses
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from datetime import time as dt_time
from typing import IO, Any

from app.core.errors import FieldError, Invalid
from app.core.inputs import text_error

# Python's csv module refuses a cell over 131,072 characters; we say so with the
# line and column. No cell of a unit, counter, target or paper-form file comes near.
MAX_CELL = 131_072
DELIMITERS = (",", ";", "\t")
# Text that was UTF-8, was read as Windows-1252 and saved again ("Tá»‰nh" for "Tỉnh").
_LATIN1_RANGE = re.compile("[\u00c0-\u00ff]")


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]
    # Problems the reader found in the row itself (a NUL in a cell); the caller adds them.
    errors: tuple[FieldError, ...] = field(default=())


def decode(data: bytes, name: str) -> str:
    """UTF-8 text (a BOM from Excel is fine); anything else is refused with its position."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _not_utf8(name, line, exc.start, data[exc.start : exc.start + 4]) from exc


def _not_utf8(name: str, line: int, offset: int, sample: bytes) -> Invalid:
    key = "not_utf8"
    try:
        sample.decode("cp1258")
        key = "not_utf8_code_page"  # what Excel writes for 'CSV (Comma delimited)'
    except UnicodeDecodeError:
        pass
    return Invalid.of(
        key,
        [FieldError.of(f"line {line}", "byte_not_utf8", "encoding", at=offset)],
        name=name,
        at=offset,
        line=line,
    )


def _lines(source: bytes | IO[bytes], name: str) -> Iterator[str]:
    """The file's text, a line at a time (line ends kept), in the encoding it has."""
    stream: IO[bytes] = io.BytesIO(source) if isinstance(source, bytes | bytearray) else source
    head = stream.read(4)
    if head == XLSX_MAGIC:
        yield from _xlsx_lines(_Prefixed(head, stream), name)
        return
    utf16 = _utf16(head)
    rest: Iterable[bytes]
    if utf16 is not None:
        text = io.TextIOWrapper(
            io.BufferedReader(_Prefixed(head, stream)), encoding=utf16, newline=""
        )
        line = 0
        try:
            for line, piece in enumerate(text, 1):
                yield piece.lstrip("\ufeff") if line == 1 else piece
        except UnicodeDecodeError as exc:
            raise Invalid.of(
                "not_utf16",
                [FieldError.of(f"line {line + 1}", "not_utf16_short", "encoding")],
                name=name,
                line=line,
            ) from exc
        return
    rest = _Prefixed(head, stream)
    offset = 0
    for number, raw in enumerate(rest, 1):
        if number == 1 and raw.startswith(codecs.BOM_UTF8):
            raw, offset = raw[3:], 3
        try:
            piece = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise _not_utf8(
                name, number, offset + exc.start, raw[exc.start : exc.start + 4]
            ) from exc
        if _LATIN1_RANGE.search(piece):
            _refuse_mojibake(piece, name, number)
        offset += len(raw)
        yield piece


# An .xlsx file is a zip archive; no CSV starts with these bytes.
XLSX_MAGIC = b"PK\x03\x04"


def _xlsx_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV of it would hold: 4 not 4.0, dates as
    YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dt_time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _xlsx_lines(stream: "IO[bytes] | _Prefixed", name: str) -> Iterator[str]:
    """The first sheet of an Excel workbook as CSV lines, one a row, so that an .xlsx
    (a filled-in template) goes through the same reader, with the sheet's row
    numbers as its line numbers."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(stream.read()), read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise Invalid.of(
            "xlsx_unreadable",
            [FieldError.of("line 1", "xlsx_unreadable_short", "encoding")],
            name=name,
            why=type(exc).__name__,
        ) from None
    try:
        width = 0
        for number, row in enumerate(book.worksheets[0].iter_rows(values_only=True), 1):
            cells = [_xlsx_text(v) for v in row]
            if number == 1:
                while cells and not cells[-1].strip():
                    cells.pop()
                width = len(cells)
            else:  # the sheet's own width, not the header's: trailing empties are no cells
                while len(cells) > width and not cells[-1].strip():
                    cells.pop()
                cells += [""] * (width - len(cells))
            out = io.StringIO()
            # Not an export (nothing leaves the service): the reader's own input.
            csv.writer(out, lineterminator="\r\n").writerow(cells)
            yield out.getvalue()
    finally:
        book.close()


def _utf16(head: bytes) -> str | None:
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    # No BOM: ASCII letters with a zero byte beside each.
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] and head[2]:
        return "utf-16-le"
    if len(head) >= 4 and head[0] == 0 and head[2] == 0 and head[1] and head[3]:
        return "utf-16-be"
    return None


class _Prefixed(io.RawIOBase):
    """A stream with some bytes already read put back in front."""

    def __init__(self, head: bytes, stream: IO[bytes]) -> None:
        self._head, self._stream = head, stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            n = min(len(buffer), len(self._head))
            buffer[:n], self._head = self._head[:n], self._head[n:]
            return n
        data = self._stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)

    def __iter__(self) -> Iterator[bytes]:
        return iter(io.BufferedReader(self, 1 << 16))


def _refuse_mojibake(piece: str, name: str, line: int) -> None:
    for word in re.findall(r'[^\s,;"]*[\u00c0-\u00ff][^\s,;"]*', piece):
        try:
            fixed = word.encode("cp1252").decode("utf-8")
        except UnicodeError:
            continue
        if fixed != word:
            raise Invalid.of(
                "mojibake",
                [
                    FieldError.of(
                        f"line {line}", "mojibake_short", "encoding", word=word, fixed=fixed
                    )
                ],
                name=name,
                line=line,
                word=word,
                fixed=fixed,
            )


def _norm(header: str) -> str:
    return unicodedata.normalize("NFC", header).strip().strip("*").strip().casefold()


def _delimiter(first: str, known: set[str]) -> str:
    """The delimiter that splits the header into the most known columns (then fields)."""

    def score(d: str) -> tuple[int, int]:
        fields = next(csv.reader([first], delimiter=d), [])
        return sum(_norm(f) in known for f in fields), len(fields)

    return max(DELIMITERS, key=score)


def read_csv(
    source: bytes | IO[bytes],
    name: str,
    required: tuple[str, ...],
    optional: tuple[str, ...] = (),
    aliases: Mapping[str, str] | None = None,
) -> tuple[list[str], Iterator[Row]]:
    """Check the header, then yield rows with their 1-based line numbers.

    Header names are matched case-insensitively with surrounding spaces (and a
    template's `*` for required) removed, the way people type them in a
    spreadsheet; `aliases` maps other names (the Vietnamese ones a template
    offers) to a column.
    """
    lines = _lines(source, name)
    first = next(lines, None)
    if first is None or not first.strip():
        raise Invalid.of("csv_empty", name=name)
    canonical = {_norm(c): c for c in required + optional}
    canonical |= {_norm(a): c for a, c in (aliases or {}).items()}
    delimiter = _delimiter(first, set(canonical))
    record: list[str] = []

    def recorded() -> Iterator[str]:
        yield first
        for piece in lines:
            record.append(piece)
            yield piece

    reader = csv.reader(recorded(), delimiter=delimiter)
    typed = [h.strip() for h in _next(reader, record, name, [], 0)]
    header = [canonical.get(_norm(h), h) for h in typed]
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
        while True:
            start = reader.line_num + 1
            record.clear()
            try:
                values = _next(reader, record, name, header, start)
            except StopIteration:
                return
            line = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if len(values) != len(header):
                yield Row(line, {"__width__": str(len(values))})
                continue
            cells = {h: v.strip() for h, v in zip(header, values, strict=True)}
            errors = tuple(
                dataclasses.replace(e, code="text")
                for h, v in cells.items()
                if (e := text_error(f"line {line}, column {h}", v)) is not None
            )
            yield Row(line, cells, errors)

    return header, rows()


def _next(reader: Any, record: list[str], name: str, header: list[str], start: int) -> list[str]:
    """The next record; a cell over MAX_CELL becomes an error naming its line and column."""
    try:
        return next(reader)
    except csv.Error as exc:
        if "field larger than field limit" not in str(exc):
            # The csv module's own words (a quote in an unquoted field, a NUL): English
            # only, passed on as they are inside a translated sentence.
            raise Invalid.of(
                "csv_unreadable",
                [FieldError.of(f"line {reader.line_num}", "csv_unreadable_short", "csv", why=exc)],
                name=name,
                line=reader.line_num,
                why=exc,
            ) from exc
        # Parse what was read of the record again, without the limit, to find the cell.
        limit = csv.field_size_limit()
        try:
            csv.field_size_limit(1 << 30)
            partial = next(csv.reader(["".join(record)], delimiter=reader.dialect.delimiter), [])
        except csv.Error:
            partial = []
        finally:
            csv.field_size_limit(limit)
        index = next((i for i, v in enumerate(partial) if len(v) > MAX_CELL), len(partial) - 1)
        column = header[index] if 0 <= index < len(header) else str(index + 1)
        at = f"line {max(start, 1)}, column {column}" if header else "line 1"
        raise Invalid.of(
            "cell_too_long",
            [FieldError.of(at, "longer_than", "too_long", n=MAX_CELL)],
            name=name,
            n=MAX_CELL,
            where=at,
        ) from exc


def read_rows(
    text: str, name: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
) -> tuple[list[str], Iterator[Row]]:
    """:func:`read_csv` over text already decoded."""
    return read_csv(text.encode("utf-8"), name, required, optional)


def width_error(row: Row, expected: int) -> FieldError | None:
    if "__width__" in row.values:
        return FieldError.of(
            f"line {row.line}", "csv_width", "width", n=row.values["__width__"], expected=expected
        )
    return None


def row_problems(row: Row, expected: int) -> list[FieldError]:
    """A row's own problems: a wrong number of fields, or text no database can store."""
    if (err := width_error(row, expected)) is not None:
        return [err]
    return list(row.errors)


def too_long(row: Row, column: str, limit: int) -> FieldError | None:
    """An error if the row's `column` is longer than the database column holds."""
    value = row.values.get(column, "")
    if len(value) > limit:
        return FieldError.of(
            f"line {row.line}, column {column}",
            "chars_at_most",
            "too_long",
            n=len(value),
            limit=limit,
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


def safe_workbook(target: Any, constant_memory: bool = False) -> Any:
    """The only spreadsheet writer in the service: an xlsxwriter Workbook that never
    turns text into a formula (`strings_to_formulas` off; the callers write text with
    write_string), so a unit named "=HYPERLINK(…)" stays inert text in Excel."""
    import xlsxwriter

    options: dict[str, Any] = {"strings_to_formulas": False}
    if constant_memory:
        options["constant_memory"] = True
    else:
        options["in_memory"] = True
    return xlsxwriter.Workbook(target, options)


def excel_csv(rows: Iterable[Sequence[Any]]) -> bytes:
    """CSV as Excel in a Vietnamese locale opens it with a double click: UTF-8 with a
    byte-order mark (without it Excel shows Vietnamese as mojibake) and `;` between
    cells (that locale's list separator); every cell through :func:`safe_cell`."""
    out = io.StringIO()
    out.write("\ufeff")
    w = SafeWriter(out, delimiter=";", lineterminator="\r\n")
    for row in rows:
        w.writerow(row)
    return out.getvalue().encode("utf-8")


def text_workbook(sheets: Sequence[tuple[str, Sequence[Sequence[Any]]]]) -> bytes:
    """An .xlsx of text cells for people to fill in: every column formatted as text,
    so a code like 01 keeps its zero and a typed date stays YYYY-MM-DD; the first
    row of each sheet bold and frozen."""
    buffer = io.BytesIO()
    book = safe_workbook(buffer)
    text = book.add_format({"num_format": "@"})
    head = book.add_format({"num_format": "@", "bold": True, "bg_color": "#E8EEF6"})
    for title, rows in sheets:
        sheet = book.add_worksheet(title[:31])
        columns = max((len(r) for r in rows), default=1)
        sheet.set_column(0, columns - 1, 16, text)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                sheet.write_string(
                    i, j, "" if value is None else str(value), head if i == 0 else text
                )
        sheet.freeze_panes(1, 0)
    book.close()
    return buffer.getvalue()
