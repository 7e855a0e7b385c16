"""Application errors: each carries its HTTP status and a machine-readable kind.

Services raise these; one handler renders them as JSON for `/api`, another as an
HTML page for respondents. Nothing else is turned into a 4xx: an unexpected
exception is a bug and becomes a 500 with no stack trace shown.
"""

from dataclasses import dataclass, field
from typing import Any, Self

from app.core import messages


@dataclass
class FieldError:
    """One bad field: where it is (`loc`) and what is wrong with it."""

    loc: str
    msg: str
    code: str = "invalid"
    # The message's key in app/core/messages.py and its parameters: pages render it in
    # the reader's language; `msg` is its English, for the API.
    key: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, loc: str, key: str, code: str = "invalid", /, **params: Any) -> "FieldError":
        """A field error by message key (`msg` is its English)."""
        return cls(loc, messages.text(key, "en", **params), code, key, params)

    def as_dict(self) -> dict[str, Any]:
        return {"loc": self.loc, "msg": self.msg, "code": self.code}


@dataclass
class AppError(Exception):
    """Base class of errors that become a client-facing answer."""

    detail: str
    fields: list[FieldError] = field(default_factory=list)
    # Seconds after which a retry may succeed (429, 503): sent as Retry-After.
    retry_after: int | None = None
    key: str | None = None  # as FieldError.key
    params: dict[str, Any] = field(default_factory=dict)
    status_code = 400
    kind = "bad_request"

    def __post_init__(self) -> None:
        super().__init__(self.detail)

    @classmethod
    def of(cls, key: str, fields: list[FieldError] | None = None, /, **params: Any) -> Self:
        """The error by message key (`detail` is its English)."""
        return cls(messages.text(key, "en", **params), fields or [], key=key, params=params)

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": self.kind,
            "detail": self.detail,
            "fields": [f.as_dict() for f in self.fields],
        }


class Unauthorized(AppError):
    """No valid credentials: sign in, or send an API key."""

    status_code = 401
    kind = "unauthorized"


class Forbidden(AppError):
    """Signed in, but this is outside the account's role or unit subtree."""

    status_code = 403
    kind = "forbidden"


@dataclass
class TooManyRequests(AppError):
    """A limit was reached; `retry_after` (seconds) becomes the Retry-After header."""

    retry_after: int = 60
    status_code = 429
    kind = "rate_limited"


class NotFound(AppError):
    status_code = 404
    kind = "not_found"


class Conflict(AppError):
    status_code = 409
    kind = "conflict"


class Invalid(AppError):
    status_code = 422
    kind = "invalid"


class TooLarge(AppError):
    status_code = 413
    kind = "too_large"


class Unavailable(AppError):
    status_code = 503
    kind = "unavailable"
