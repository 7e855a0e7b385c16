"""Campaign management, progress and response review: request and response bodies."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.campaigns.models import CampaignStatus
from app.collection.models import CHANNELS
from app.core.inputs import CleanStr
from app.core.responses import one_of
from app.questionnaires import quality
from app.units.models import UNIT_KINDS

Code = Annotated[CleanStr, Field(min_length=1, max_length=64)]
QuotaPolicy = Literal["accept", "stop"]
Aggregate = Literal["pooled", "mean_of_units", "weighted"]
CampaignKindName = Literal["counter", "household"]
Status = Annotated[str, Field(json_schema_extra=one_of(lambda: [s.value for s in CampaignStatus]))]
Kind = Annotated[str, Field(description="Unit kind.", json_schema_extra=one_of(lambda: UNIT_KINDS))]


class CampaignBody(BaseModel):
    """A campaign's settings, for create (with `code`) and edit (the code is in the path)."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[CleanStr, Field(min_length=1, max_length=200)]
    starts_on: date
    ends_on: date
    questionnaire: Code = "sipas-2017"
    version: int = Field(default=1, ge=1)
    units: list[Code] = Field(min_length=1, description="Scope unit codes; units below are in.")
    min_sample: int = Field(default=30, ge=1, description="Below this n a unit is not ranked.")
    is_private: bool = Field(default=False, description="Indices only with an API key.")
    quota_policy: QuotaPolicy = Field(
        default="accept",
        description="At a full target: keep accepting and mark `over_quota`, or stop there.",
    )
    aggregate: Aggregate = Field(
        default="pooled",
        description="Default figures of a unit with sub-units in the indices: `pooled` (every "
        "response under it) or `mean_of_units` (unweighted mean of its unflagged sub-units); "
        "`weighted`: the campaign's overall figure post-stratified by its scope units' "
        "dossier counts (every scope unit needs one; methods.aggregate).",
    )
    kind: CampaignKindName = Field(
        default="counter",
        description="`household`: interviewers and households in villages; a response "
        "names its village (`unit`) and needs no counter.",
    )
    complaint_phone: Annotated[CleanStr, Field(max_length=40)] | None = Field(
        default=None,
        description="Complaint hotline shown on the thank-you screen (optional).",
        examples=["0292 3821 821"],
    )
    complaint_url: Annotated[CleanStr, Field(max_length=300)] | None = Field(
        default=None,
        description="Complaint page (http or https) shown on the thank-you screen (optional).",
        examples=["https://dichvucong.gov.vn/p/phananhkiennghi/pakn-gui-pakn.html"],
    )


class CampaignCreate(CampaignBody):
    code: Code


class ScopeUnitOut(BaseModel):
    unit: str
    name: str
    kind: Kind
    target: int | None
    transactions: int | None
    collected: int


class CampaignOut(BaseModel):
    code: str
    name: str
    status: Status
    starts_on: date
    ends_on: date
    questionnaire: str
    version: int
    min_sample: int
    is_private: bool
    quota_policy: QuotaPolicy
    aggregate: Aggregate
    kind: CampaignKindName = "counter"
    margin_of_error: float | None = Field(description="e of n = N/(1+N·e²), if computed.")
    complaint_phone: str | None
    complaint_url: str | None
    units: list[ScopeUnitOut]
    quotas: dict[str, float] = Field(description='"question=option" → percent of each target.')


class TargetsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    targets: dict[Code, int | None] = Field(description="Scope unit code → target (null clears).")


class QuotasBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    quotas: dict[CleanStr, float] = Field(
        description='"gender=female" → percent of every unit\'s target; replaces all quotas.',
        examples=[{"gender=female": 45, "gender=male": 45}],
    )


class StratumOut(BaseModel):
    stratum: str
    share: float | None
    target: int | None
    collected: int


class UnitProgressOut(BaseModel):
    unit: str
    name: str
    kind: Kind
    target: int | None
    transactions: int | None
    collected: int = Field(description="Responses counted (excluded ones are not).")
    percent: float | None = Field(description="collected / target × 100, unrounded.")
    per_day: float = Field(description="Mean responses per day since the campaign began.")
    needed_per_day: float | None = Field(description="Per day needed to finish on time.")
    projected: date | None = Field(description="Date the target is reached at the current pace.")
    status: Literal["done", "on_track", "at_risk", "behind", "no_target", "early"] = Field(
        description="`early` on the campaign's first day: pace is judged from the second."
    )
    strata: list[StratumOut]


