"""Application errors: each carries its HTTP status and a machine-readable kind.

Services raise these; one handler renders them as JSON for `/api`, another as an
HTML page for respondents. Nothing else is turned into a 4xx: an unexpected
exception is a bug and becomes a 500 with no stack trace shown.
"""

from dataclasses import dataclass, field
from typing import Any


@dataclass
class FieldError:
    """One bad field: where it is (`loc`) and what is wrong with it."""

    loc: str
    msg: str
    code: str = "invalid"

    def as_dict(self) -> dict[str, Any]:
        return {"loc": self.loc, "msg": self.msg, "code": self.code}


@dataclass
class AppError(Exception):
    """Base class of errors that become a client-facing answer."""

    detail: str
    fields: list[FieldError] = field(default_factory=list)
    # Seconds after which a retry may succeed (429, 503): sent as Retry-After.
    retry_after: int | None = None
    status_code = 400
    kind = "bad_request"

    def __post_init__(self) -> None:
        super().__init__(self.detail)

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
