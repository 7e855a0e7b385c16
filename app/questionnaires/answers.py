"""Checking a set of answers against a questionnaire version.

Used by every input path (JSON API, batch, paper CSV), so a response is judged by
the same rules however it arrives. Returns every problem, never just the first.
"""

from typing import Any

from app.core.errors import FieldError
from app.questionnaires.catalog import Question, Questionnaire

Problem = tuple[str, str]  # (message, code)


def _scale_error(q: Questionnaire, value: Any) -> Problem | None:
    if isinstance(value, bool) or not isinstance(value, int) or value not in q.scale_answers:
        lo, hi = min(q.scale_values), max(q.scale_values)
        return (
            f"{value!r} is not on the scale: an integer {lo}–{hi}, "
            f"or {q.not_applicable} for not applicable",
            "value",
        )
    return None


def _multi_error(question: Question, value: Any) -> Problem | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return "expected a list of option codes", "value"
    bad = [v for v in value if v not in question.option_codes]
    if bad:
        options = ", ".join(question.option_codes)
        return f"{', '.join(map(repr, bad))} not an option; one of {options}", "value"
    if len(set(value)) != len(value):
        return "an option is chosen twice", "value"
    # Limits get their own codes, so a page can say "choose at most 3" in any language.
    if question.max_choices is not None and len(value) > question.max_choices:
        return f"{len(value)} options chosen; at most {question.max_choices} allowed", "too_many"
    if question.min_choices and len(value) < question.min_choices:
        return f"choose at least {question.min_choices}", "too_few"
    return None


def _value_error(q: Questionnaire, question: Question, value: Any) -> Problem | None:
    if question.kind == "scale":
        return _scale_error(q, value)
    if question.kind == "single":
        if not isinstance(value, str) or value not in question.option_codes:
            return f"{value!r} is not an option; one of {', '.join(question.option_codes)}", "value"
        return None
    if question.kind == "multi":
        return _multi_error(question, value)
    if not isinstance(value, str):
        return "expected text", "value"
    if question.max_length is not None and len(value) > question.max_length:
        return f"{len(value)} characters; at most {question.max_length}", "too_long"
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
                FieldError(
                    f"{prefix}{code}",
                    f"unknown question {code!r} in {q.slug} v{q.version}",
                    "unknown",
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
                    FieldError(
                        f"{prefix}{code}", f"must not be answered unless {cond}", "not_asked"
                    )
                )
                continue
            if (problem := _value_error(q, question, answers[code])) is not None:
                problems.append(FieldError(f"{prefix}{code}", *problem))
        elif visible and question.required:
            problems.append(FieldError(f"{prefix}{code}", "an answer is required", "required"))
    return problems
