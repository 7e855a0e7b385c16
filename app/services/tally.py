"""Folding submissions into per-unit counts (the `tally` table), and reading them back.

One function, :func:`count_answers`, turns answers into counts. The fold uses it
to keep the tallies current; filtered reports use it directly on the matching
rows. Both paths therefore count in exactly the same way.
"""

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.catalog import Questionnaire
from app.models import Campaign, Submission, Tally, UnitAncestor

FOLD_CHUNK = 20_000


def count_answers(q: Questionnaire, answers: Mapping[str, Any], channel: str) -> Counter[str]:
    """The tally keys of one response (see `app.models.tally.Tally`)."""
    c: Counter[str] = Counter({"n": 1, f"channel={channel}": 1})
    for code, value in answers.items():
        question = q.questions.get(code)
        if question is None:
            continue
        if question.kind == "multi":
            c[f"{code}#"] += 1
            for option in value:
                c[f"{code}={option}"] += 1
        elif question.kind == "text":
            c[f"{code}#"] += 1
        else:
            c[f"{code}={value}"] += 1
    valid = q.scale_values
    for factor in q.factors:
        # Cronbach's alpha uses complete cases: every item of the factor on the scale.
        xs = [answers.get(i) for i in factor.items]
        if all(x in valid for x in xs):
            c[f"a:{factor.code}:n"] += 1
            for i, (code_i, x) in enumerate(zip(factor.items, xs, strict=True)):
                c[f"a:{factor.code}:s:{code_i}"] += x  # type: ignore[operator]
                for code_j, y in zip(factor.items[i:], xs[i:], strict=True):
                    c[f"a:{factor.code}:x:{code_i}:{code_j}"] += x * y  # type: ignore[operator]
    return c


def _upsert(session: Session, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    conn = session.connection()
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(Tally)
    stmt = stmt.on_conflict_do_update(
        index_elements=["campaign_id", "unit_id", "key"], set_={"n": Tally.n + stmt.excluded.n}
    )
    # Sorted, so concurrent folds lock tally rows in the same order and cannot deadlock.
    rows.sort(key=lambda r: (r["campaign_id"], r["unit_id"], r["key"]))
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, rows[i : i + 5000])


def fold(
    session: Session, questionnaires: Mapping[int, Questionnaire], campaign_id: int | None = None
) -> int:
    """Count untallied submissions into `tally`; returns how many were folded.

    Rows are claimed by flipping `tallied` in the same transaction that adds their
    counts, so each row is counted exactly once even when two folds run at once
    (PostgreSQL: SKIP LOCKED lets them take disjoint rows; SQLite: one writer at a
    time). A row committed while a fold runs is simply picked up by the next one.
    `questionnaires` maps campaign id to its questionnaire.
    """
    conn = session.connection()
    total = 0
    while True:
        pick = select(Submission.id).where(Submission.tallied.is_(False))
        if campaign_id is not None:
            pick = pick.where(Submission.campaign_id == campaign_id)
        pick = pick.limit(FOLD_CHUNK)
        if conn.dialect.name == "postgresql":
            pick = pick.with_for_update(skip_locked=True)
        claimed = conn.execute(
            update(Submission)
            .where(Submission.id.in_(pick.scalar_subquery()))
            .values(tallied=True)
            .returning(
                Submission.campaign_id, Submission.unit_id, Submission.channel, Submission.answers
            )
        ).all()
        if not claimed:
            return total
        sums: dict[tuple[int, int], Counter[str]] = {}
        for cid, unit_id, channel, answers in claimed:
            q = questionnaires[cid]
            sums.setdefault((cid, unit_id), Counter()).update(count_answers(q, answers, channel))
        _upsert(
            session,
            [
                {"campaign_id": cid, "unit_id": uid, "key": k, "n": n}
                for (cid, uid), counts in sums.items()
                for k, n in counts.items()
            ],
        )
        for cid in sorted({row[0] for row in claimed}):
            conn.execute(
                update(Campaign).where(Campaign.id == cid).values(tally_token=uuid.uuid4().hex)
            )
        total += len(claimed)
        if len(claimed) < FOLD_CHUNK:
            return total


def fold_campaign(session: Session, campaign: Campaign, q: Questionnaire) -> int:
    return fold(session, {campaign.id: q}, campaign.id)


def counts_for(
    session: Session, campaign_id: int, unit_ids: Iterable[int]
) -> dict[int, Counter[str]]:
    """Counts of each unit in `unit_ids` over its whole subtree, from the tallies."""
    ids = list(unit_ids)
    out: dict[int, Counter[str]] = {uid: Counter() for uid in ids}
    if not ids:
        return out
    stmt = (
        select(UnitAncestor.ancestor_id, Tally.key, func.sum(Tally.n))
        .join(UnitAncestor, UnitAncestor.unit_id == Tally.unit_id)
        .where(Tally.campaign_id == campaign_id, UnitAncestor.ancestor_id.in_(ids))
        .group_by(UnitAncestor.ancestor_id, Tally.key)
    )
    for uid, key, n in session.execute(stmt):
        out[uid][key] = int(n)
    return out
