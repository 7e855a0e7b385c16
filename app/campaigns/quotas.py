"""Sample targets and quotas: counting responses towards them, exactly, as they arrive.

`campaign_unit.collected` (per scope unit) and `stratum_count` (per scope unit and
stratum) are raised in the transaction that inserts the responses, by UPDATE …
RETURNING: the row lock makes concurrent inserts queue on the same counter, so each
sees the count including every response committed before it. Under the campaign's
`stop` policy a response that would take a unit past its target is refused and its
insert undone in the same transaction, so the count never overshoots; under
`accept` it is stored and marked `over_quota`. Stratum quotas (a share of each
unit's target for, say, gender=female) only ever mark: refusing a respondent for
their age band after three minutes of answers would be rude and would bias nothing
in our favour.
"""

import math
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, exists, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign, CampaignQuota, CampaignUnit, QuotaPolicy, StratumCount
from app.collection.models import Submission
from app.core.statements import Prepared
from app.counts.models import FoldQueue, UnitAncestor


@dataclass(frozen=True)
class Arrival:
    """A response just inserted, as far as quotas care."""

    id: uuid.UUID
    campaign_id: int
    unit_id: int
    answers: dict[str, Any]


def _scopes(session: Session, campaign_id: int, unit_ids: set[int]) -> dict[int, list[int]]:
    """For each unit, the campaign's scope units that cover it."""
    rows = session.execute(
        select(UnitAncestor.unit_id, CampaignUnit.unit_id)
        .join(CampaignUnit, CampaignUnit.unit_id == UnitAncestor.ancestor_id)
        .where(CampaignUnit.campaign_id == campaign_id, UnitAncestor.unit_id.in_(unit_ids))
    ).all()
    out: dict[int, list[int]] = defaultdict(list)
    for unit_id, scope_id in rows:
        out[unit_id].append(scope_id)
    return out


