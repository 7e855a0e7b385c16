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

from app.core.errors import FieldError, Invalid

_BAD = re.compile("[\x00\ud800-\udfff]")
# Wide enough for any real survey (SIPAS began in 2017) and narrow enough that a
# UTC offset can never push a value outside what `datetime` represents.
EARLIEST = date(2000, 1, 1)
LATEST = date(2099, 12, 31)
_DIGITS = re.compile("[0-9]+")


def text_problem(value: str) -> str | None:
    """Why `value` cannot be accepted as text, or None."""
    m = _BAD.search(value)
    if m is None:
        return None
    what = "a NUL character" if m.group() == "\x00" else "a lone surrogate (not valid Unicode)"
    return f"contains {what} at position {m.start()}"


def _clean(value: str) -> str:
    if (why := text_problem(value)) is not None:
        raise PydanticCustomError("bad_text", why)
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


def check_request(request: Request) -> None:
    """Refuse a request whose path, query or cookie values are not clean text."""
    problems = []
    for name, value in request.path_params.items():
        if isinstance(value, str) and (why := text_problem(value)):
            problems.append(FieldError(name, why, "bad_text"))
    if (why := text_problem(request.url.path)) and not problems:
        problems.append(FieldError("path", why, "bad_text"))
    for name, value in request.query_params.multi_items():
        for part in (name, value):
            if why := text_problem(part):
                problems.append(FieldError(_clean_loc(name), why, "bad_text"))
    for name, value in request.cookies.items():
        if why := text_problem(value) or text_problem(name):
            problems.append(FieldError(f"cookie {_clean_loc(name)}", why, "bad_text"))
    if problems:
        raise BadText("the request contains characters that are not allowed", problems)


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
        why = f"the body is not UTF-8: byte {cause.start} (0x{byte}) cannot be decoded"
        return Invalid(why, [FieldError("body", why, "encoding")])
    if isinstance(cause, RecursionError):
        why = f"the body is nested too deeply: more than about {MAX_NESTING} levels"
        return Invalid(why, [FieldError("body", why, "too_deep")])
    return None