class DayOut(BaseModel):
    date: date
    n: int = Field(description="Counted responses that day (Vietnam time).")


class VillageProgressOut(BaseModel):
    unit: str
    name: str
    commune: str | None = Field(description="The code of the unit above the village.")
    target: int | None
    collected: int = Field(description="Forms counted there (excluded ones are not).")
    percent: float | None


class InterviewerProgressOut(BaseModel):
    login: str
    name: str
    forms: int = Field(description="Forms the interviewer filled that are counted.")
    excluded: int
    flagged: int = Field(description="Forms carrying any quality flag.")
    villages: int = Field(description="Villages the interviewer filled forms in.")
    last_at: datetime | None


class ProgressOut(BaseModel):
    campaign: str
    status: Status
    starts_on: date
    ends_on: date
    today: date
    days_elapsed: int
    days_left: int
    target: int
    collected: int
    margin_of_error: float | None
    quota_policy: QuotaPolicy
    units: list[UnitProgressOut]
    daily: list[DayOut] = Field(
        default_factory=list, description="Responses per day from the first day to today."
    )
    kind: Literal["counter", "household"] = "counter"
    villages: list[VillageProgressOut] = Field(
        default_factory=list, description="Household campaigns: every village under the scope."
    )
    interviewers: list[InterviewerProgressOut] = Field(
        default_factory=list, description="Forms per interviewer (channel interview)."
    )


class OpenBody(BaseModel):
    """Opening a campaign whose scope overlaps an open one: who feeds which."""

    model_config = ConfigDict(extra="forbid")

    counters: dict[str, str] | None = Field(
        default=None,
        description="Counter code → the campaign it is to feed (this one or the open one "
        "it overlaps), for every counter in the overlap. Without it an overlap is refused "
        "(409 `overlap`, naming the units, counters and campaign).",
        examples=[{"01-S01-Q1": "DEPT-2026", "01-S01-Q2": "PROV-2026"}],
    )


class ResponseOut(BaseModel):
    id: uuid.UUID
    unit: str
    counter: str | None
    channel: str = Field(json_schema_extra=one_of(lambda: CHANNELS))
    submitted_at: datetime
    seconds: int | None = Field(description="From start to submit, if the client sent both.")
    flags: list[str] = Field(
        description="Quality flags.", json_schema_extra=one_of(lambda: quality.ALL)
    )
    over_quota: bool
    excluded_at: datetime | None
    excluded_by: str | None
    exclude_reason: str | None
    late_sync: bool = Field(
        default=False, description="Arrived after the campaign closed, within the grace period."
    )
    interviewer: str | None = Field(
        default=None, description="The login of the interviewer who filled it (channel interview)."
    )


class ResponsesOut(BaseModel):
    total: int
    page: int
    flag_counts: dict[str, int]
    excluded: int
    responses: list[ResponseOut]


class ReasonBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[CleanStr, Field(max_length=500)] = ""


class ReviewOut(BaseModel):
    id: str = Field(description="The response's id, as sent.")
    state: Literal["excluded", "counted"]


class CommentOut(BaseModel):
    """A citizen's free-text answer, with where and when it was given and its marks."""

    response_id: uuid.UUID
    question: str = Field(description="The free-text question's code, e.g. `comment`.")
    text: str
    unit: str
    unit_name: str
    channel: str = Field(json_schema_extra=one_of(lambda: CHANNELS))
    submitted_at: datetime
    hidden: bool = Field(description="Hidden as abusive: left out of every export.")
    hidden_at: datetime | None
    hidden_by: str | None
    hidden_reason: str | None
    chosen: bool = Field(description="Chosen to print in the report (đưa vào báo cáo).")
    chosen_at: datetime | None


class CommentsOut(BaseModel):
    total: int
    page: int
    page_size: int
    comments: list[CommentOut]


class CommentReviewBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[CleanStr, Field(max_length=500)] = Field(
        default="", description="Why it is hidden (required to hide; ignored otherwise)."
    )


class AuditOut(BaseModel):
    at: datetime
    actor: str
    action: str
    target: str
    detail: dict[str, object]