def _bump_strata(
    session: Session, campaign_id: int, counts: dict[tuple[int, str], int]
) -> dict[tuple[int, str], int]:
    """Add to the stratum counts; returns each (scope unit, stratum) count afterwards."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    after: dict[tuple[int, str], int] = {}
    for (scope_id, stratum), k in sorted(counts.items()):
        stmt = insert(StratumCount).values(
            campaign_id=campaign_id, unit_id=scope_id, stratum=stratum, n=k
        )
        upsert = stmt.on_conflict_do_update(
            index_elements=["campaign_id", "unit_id", "stratum"],
            set_={"n": StratumCount.n + stmt.excluded.n},
        ).returning(StratumCount.n)
        after[(scope_id, stratum)] = session.execute(upsert).scalar_one()
    return after


def _strata(quotas: Sequence[CampaignQuota], answers: dict[str, Any]) -> list[str]:
    asked = {q.question for q in quotas}
    return [f"{q}={answers[q]}" for q in sorted(asked) if isinstance(answers.get(q), str)]


# Built once (the hot path of every response runs them): the scope units covering
# some units, their counters locked in unit order (so concurrent batches cannot
# deadlock) with targets, the policy and whether the campaign has stratum quotas.
# PostgreSQL hands a FOR UPDATE that waited the row as the other transaction left it.
_COUNTERS = (
    select(
        CampaignUnit.unit_id,
        UnitAncestor.unit_id,
        CampaignUnit.collected,
        CampaignUnit.target,
        Campaign.quota_policy,
        exists().where(CampaignQuota.campaign_id == Campaign.id),
    )
    .join(UnitAncestor, UnitAncestor.ancestor_id == CampaignUnit.unit_id)
    .join(Campaign, Campaign.id == CampaignUnit.campaign_id)
    .where(
        CampaignUnit.campaign_id == bindparam("c"),
        UnitAncestor.unit_id.in_(bindparam("units", expanding=True)),
    )
    .order_by(CampaignUnit.unit_id)
    .with_for_update(of=CampaignUnit)
)
_COUNTER_TABLE = cast(Table, CampaignUnit.__table__)
# Core executemany: one round trip (pipelined by psycopg) for any number of units.
_SET_COLLECTED = (
    _COUNTER_TABLE.update()
    .where(
        _COUNTER_TABLE.c.campaign_id == bindparam("c"),
        _COUNTER_TABLE.c.unit_id == bindparam("u"),
    )
    .values(collected=bindparam("n"))
)


# One response: add it to every counter covering its unit and read them back. The
# row locks it takes are held to commit, so concurrent responses to the same unit
# queue here and each sees the count with all earlier ones; a response that went
# past a `stop` target is taken back out by the caller before commit.
_BUMP_ONE = Prepared(
    _COUNTER_TABLE.update()
    .where(
        _COUNTER_TABLE.c.campaign_id == bindparam("c"),
        _COUNTER_TABLE.c.unit_id.in_(
            select(UnitAncestor.ancestor_id).where(UnitAncestor.unit_id == bindparam("u"))
        ),
    )
    .values(collected=_COUNTER_TABLE.c.collected + 1)
    .returning(
        _COUNTER_TABLE.c.unit_id,
        _COUNTER_TABLE.c.collected,
        _COUNTER_TABLE.c.target,
        select(Campaign.quota_policy)
        .where(Campaign.id == _COUNTER_TABLE.c.campaign_id)
        .scalar_subquery(),
        exists().where(CampaignQuota.campaign_id == _COUNTER_TABLE.c.campaign_id),
    )
)


def admit(session: Session, arrivals: Sequence[Arrival], enforce: bool = True) -> set[uuid.UUID]:
    """Count just-inserted responses towards their targets; returns the ids refused.

    Refused responses (only under a `stop` policy and with `enforce`) are deleted
    again before this returns; the caller reports them. Arrivals are taken in order,
    so in a kiosk's batch the earliest responses get the last places.
    """
    if len(arrivals) == 1:
        return _admit_one(session, arrivals[0], enforce)
    refused: set[uuid.UUID] = set()
    by_campaign: dict[int, list[Arrival]] = defaultdict(list)
    for a in arrivals:
        by_campaign[a.campaign_id].append(a)
    for campaign_id in sorted(by_campaign):
        refused |= _admit_campaign(session, campaign_id, by_campaign[campaign_id], enforce)
    return refused


def _admit_campaign(
    session: Session, campaign_id: int, arrivals: list[Arrival], enforce: bool
) -> set[uuid.UUID]:
    # Two statements: read and lock the counters (_COUNTERS), write them (_SET_COLLECTED).
    rows = session.execute(
        _COUNTERS, {"c": campaign_id, "units": sorted({a.unit_id for a in arrivals})}
    ).all()
    if not rows:
        return set()
    scopes: dict[int, list[int]] = defaultdict(list)
    before: dict[int, int] = {}
    targets: dict[int, int | None] = {}
    for scope_id, unit_id, collected, target, _, _ in rows:
        scopes[unit_id].append(scope_id)
        before[scope_id], targets[scope_id] = collected, target
    policy, has_quotas = rows[0][4], rows[0][5]
    stop = enforce and policy == QuotaPolicy.stop
    members: dict[int, list[Arrival]] = defaultdict(list)
    for a in arrivals:
        for scope_id in scopes.get(a.unit_id, []):
            members[scope_id].append(a)
    over: set[uuid.UUID] = set()
    refused: set[uuid.UUID] = set()
    for scope_id, group in members.items():
        target = targets[scope_id]
        if target is not None:
            room = max(0, target - before[scope_id])
            for a in group[room:]:
                (refused if stop else over).add(a.id)
    session.connection().execute(
        _SET_COLLECTED,
        [
            {
                "c": campaign_id,
                "u": scope_id,
                "n": before[scope_id] + sum(a.id not in refused for a in group),
            }
            for scope_id, group in sorted(members.items())
        ],
    )
    return _finish(session, campaign_id, arrivals, scopes, targets, refused, over, has_quotas)


def _finish(
    session: Session,
    campaign_id: int,
    arrivals: Sequence[Arrival],
    scopes: Mapping[int, list[int]],
    targets: Mapping[int, int | None],
    refused: set[uuid.UUID],
    over: set[uuid.UUID],
    has_quotas: bool,
) -> set[uuid.UUID]:
    """Undo the refused inserts, count strata, mark over-quota responses."""
    if refused:
        # The insert trigger queued them for the fold already (migration 0011): a
        # queue row left behind would keep the campaign "waiting for a fold" forever.
        session.execute(delete(FoldQueue).where(FoldQueue.submission_id.in_(refused)))
        session.execute(delete(Submission).where(Submission.id.in_(refused)))
    quotas = (
        list(session.scalars(select(CampaignQuota).where(CampaignQuota.campaign_id == campaign_id)))
        if has_quotas
        else []
    )
    if quotas:
        share = {f"{q.question}={q.option}": q.share for q in quotas}
        counts: dict[tuple[int, str], int] = defaultdict(int)
        kept = [a for a in arrivals if a.id not in refused]
        for a in kept:
            for stratum in _strata(quotas, a.answers):
                for scope_id in scopes.get(a.unit_id, []):
                    counts[(scope_id, stratum)] += 1
        after = _bump_strata(session, campaign_id, counts)
        seen: dict[tuple[int, str], int] = defaultdict(int)
        for a in kept:
            for stratum in _strata(quotas, a.answers):
                for scope_id in scopes.get(a.unit_id, []):
                    key = (scope_id, stratum)
                    seen[key] += 1
                    target = targets.get(scope_id)
                    if stratum not in share or target is None:
                        continue
                    position = after[key] - counts[key] + seen[key]
                    if position > stratum_target(share[stratum], target):
                        over.add(a.id)
    over -= refused
    if over:
        session.execute(update(Submission).where(Submission.id.in_(over)).values(over_quota=True))
    return refused


def _admit_one(session: Session, a: Arrival, enforce: bool) -> set[uuid.UUID]:
    """One response (a kiosk or phone posting): one round trip when nothing is full."""
    conn = session.connection()
    rows = _BUMP_ONE.rows(conn, {"c": a.campaign_id, "u": a.unit_id})
    if not rows:
        return set()
    policy, has_quotas = rows[0][3], rows[0][4]
    targets = {scope_id: target for scope_id, _, target, _, _ in rows}
    full = any(t is not None and n > t for _, n, t, _, _ in rows)
    refused: set[uuid.UUID] = set()
    over: set[uuid.UUID] = set()
    if full and enforce and policy == QuotaPolicy.stop:
        refused.add(a.id)
        conn.execute(
            _SET_COLLECTED,
            [{"c": a.campaign_id, "u": scope_id, "n": n - 1} for scope_id, n, _, _, _ in rows],
        )
    elif full:
        over.add(a.id)
    scopes = {a.unit_id: [scope_id for scope_id, *_ in rows]}
    return _finish(session, a.campaign_id, [a], scopes, targets, refused, over, has_quotas)


def stratum_target(share: float, unit_target: int) -> int:
    """A stratum's places in a unit: its share of the unit's target, rounded up."""
    return math.ceil(unit_target * share / 100 - 1e-9)


def withdraw(session: Session, submission: Submission, sign: int) -> None:
    """Take an excluded response out of the counts (sign -1) or put it back (+1)."""
    scopes = _scopes(session, submission.campaign_id, {submission.unit_id}).get(
        submission.unit_id, []
    )
    for scope_id in sorted(scopes):
        session.execute(
            update(CampaignUnit)
            .where(
                CampaignUnit.campaign_id == submission.campaign_id,
                CampaignUnit.unit_id == scope_id,
            )
            .values(collected=CampaignUnit.collected + sign)
        )
    quotas = list(
        session.scalars(
            select(CampaignQuota).where(CampaignQuota.campaign_id == submission.campaign_id)
        )
    )
    strata = _strata(quotas, submission.answers)
    if strata:
        _bump_strata(
            session,
            submission.campaign_id,
            {(scope_id, s): sign for scope_id in scopes for s in strata},
        )


def recount(session: Session, campaign_id: int) -> None:
    """Set the counts from the stored responses (after a bulk load or a scope change)."""
    # One pass counting per unit, summed over each scope's subtree here. A count
    # per scope joined to the unit tree lets the planner choose a nested loop
    # over every response once per unit when the table has no statistics yet,
    # as right after a bulk load in the same transaction (10⁷ rows: many minutes).
    per_unit = dict(
        session.execute(
            select(Submission.unit_id, func.count())
            .where(Submission.campaign_id == campaign_id, Submission.excluded_at.is_(None))
            .group_by(Submission.unit_id)
        )
        .tuples()
        .all()
    )
    scope_rows = session.execute(
        select(UnitAncestor.unit_id, CampaignUnit.unit_id)
        .join(CampaignUnit, CampaignUnit.unit_id == UnitAncestor.ancestor_id)
        .where(CampaignUnit.campaign_id == campaign_id)
    ).all()
    collected: dict[int, int] = defaultdict(int)
    scopes: dict[int, list[int]] = defaultdict(list)
    for unit_id, scope_id in scope_rows:
        collected[scope_id] += per_unit.get(unit_id, 0)
        scopes[unit_id].append(scope_id)
    if scope_rows:  # each scope is its own ancestor, so every one is in `collected`
        session.execute(
            update(CampaignUnit),
            [
                {"campaign_id": campaign_id, "unit_id": u, "collected": collected[u]}
                for u in sorted(collected)
            ],
        )
    session.execute(delete(StratumCount).where(StratumCount.campaign_id == campaign_id))
    quotas = list(
        session.scalars(select(CampaignQuota).where(CampaignQuota.campaign_id == campaign_id))
    )
    if not quotas:
        session.flush()
        return
    counts: dict[tuple[int, str], int] = defaultdict(int)
    for unit_id, answers in session.execute(
        select(Submission.unit_id, Submission.answers).where(
            Submission.campaign_id == campaign_id, Submission.excluded_at.is_(None)
        )
    ):
        for stratum in _strata(quotas, answers):
            for scope_id in scopes.get(unit_id, []):
                counts[(scope_id, stratum)] += 1
    _bump_strata(session, campaign_id, counts)
    session.flush()
