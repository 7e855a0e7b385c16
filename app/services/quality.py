"""Data-quality flags, set once when a response arrives.

Flags never reject a response: a coordinator reviews them and may exclude the
response (issue 6). They are stored on the row, so the rule that set them is the
rule of the day it arrived.
"""

from datetime import datetime
from typing import Any

from app.catalog import Questionnaire

SPEEDING = "speeding"
STRAIGHT_LINING = "straight_lining"


def flags(
    q: Questionnaire,
    answers: dict[str, Any],
    started_at: datetime | None,
    submitted_at: datetime,
    min_seconds: int,
) -> list[str]:
    """`speeding`: finished in under `min_seconds` (22 criteria cannot be read that
    fast); `straight_lining`: every criterion answered, all with the same value."""
    found = []
    if started_at is not None and (submitted_at - started_at).total_seconds() < min_seconds:
        found.append(SPEEDING)
    criteria = [answers.get(code) for code in q.criteria]
    if len(criteria) > 1 and None not in criteria and len(set(criteria)) == 1:
        found.append(STRAIGHT_LINING)
    return found
