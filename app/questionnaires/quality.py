"""Data-quality flags, set once when a response arrives.

Flags never reject a response: a coordinator reviews them and may exclude the
response (issue 6). They are stored on the row, so the rule that set them is the
rule of the day it arrived.
"""

import hashlib
import hmac
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from app.collection.models import Submission
from app.core.config import get_settings
from app.questionnaires.catalog import Questionnaire

SPEEDING = "speeding"
STRAIGHT_LINING = "straight_lining"
BURST = "burst"
REPEATED_DOSSIER = "repeated_dossier"
REPLAY_BURST = "replay_burst"
INTERVIEWER_BURST = "interviewer_burst"
ALL = (SPEEDING, STRAIGHT_LINING, BURST, REPEATED_DOSSIER, REPLAY_BURST, INTERVIEWER_BURST)


def dossier_hash(code: str) -> str:
    """HMAC-SHA-256 of the dossier code under SECRET_KEY (design.md: never stored plain).

    Keyed, because dossier codes follow a short pattern that a plain hash would not
    hide from anyone who can read the table.
    """
    normal = "".join(code.split()).upper()
    key = get_settings().SECRET_KEY.encode()
    return hmac.new(key, normal.encode(), hashlib.sha256).hexdigest()


def add_flag(row: dict[str, Any], flag: str) -> None:
    """Add `flag` to a row about to be stored (once)."""
    if flag not in row["quality_flags"]:
        row["quality_flags"] = [*row["quality_flags"], flag]


_add = add_flag


# Built once (compiled from the cache on every kiosk submission): the device's other
# responses finished near these.
_NEIGHBOURS = select(Submission.submitted_at).where(
    Submission.device_id == bindparam("d"),
    Submission.submitted_at > bindparam("lo"),
    Submission.submitted_at < bindparam("hi"),
    Submission.id.not_in(bindparam("ids", expanding=True)),
)


def add_context_flags(session: Session, row: dict[str, Any], burst_seconds: int) -> None:
    """Flags that depend on what is already stored: `burst` (the same kiosk device sent
    another response within `burst_seconds`, faster than anyone fills the form) and
    `repeated_dossier` (the campaign already holds a response about this dossier)."""
    add_batch_flags(session, [row], burst_seconds)


_INTERVIEWER_NEIGHBOURS = select(Submission.submitted_at).where(
    Submission.interviewer_id == bindparam("i"),
    Submission.submitted_at > bindparam("lo"),
    Submission.submitted_at < bindparam("hi"),
    Submission.id.not_in(bindparam("ids", expanding=True)),
)


def add_interviewer_flags(
    session: Session, rows: list[dict[str, Any]], count: int, minutes: int
) -> None:
    """`interviewer_burst`: the interviewer finished at least `count` forms (this one
    included) within `minutes` of this one, stored or in the same batch.

    A household interview takes a quarter of an hour or more; four forms in ten
    minutes are forms filled without the households, or one household's answers
    copied. The flag only asks a coordinator to look; it rejects nothing.
    """
    if not count:
        return
    window = timedelta(minutes=minutes)
    by_interviewer: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("interviewer_id") is not None:
            by_interviewer[row["interviewer_id"]].append(row)
    for interviewer_id, group in by_interviewer.items():
        params = {
            "i": interviewer_id,
            "lo": min(r["submitted_at"] for r in group) - window,
            "hi": max(r["submitted_at"] for r in group) + window,
            "ids": [r["id"] for r in group],
        }
        times = list(session.connection().execute(_INTERVIEWER_NEIGHBOURS, params).scalars())
        times += [r["submitted_at"] for r in group]
        for row in group:
            at = row["submitted_at"]
            if sum(1 for t in times if abs(t - at) < window) >= count:
                _add(row, INTERVIEWER_BURST)


def add_batch_flags(session: Session, rows: list[dict[str, Any]], burst_seconds: int) -> None:
    """:func:`add_context_flags` for many rows, comparing them with each other too."""
    settings = get_settings()
    add_interviewer_flags(
        session, rows, settings.INTERVIEWER_BURST_COUNT, settings.INTERVIEWER_BURST_MINUTES
    )
    window = timedelta(seconds=burst_seconds)
    by_device: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row.get("device_id") is not None:
            by_device[row["device_id"]].append(row)
    for device_id, group in by_device.items():
        if not burst_seconds:
            break
        group.sort(key=lambda r: r["submitted_at"])
        earliest, latest = group[0]["submitted_at"] - window, group[-1]["submitted_at"] + window
        params = {
            "d": device_id,
            "lo": earliest,
            "hi": latest,
            "ids": [r["id"] for r in group],
        }
        times = sorted(session.connection().execute(_NEIGHBOURS, params).scalars())
        for i, row in enumerate(group):
            at = row["submitted_at"]
            close_stored = any(abs(t - at) < window for t in times)
            close_batch = i > 0 and at - group[i - 1]["submitted_at"] < window
            if close_stored or close_batch:
                _add(row, BURST)
    hashed = [r for r in rows if r.get("dossier_hash")]
    if not hashed:
        return
    seen = {
        (cid, h)
        for cid, h in session.execute(
            select(Submission.campaign_id, Submission.dossier_hash).where(
                Submission.dossier_hash.in_({r["dossier_hash"] for r in hashed}),
                Submission.id.not_in([r["id"] for r in hashed]),
            )
        )
    }
    for row in hashed:
        key = (row["campaign_id"], row["dossier_hash"])
        if key in seen:
            _add(row, REPEATED_DOSSIER)
        seen.add(key)


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


def add_replay_flags(
    session: Session,
    rows: list[dict[str, Any]],
    queued_before: datetime,
    now: datetime,
    threshold: int,
    minutes: int,
) -> None:
    """`replay_burst`: more than `threshold` queued responses (finished before
    `queued_before`) from one source arrived within `minutes`.

    A source is an enrolled kiosk device or, for responses without one, a counter:
    IP addresses are never stored (design.md), and a stranger replaying stockpiled
    form tokens for a counter shows up as that counter's device-less replays. A
    tablet offline for a morning sends a few dozen; hundreds within minutes deserve a
    coordinator's look. Write-key pushes are the integration's normal traffic and
    have their own limit, so they are not counted here.
    """
    since = now - timedelta(minutes=minutes)
    sources: dict[tuple[str, int], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        if row["submitted_at"] >= queued_before or row.get("api_key_id") is not None:
            continue
        if row.get("interviewer_id") is not None:
            continue  # a signed-in interviewer's queue: `interviewer_burst` is theirs
        if row.get("device_id") is not None:
            sources[("device", row["device_id"])].append(row)
        else:
            sources[("counter", row["counter_id"])].append(row)
    for (kind, source_id), group in sources.items():
        who = (
            Submission.device_id == source_id
            if kind == "device"
            else (Submission.counter_id == source_id) & Submission.device_id.is_(None)
        )
        stored = session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(
                who,
                Submission.api_key_id.is_(None),
                Submission.received_at > since,
                # Certainly queued when it arrived (received after `since`, finished
                # more than the live window before that); a portable comparison
                # with a constant rather than date arithmetic between columns.
                Submission.submitted_at < since - (now - queued_before),
                Submission.id.not_in([r["id"] for r in group]),
            )
        )
        if (stored or 0) + len(group) > threshold:
            for row in group:
                _add(row, REPLAY_BURST)
