"""Documentation of the indices report (OpenAPI). The service returns this shape."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from app.core.responses import one_of
from app.questionnaires.catalog import Rule
from app.units.models import UNIT_KINDS


class Figure(BaseModel):
    value: float | None = Field(description="Percent, 0–100, unrounded; null when n = 0.")
    ci: list[float] | None = Field(
        description="95 % interval [low, high] in percent; see `methods.ci`."
    )
    n: int = Field(description="Answers behind the figure; see `methods.n`.")


class Change(BaseModel):
    campaign: str = Field(description="The compared campaign (`compare=`).")
    points: float | None = Field(
        description="SIPAS now minus SIPAS then, in points; null when either is missing."
    )
    rank: int | None = Field(
        description="Places climbed (previous rank − rank); null unless ranked both times."
    )
    previous_flags: list[Literal["small_sample", "incomplete"]] = Field(
        default_factory=list,
        description="The unit's flags in the compared campaign: when not empty the previous "
        "figure was too small or incomplete to rank, and every document marks the change "
        "as resting on it.",
    )


class IndicatorChange(BaseModel):
    counterpart: str = Field(
        description="The corresponding indicator of the compared campaign's questionnaire "
        "(`sipas`, `factors.X`, `items.X`, `overall_items.X`)."
    )
    match: Literal["exact", "approximate"] = Field(description="As the mapping file says.")
    previous: float | None = Field(description="The counterpart's figure then.")
    points: float | None = Field(description="This figure minus its counterpart's, in points.")
    rank: int | None = Field(
        description="Places climbed on this indicator within the unit's league (ranked among "
        "the unflagged units of the league, both times); null unless ranked both times in "
        "the same league."
    )


class Changes(BaseModel):
    campaign: str = Field(description="The compared campaign (`compare=`).")
    previous_flags: list[Literal["small_sample", "incomplete"]] = Field(default_factory=list)
    indicators: dict[str, IndicatorChange] = Field(
        description="By indicator (`sipas`, `factors.X`, …), only those with a counterpart."
    )


class UnitIndices(BaseModel):
    unit: str = Field(description="Unit code.")
    name: str
    kind: str = Field(description="Unit kind.", json_schema_extra=one_of(lambda: UNIT_KINDS))
    n: int = Field(description="Responses counted for the unit and everything below it.")
    sipas: Figure = Field(description="Overall SIPAS index (methods.sipas).")
    factors: dict[str, Figure] = Field(description="Factor code → index (methods.factor).")
    items: dict[str, Figure] = Field(description="Criterion code → index (methods.criterion).")
    overall_items: dict[str, Figure] = Field(
        description="Per-factor and overall satisfaction items."
    )
    perception: dict[str, Figure] = Field(
        description="`question.option` → % of respondents who answered the question and chose the option "
        "(multiple choice: may sum past 100). Includes where the dossier was submitted, how "
        "people learned of the service, and notification/apology among late cases."
    )
    timeliness: dict[str, Figure] = Field(
        description="early, on_time, late, on_time_or_early (% of results)."
    )
    expectations: dict[str, Figure] = Field(
        description="Option code → % of respondents choosing it (the question is named like "
        "its block, so its name is not repeated: `facilities`, in CSV `expectations.facilities`)."
    )
    respondents: dict[str, Figure] = Field(description="Respondent profile: gender, age band, …")
    rank: int | None = Field(
        description="1 = best SIPAS within the unit's league; null when flagged."
    )
    rank_interval: list[int] | None = Field(
        default=None,
        min_length=2,
        max_length=2,
        description="95 % rank interval [best, worst] within the league (1 = best; "
        "`methods.rank_interval`); null when not ranked.",
    )
    vs_median: Literal["above", "indistinguishable", "below"] | None = Field(
        default=None,
        description="The unit's SIPAS interval against its league's median SIPAS "
        "(`methods.vs_median`); null when not ranked.",
    )
    league: str = Field(
        description="What the unit is ranked among: its kind, or `mixed` (see `methods.rank`)."
    )
    aggregate: Literal["pooled", "mean_of_units"] = Field(
        description="How its figures were made (methods.aggregate); a unit without compared "
        "sub-units is always pooled."
    )
    averaged_units: int | None = Field(
        default=None, description="mean_of_units: how many sub-units were averaged."
    )
    flags: list[Literal["small_sample", "incomplete"]] = Field(
        description="Reasons the unit is not compared: small_sample, incomplete (`methods.flags`)."
    )
    flag_detail: dict[str, dict[str, Any]] = Field(
        description="Per flag, why: small_sample {item, n, min_sample}; incomplete {missing}."
    )
    change: Change | None = Field(
        default=None,
        description="Change since the compared campaign, when `compare` is given. Compared "
        "with a campaign on another questionnaire: present only when the overall index has a "
        "counterpart there (see `changes` and the report's `comparison`).",
    )
    changes: Changes | None = Field(
        default=None,
        description="Compared with a campaign on another questionnaire (through a mapping "
        "file): the change of every indicator that has a counterpart there.",
    )


class Medians(BaseModel):
    sipas: float | None
    factors: dict[str, float | None]
    items: dict[str, float | None]
    perception: dict[str, float | None]
    timeliness: dict[str, float | None]
    expectations: dict[str, float | None]


class MedianCounts(BaseModel):
    """How many units each median is the median of (methods.median)."""

    sipas: int
    factors: dict[str, int]
    items: dict[str, int]
    perception: dict[str, int]
    timeliness: dict[str, int]
    expectations: dict[str, int]


class League(BaseModel):
    units: int = Field(description="Units listed in the league.")
    ranked: int = Field(description="Units ranked (not flagged).")
    median: Medians
    median_n: MedianCounts
    top: list[str]
    bottom: list[str]


class IndicesReport(BaseModel):
    campaign: str
    questionnaire: str
    version: int
    scoring: Rule = Field(description="Criterion rule.")
    aggregate: Literal["pooled", "mean_of_units", "weighted"] = Field(
        description="How units with sub-units, and under `weighted` the campaign's "
        "`overall`, got their figures (methods.aggregate)."
    )
    sort: Literal["code", "rank", "name"] = Field(description="The order of `units`.")
    units: list[UnitIndices]
    overall: dict[str, Any] | None = Field(
        default=None,
        description="The campaign as one figure, when the report lists the campaign's scope "
        "units (no level or parent asked for) and there are several: every indicator over "
        "all their responses, like a unit's (`unit` is the campaign code, `kind` is "
        "`campaign`; no rank), with `change` when compared. Absent otherwise. Under "
        "`aggregate=weighted` every figure is post-stratified by the scope units' dossier "
        "counts and carries `deff` and `n_effective`; `aggregate` is `weighted` and "
        "`weighting` gives each scope unit's dossiers, n and weight, the units left out "
        "(no answers) and the SIPAS design effect.",
    )
    median: Medians = Field(
        description="Median of each indicator over the unflagged units of `league` with enough "
        "answers for it (methods.median)."
    )
    median_n: MedianCounts = Field(description="Units behind each median.")
    league: str | None = Field(
        description="The league the top-level median, top and bottom describe (the one with "
        "the most listed units)."
    )
    top: list[str] = Field(description="Best units by SIPAS (default 5, plus ties at the cut-off).")
    bottom: list[str] = Field(description="Worst units by SIPAS, worst first.")
    leagues: dict[str, League] = Field(
        description="Per league (unit kind, or `mixed`): its median, top and bottom."
    )
    reliability: dict[str, dict[str, float | list[float] | int | None]] = Field(
        description="Cronbach's alpha per factor: alpha, ci (Feldt), n (complete cases), items."
    )
    methods: dict[str, str] = Field(
        description="How every figure is computed, one text per rule, in English (`lang=vi`: "
        "in Vietnamese)."
    )
    methods_vi: dict[str, str] | None = Field(
        default=None, description="The same texts in Vietnamese, with the same keys."
    )
    comparison: dict[str, Any] | None = Field(
        default=None,
        description="Compared with a campaign on another questionnaire (`compare=`, through "
        "questionnaires/mappings/): `campaign`, its `questionnaire` and `version`, the "
        "`mapping` file, a `statement` and the mapping's general `note` ({vi, en}), "
        "`comparable` (indicator, counterpart, match, note) and `not_comparable` (groups of "
        "indicators with the reason, {vi, en}). Absent for a comparison on one questionnaire; "
        "without a mapping the comparison is refused (422).",
    )


class MovedUnit(BaseModel):
    unit: str
    name: str | None
    sipas: list[float | None] = Field(description="[previous edition, this edition].")
    rank: list[int | None] = Field(description="[previous edition, this edition].")


class EditionOut(BaseModel):
    number: int = Field(description="1 for the first publication, N+1 for each correction.")
    published_at: str = Field(description="When it was published (ISO 8601).")
    published_by: str | None = Field(
        default=None, description="The account that published it (signed-in readers only)."
    )
    interim: bool = Field(description="Preliminary results (kết quả sơ bộ) of an open campaign.")
    note: str | None = Field(description="What changed since the previous edition.")
    moved: list[MovedUnit] = Field(
        description="Units whose SIPAS (at the published precision) or rank moved since the "
        "previous edition."
    )
    responses: int = Field(description="Counted responses when it was published.")
    excluded: int = Field(description="Excluded responses when it was published.")
    hidden: bool = Field(
        default=False, description="Withdrawn from the public (signed-in readers only)."
    )
    hidden_reason: str | None = None


class EditionsOut(BaseModel):
    campaign: str
    published: bool = Field(description="Whether the public sees the campaign's results.")
    editions: list[EditionOut]
