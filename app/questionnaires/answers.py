"""Checking a set of answers against a questionnaire version.

Used by every input path (JSON API, batch, paper CSV), so a response is judged by
the same rules however it arrives. Returns every problem, never just the first.
"""

from typing import Any

from app.core.errors import FieldError
from app.questionnaires.catalog import Question, Questionnaire

# (message key, code, parameters): the caller adds where it is.
Problem = tuple[str, str, dict[str, Any]]


def _scale_error(q: Questionnaire, code: str, value: Any) -> Problem | None:
    """A scale answer is one of its own scale's values or its not-applicable code."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in q.answers_of(code):
        options, na, _ = q.scale_of(code)
        lo, hi = min(o.code for o in options), max(o.code for o in options)
        if na is None:
            return ("answer_not_on_scale_no_na", "value", {"value": value, "lo": lo, "hi": hi})
        return ("answer_not_on_scale", "value", {"value": value, "lo": lo, "hi": hi, "na": na.code})
    return None


def _multi_error(question: Question, value: Any) -> Problem | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "answer_not_list", "value", {}
    bad = [v for v in value if v not in question.option_codes]
    if bad:
        options = ", ".join(question.option_codes)
        return "answer_not_options", "value", {"bad": ", ".join(map(repr, bad)), "options": options}
    if len(set(value)) != len(value):
        return "answer_twice", "value", {}
    # Limits get their own codes, so a page can say "choose at most 3" in any language.
    if question.max_choices is not None and len(value) > question.max_choices:
        return "answer_too_many", "too_many", {"n": len(value), "most": question.max_choices}
    if question.min_choices and len(value) < question.min_choices:
        return "answer_too_few", "too_few", {"least": question.min_choices}
    return None


def _value_error(q: Questionnaire, question: Question, value: Any) -> Problem | None:
    if question.kind == "scale":
        return _scale_error(q, question.code, value)
    if question.kind == "single":
        if not isinstance(value, str) or value not in question.option_codes:
            options = ", ".join(question.option_codes)
            return "answer_not_option", "value", {"value": value, "options": options}
        return None
    if question.kind == "multi":
        return _multi_error(question, value)
    if not isinstance(value, str):
        return "answer_not_text", "value", {}
    if question.max_length is not None and len(value) > question.max_length:
        return "answer_too_long", "too_long", {"n": len(value), "most": question.max_length}
    return None


def clean(answers: dict[str, Any]) -> dict[str, Any]:
    """Drop unanswered entries (null, empty text or empty list) before checking."""
    return {k: v for k, v in answers.items() if v is not None and v != "" and v != []}


def check_answers(
    q: Questionnaire, answers: dict[str, Any], prefix: str = "answers."
) -> list[FieldError]:
    """Every problem with `answers` (already cleaned), located as `<prefix><code>`."""
    problems: list[FieldError] = []
    for code in answers:
        if code not in q.questions:
            problems.append(
                FieldError.of(
                    f"{prefix}{code}",
                    "question_unknown",
                    "unknown",
                    code=code,
                    slug=q.slug,
                    version=q.version,
                )
            )
    for code, question in q.questions.items():
        visible = q.visible(code, answers)
        if code in answers:
            if not visible:
                cond = "; ".join(
                    f"{ref} is {' or '.join(vals)}"
                    for ref, vals in (question.show_if or {}).items()
                )
                problems.append(
                    FieldError.of(f"{prefix}{code}", "answer_not_asked", "not_asked", cond=cond)
                )
                continue
            if (problem := _value_error(q, question, answers[code])) is not None:
                key, kind, params = problem
                problems.append(FieldError.of(f"{prefix}{code}", key, kind, **params))
            elif question.ends_form is not None and answers[code] in question.ends_form.when:
                # An ineligible respondent (a minor): the form ended here, nothing is taken.
                problems.append(
                    FieldError.of(
                        f"{prefix}{code}", "answer_ends_form", "ends_form", value=answers[code]
                    )
                )
        elif visible and question.required:
            problems.append(FieldError.of(f"{prefix}{code}", "answer_required", "required"))
    return problems
