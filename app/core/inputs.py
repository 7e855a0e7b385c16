"""One check for every string that comes in: NUL and lone surrogates are refused.

PostgreSQL cannot store NUL in text and no encoder can write a lone surrogate, so
either one reaching a service used to surface as a driver error (500). The schemas
use `CleanStr`/`CleanAny`; `check_request` runs before every route and checks the
path, query and cookie values, so no route can forget it.
"""

import re
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import Request
from pydantic import AfterValidator, AwareDatetime
from pydantic_core import PydanticCustomError

from app.core import messages
from app.core.errors import FieldError, Invalid

_BAD = re.compile("[\x00\ud800-\udfff]")
# Wide enough for any real survey (SIPAS began in 2017) and narrow enough that a
# UTC offset can never push a value outside what `datetime` represents.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
_DIGITS = re.compile("[0-9]+")


def _bad_at(value: str) -> tuple[str, int] | None:
    """The message key (`nul_at`, `surrogate_at`) and position of the first bad character."""
    m = _BAD.search(value)
    if m is None:
        return None
    return ("nul_at" if m.group() == "\x00" else "surrogate_at"), m.start()


def text_problem(value: str) -> str | None:
    """Why `value` cannot be accepted as text, or None."""
    found = _bad_at(value)
    return None if found is None else messages.text(found[0], "en", at=found[1])


def text_error(loc: str, value: str) -> FieldError | None:
    """The field error for bad text in `value`, or None."""
    found = _bad_at(value)
    return None if found is None else FieldError.of(loc, found[0], "bad_text", at=found[1])


def _clean(value: str) -> str:
    if (found := _bad_at(value)) is not None:
        key, at = found
        template = messages.text(key, "en", at="{at}")
        raise PydanticCustomError("bad_text", template, {"at": at, "key": key})
    return value


def _clean_any(value: Any) -> Any:
    # JSON answers: strings inside lists and objects are text too.
    if isinstance(value, str):
        return _clean(value)
    if isinstance(value, list):
        return [_clean_any(v) for v in value]
    if isinstance(value, dict):
        return {_clean(str(k)): _clean_any(v) for k, v in value.items()}
    return value


def _bounded_datetime(value: datetime) -> datetime:
    if not EARLIEST <= value.date() <= LATEST:
        raise PydanticCustomError(
            "date_range", "must be between {lo} and {hi}", {"lo": str(EARLIEST), "hi": str(LATEST)}
        )
    return value


def _bounded_date(value: date) -> date:
    if not EARLIEST <= value <= LATEST:
        raise PydanticCustomError(
            "date_range", "must be between {lo} and {hi}", {"lo": str(EARLIEST), "hi": str(LATEST)}
        )
    return value


CleanStr = Annotated[str, AfterValidator(_clean)]
CleanAny = Annotated[Any, AfterValidator(_clean_any)]
BoundedDatetime = Annotated[AwareDatetime, AfterValidator(_bounded_datetime)]
BoundedDate = Annotated[date, AfterValidator(_bounded_date)]


def ascii_int(raw: str) -> int | None:
    """The whole number typed, or None: `'²'.isdigit()` and `'٣'.isdigit()` are true,
    but neither is a number a respondent meant to type here."""
    raw = raw.strip()
    return int(raw) if _DIGITS.fullmatch(raw) and len(raw) <= 18 else None


def in_range(value: datetime) -> bool:
    return EARLIEST <= value.astimezone(UTC).date() <= LATEST


async def check_request(request: Request) -> None:
    """Refuse a request whose path, query or cookie values are not clean text.

    Async (it does no I/O) so that it runs on the event loop: as a plain function
    FastAPI would hand it to the thread pool, a trip every request paid for."""
    problems: list[FieldError] = []
    for name, value in request.path_params.items():
        if isinstance(value, str) and (bad := text_error(name, value)):
            problems.append(bad)
    if (bad := text_error("path", request.url.path)) and not problems:
        problems.append(bad)
    for name, value in request.query_params.multi_items():
        for part in (name, value):
            if bad := text_error(_clean_loc(name), part):
                problems.append(bad)
    for name, value in request.cookies.items():
        loc = f"cookie {_clean_loc(name)}"
        if bad := text_error(loc, value) or text_error(loc, name):
            problems.append(bad)
    if problems:
        raise BadText.of("bad_characters", problems)


def check_form(items: list[tuple[str, str]]) -> None:
    """Refuse a posted form whose names or text values are not clean text (a 422
    naming each field), before any route reads it."""
    problems = [
        bad
        for name, value in items
        for bad in [text_error(_clean_loc(name), value) or text_error(_clean_loc(name), name)]
        if bad is not None
    ]
    if problems:
        raise BadText.of("bad_characters", problems)


def _clean_loc(name: str) -> str:
    return _BAD.sub("\ufffd", name)


class BadText(Invalid):
    kind = "bad_text"


# How deep a body may nest before the JSON parser gives up (Python's recursion
# limit); a submission nests three levels.
MAX_NESTING = 1000


def unparseable(exc: Exception) -> Invalid | None:
    """What was wrong with a body FastAPI could not parse (it says only "There was an
    error parsing the body"), or None when the error is something else."""
    cause = exc.__cause__
    if isinstance(cause, UnicodeDecodeError):
        byte = cause.object[cause.start : cause.start + 1].hex()
        at = cause.start
        return Invalid.of(
            "body_not_utf8",
            [FieldError.of("body", "body_not_utf8", "encoding", at=at, byte=byte)],
            at=at,
            byte=byte,
        )
    if isinstance(cause, RecursionError):
        return Invalid.of(
            "body_too_deep",
            [FieldError.of("body", "body_too_deep", "too_deep", n=MAX_NESTING)],
            n=MAX_NESTING,
        )
    return None
