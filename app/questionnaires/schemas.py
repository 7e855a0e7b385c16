"""The JSON shapes of the questionnaire routes (design.md's questionnaire contract),
so that the OpenAPI document describes the 200 bodies and a contract test can check them.

`Text` is a mapping language → wording (`{"vi": …, "en": …}`), one entry per
language of the questionnaire.
"""

from typing import Literal

from pydantic import BaseModel, Field

from app.questionnaires.catalog import EndsForm, NamedScale, Option, ScaleOption, Scoring, Text


class QuestionnaireSummary(BaseModel):
    """One installed questionnaire version in the list."""

    slug: str = Field(description="Questionnaire family, e.g. `sipas-2017`.")
    version: int = Field(ge=1, description="Version; a released version never changes.")
    title: Text
    basis: str | None = Field(description="The legal or methodological basis, if any.")
    languages: list[str] = Field(description="Languages of every text, e.g. `vi`, `en`.")
    url: str = Field(description="Where the full questionnaire is.")


class ScaleOut(BaseModel):
    options: list[ScaleOption] = Field(description="The answer scale, lowest first.")
    not_applicable: ScaleOption = Field(
        description="'Not applicable / don't know': accepted, left out of the indices."
    )


class ItemOut(BaseModel):
    """A criterion (answered on the scale)."""

    code: str
    text: Text
    required: bool


class FactorOut(BaseModel):
    code: str
    title: Text
    overall_item: str | None = Field(description="The factor's own overall item, if any.")
    items: list[ItemOut]


class QuestionOut(BaseModel):
    """A question other than a criterion."""

    code: str
    kind: Literal["scale", "single", "multi", "text"]
    text: Text
    required: bool
    options: list[Option] = Field(description="Choices of `single` and `multi`; else empty.")
    show_if: dict[str, list[str]] | None = Field(
        description="Asked only when each named question's answer is one of the listed "
        "option codes; null: always asked."
    )
    min_choices: int | None = Field(default=None, description="`multi` only.")
    max_choices: int | None = Field(default=None, description="`multi` only.")
    max_length: int | None = Field(default=None, description="`text` only: most characters.")
    scale: str | None = Field(
        default=None, description="`scale` only: its scale in `scales`; null: the main `scale`."
    )
    ends_form: EndsForm | None = Field(
        default=None,
        description="`single` only: answers that end the form (an ineligible respondent), "
        "and the text shown; nothing is sent.",
    )


class SectionOut(BaseModel):
    """A part of the questionnaire as respondents see it, in order."""

    code: str
    title: Text
    factor: bool = Field(description="Whether the section is a factor of the index.")
    questions: list[str] = Field(description="Codes of its questions, in order.")


class QuestionnaireOut(BaseModel):
    """One questionnaire version, in every language it has."""

    slug: str
    version: int
    basis: str | None
    languages: list[str]
    title: Text
    intro: Text
    scale: ScaleOut
    scales: dict[str, NamedScale] = Field(
        default_factory=dict, description="Other rating scales (3-, 4-level), by name."
    )
    scoring: Scoring = Field(description="How the indices are computed from the answers.")
    factors: list[FactorOut]
    questions: list[QuestionOut]
    sections: list[SectionOut]
