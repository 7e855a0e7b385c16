"""The submission contract of design.md: what kiosks, phones and scripts send."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.inputs import BoundedDatetime, CleanAny, CleanStr

Channel = Literal["kiosk", "web", "paper", "interview"]
# Any JSON value: the questionnaire decides what is valid per question (and so
# `true` is never silently read as 1, as a lax int would).
Answer = CleanAny


class SubmissionIn(BaseModel):
    """One completed questionnaire."""

    model_config = ConfigDict(extra="forbid")

    id: uuid.UUID = Field(description="Chosen by the client (UUID); a retry sends the same id.")
    questionnaire: Annotated[CleanStr, Field(max_length=64, examples=["sipas-2017"])]
    version: int = Field(ge=1, examples=[1])
    counter: Annotated[CleanStr | None, Field(max_length=64)] = Field(
        default=None,
        description="The counter's public code (every campaign of kind `counter`).",
    )
    unit: Annotated[CleanStr | None, Field(max_length=64)] = Field(
        default=None,
        description="Instead of a counter, in a campaign of kind `household`: the code of "
        "the village (or any unit) the household lives in.",
    )
    campaign: Annotated[CleanStr | None, Field(max_length=64)] = Field(
        default=None, description="Only needed where two open campaigns cover the counter's unit."
    )
    channel: Channel
    dossier: Annotated[CleanStr | None, Field(min_length=1, max_length=64)] = Field(
        default=None,
        description=(
            "The dossier code (mã hồ sơ) from the result slip, if the respondent gave it: "
            "stored only as a keyed hash, to flag a dossier answered twice."
        ),
    )
    form_token: Annotated[str | None, Field(max_length=120)] = Field(
        default=None,
        description=(
            "The token of the served form (hidden field `form_token`), kept with a queued "
            "response: one sent more than five minutes after it was finished needs it, "
            "unless it comes from a kiosk enrolled at the counter or with a write API key. "
            "Each token admits one response."
        ),
    )
    started_at: BoundedDatetime | None = Field(
        default=None, description="When the respondent began (with a UTC offset)."
    )
    submitted_at: BoundedDatetime = Field(description="When the respondent finished.")
    answers: dict[CleanStr, Answer] = Field(
        description=(
            "Question code → answer: an integer 1–5 (0 = not applicable) for scale items, "
            "an option code for single choice, a list of option codes for multiple choice, "
            "text for free text. Leave out (or send null for) questions not answered."
        ),
        examples=[{"TC1": 4, "timeliness": "on_time", "info_channels": ["internet"]}],
    )


class Receipt(BaseModel):
    """Proof that the response is stored; the same for every retry of it."""

    id: uuid.UUID
    received_at: datetime
    campaign: str
    unit: str
    late_sync: bool = Field(
        default=False,
        description="Received after its campaign closed, within the late-sync grace period.",
    )


class BatchIn(BaseModel):
    """Up to 500 queued responses from a kiosk that was offline."""

    model_config = ConfigDict(extra="forbid")

    # Items are parsed one by one so that a malformed item is reported alone.
    submissions: list[Any] = Field(min_length=1, max_length=500)


class BatchResult(BaseModel):
    id: str | None = Field(description="The item's id as sent (null if it had none).")
    status: Literal[200, 201, 403, 409, 422, 429] = Field(
        description="201 stored, 200 stored before, 403 not admitted (token_required, token_invalid, token_used, out_of_scope), 409 conflict, quota_full or late_sync_expired (keep it), 422 invalid "
        "(drop it), 429 over the live rate limit (send it again later)."
    )
    receipt: Receipt | None = None
    error: str | None = None
    detail: str | None = None
    fields: list[dict[str, str]] = Field(default_factory=list)


class BatchOut(BaseModel):
    results: list[BatchResult]
