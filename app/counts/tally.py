"""Folding submissions into per-unit counts (the `tally` table), and reading them back.

One function, :func:`count_answers`, turns answers into counts. The fold uses it
to keep the tallies current; filtered reports use it directly on the matching
rows. Both paths therefore count in exactly the same way.
"""

import gc
import hashlib
import itertools
import operator
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np
import orjson
from sqlalchemy import (
    Connection,
    Engine,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.collection.models import Submission
from app.core import metrics
from app.core.clock import VIETNAM
from app.core.db import json_loads, no_statement_timeout
from app.counts import columns
from app.counts.models import FoldQueue, Tally, TallyMoments, UnitAncestor
from app.questionnaires.catalog import Questionnaire

FOLD_CHUNK = 20_000


@dataclass(frozen=True)
class RowFacts:
    """What a response says about itself beyond its answers: when, and its flags."""

    submitted_at: datetime | None = None
    flags: Sequence[str] = ()
    over_quota: bool = False


def row_keys(facts: RowFacts) -> list[str]:
    """`day=YYYY-MM-DD` (Vietnam calendar day), and `flag=<name>` per flag plus `flag=*`
    once if it has any: progress and review read these instead of scanning responses."""
    keys = []
    if facts.submitted_at is not None:
        keys.append(f"day={facts.submitted_at.astimezone(VIETNAM).date().isoformat()}")
    marks = [*facts.flags, *(["over_quota"] if facts.over_quota else [])]
    if marks:
        keys.append("flag=*")
        keys += [f"flag={m}" for m in marks]
    return keys


def answer_keys(
    q: Questionnaire, answers: Mapping[str, Any], channel: str, facts: RowFacts = RowFacts()
) -> list[str]:
    """The count keys of one response (each counts 1); see `app.counts.models.Tally`."""
    keys = ["n", f"channel={channel}", *row_keys(facts)]
    for code, value in answers.items():
        question = q.questions.get(code)
        if question is None:
            continue
        if question.kind == "multi":
            keys.append(f"{code}#")
            keys += [f"{code}={option}" for option in value]
        elif question.kind == "text":
            keys.append(f"{code}#")
        else:
            keys.append(f"{code}={value}")
    return keys


def add_moments(q: Questionnaire, answers: Mapping[str, Any], into: Counter[str]) -> None:
    """Add the moments of Cronbach's alpha (complete cases: every item on the scale)."""
    valid = q.item_values
    for factor in q.alpha_groups:
        xs = [answers.get(i) for i in factor.items]
        if not all(x in valid for x in xs):
            continue
        into[f"a:{factor.code}:n"] += 1
        items = factor.items
        for i, x in enumerate(xs):
            into[f"a:{factor.code}:s:{items[i]}"] += x  # type: ignore[operator]
            for j in range(i, len(xs)):
                into[f"a:{factor.code}:x:{items[i]}:{items[j]}"] += x * xs[j]  # type: ignore[operator]


def count_answers(
    q: Questionnaire, answers: Mapping[str, Any], channel: str, facts: RowFacts = RowFacts()
) -> Counter[str]:
    """All tally keys of one response with their amounts."""
    c: Counter[str] = Counter(answer_keys(q, answers, channel, facts))
    add_moments(q, answers, c)
    return c


def answer_moments(q: Questionnaire, answers: Mapping[str, Any]) -> np.ndarray:
    """The composite-moment vector of one response (:class:`MomentLayout`)."""
    return _chunk_pairs(q, [(0, answers)])[1][0]


# --- Moments of the composites' linearised intervals (analysis/composite.py) -----
PAIR_STATS = ("n", "t1", "t2", "tt", "x1", "x2", "xx")
# Bump when the arrangement below changes for every questionnaire (the layout tag
# includes it, so stored vectors of the old arrangement are recomputed).
LAYOUT_VERSION = 1


def composite_members(q: Questionnaire) -> list[str]:
    """The items the index tree's means read (`Questionnaire.members`): for sipas-2017
    the criteria (factor rule `criteria_mean`) or the factors' overall items."""
    return list(q.members)


@dataclass(frozen=True)
class MomentLayout:
    """Positions in a unit's moment vector (`tally_moments.data`, little-endian int64).

    For the P = k(k−1)/2 pairs (a, b) of the k :func:`composite_members` (a before b,
    in member order), sums over the respondents who answered both: how many (n), the
    first item's and the second's top-2-box indicator (t1, t2) and score (x1, x2),
    and their products (tt, xx). Both scorings are kept because a report may ask for
    either. Positions: stat s (PAIR_STATS order) of pair p at s·P + p; then, at 7·P + f,
    the respondents with a valid answer to at least one item of factor f
    (questionnaire order), and at 7·P + F the same for any member (the SIPAS's n).
    Each item's own sums come from its answer counts (`code=v` tally keys), so they
    are not repeated here. `tag` names the arrangement: the layout version, the size
    and a hash of the members and factors, so a vector stored under another
    arrangement is told apart instead of misread.
    """

    members: tuple[str, ...]
    factors: tuple[str, ...]
    tag: str

    @property
    def pairs(self) -> int:
        k = len(self.members)
        return k * (k - 1) // 2

    @property
    def size(self) -> int:
        return len(PAIR_STATS) * self.pairs + len(self.factors) + 1

    def stat(self, name: str) -> slice:
        """The P positions of one pair statistic."""
        i = PAIR_STATS.index(name)
        return slice(i * self.pairs, (i + 1) * self.pairs)

    def contributors(self, factor: str | None) -> int:
        """Position of a factor's contributors (None: the SIPAS's)."""
        at = len(self.factors) if factor is None else self.factors.index(factor)
        return len(PAIR_STATS) * self.pairs + at

    def decode(self, data: bytes) -> np.ndarray:
        v = np.frombuffer(data, dtype="<i8")
        if v.shape != (self.size,):
            raise ValueError(
                f"a moment vector of {v.size} values, layout {self.tag} has {self.size}"
            )
        return v.astype(np.int64)

    @staticmethod
    def encode(v: np.ndarray) -> bytes:
        return np.ascontiguousarray(v, dtype="<i8").tobytes()


_layouts: dict[tuple[str, int], MomentLayout] = {}


def moment_layout(q: Questionnaire) -> MomentLayout:
    """The (cached) moment layout of a questionnaire version."""
    cached = _layouts.get((q.slug, q.version))
    if cached is None:
        members = tuple(composite_members(q))
        factors = tuple(g.code for g in q.groups)
        shape = repr((PAIR_STATS, members, factors, q.model.scoring.factor))
        digest = hashlib.sha256(shape.encode()).hexdigest()[:12]
        k = len(members)
        size = len(PAIR_STATS) * (k * (k - 1) // 2) + len(factors) + 1
        cached = MomentLayout(members, factors, f"m{LAYOUT_VERSION}-{size}-{digest}")
        _layouts[(q.slug, q.version)] = cached
    return cached


PAIR_BLOCK = 4096  # responses per block: keeps the products matrix to a few megabytes


def _chunk_pairs(
    q: Questionnaire, rows: Sequence[tuple[int, Mapping[str, Any]]], x: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The composite moments (:class:`MomentLayout` positions) of a chunk of (unit,
    answers), summed per unit: (unit ids, units × layout sums), with numpy. `x`, if
    given, is the chunk's responses × members scale matrix (rows in `rows` order),
    so a caller that has it already does not build it twice."""
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, moment_layout(q).size), dtype=np.int64)
    if x is None:
        x = _scale_matrix([a for _, a in rows], composite_members(q), q.item_values)
    uniq, uidx = np.unique(np.array([u for u, _ in rows], dtype=np.int64), return_inverse=True)
    return uniq, _pair_sums(q, uidx.reshape(-1), len(uniq), x)


def _pair_sums(q: Questionnaire, uidx: np.ndarray, units: int, x: np.ndarray) -> np.ndarray:
    """Units × layout composite moments of responses × members scale matrix `x`,
    response r belonging to unit uidx[r] (every unit index below `units` has one)."""
    width = moment_layout(q).size
    members = composite_members(q)
    order = np.argsort(uidx, kind="stable")
    x = x[order]
    row_of = uidx[order]
    # int8 throughout (values 0–5, products at most 25): a quarter of the memory
    # traffic of int64; the per-unit sums are taken in int64.
    x8 = x.astype(np.int8)
    d = (x8 > 0).astype(np.int8)
    t = q.satisfied_mask(members, x8).astype(np.int8) * d
    first, second = np.triu_indices(len(members), 1)
    factor_cols = [[members.index(i) for i in g.leaves if i in members] for g in q.groups]
    pairs = len(first)
    out = np.zeros((units, width), dtype=np.int64)
    for start in range(0, len(row_of), PAIR_BLOCK):
        sl = slice(start, start + PAIR_BLOCK)
        db, tb, xb = d[sl], t[sl], x8[sl]
        seg = row_of[sl]
        starts = np.flatnonzero(np.r_[True, seg[1:] != seg[:-1]])
        at = seg[starts]
        da, dc = db[:, first], db[:, second]
        ta, tc = tb[:, first], tb[:, second]
        xa, xc = xb[:, first], xb[:, second]
        products = (da * dc, ta * dc, da * tc, ta * tc, xa * dc, da * xc, xa * xc)
        for i, m in enumerate(products):  # PAIR_STATS order
            out[at, i * pairs : (i + 1) * pairs] += np.add.reduceat(
                m, starts, axis=0, dtype=np.int64
            )
        rest = [db[:, c].any(axis=1) for c in factor_cols] + [db.any(axis=1)]
        out[at, 7 * pairs :] += np.add.reduceat(
            np.stack(rest, axis=1).astype(np.int64), starts, axis=0
        )
    return out


def _upsert(session: Session, rows: list[tuple[int, int, str, int]]) -> None:
    """Add `n` to each (campaign, unit, key, n) tally, creating missing rows."""
    if not rows:
        return
    conn = session.connection()
    # Written in (campaign, unit, key) order, so concurrent folds lock tally rows in
    # the same order and cannot deadlock (PostgreSQL sorts in the INSERT … SELECT).
    if conn.dialect.name == "postgresql":
        # executemany of an upsert is one statement per row; COPY into a temporary
        # table and one INSERT … SELECT is two orders of magnitude faster.
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:  # type: ignore[union-attr]
            cur.execute(
                "CREATE TEMP TABLE IF NOT EXISTS tally_stage "
                "(campaign_id integer, unit_id integer, key text, n bigint) ON COMMIT DELETE ROWS"
            )
            with cur.copy("COPY tally_stage (campaign_id, unit_id, key, n) FROM STDIN") as copy:
                for r in rows:
                    copy.write_row(r)
            cur.execute(
                "INSERT INTO tally (campaign_id, unit_id, key, n) "
                "SELECT campaign_id, unit_id, key, n FROM tally_stage ORDER BY campaign_id, unit_id, key "
                "ON CONFLICT (campaign_id, unit_id, key) DO UPDATE SET n = tally.n + EXCLUDED.n"
            )
            cur.execute("TRUNCATE tally_stage")
        return
    stmt = sqlite.insert(Tally)
    stmt = stmt.on_conflict_do_update(
        index_elements=["campaign_id", "unit_id", "key"], set_={"n": Tally.n + stmt.excluded.n}
    )
    rows.sort()
    names = ("campaign_id", "unit_id", "key", "n")
    for i in range(0, len(rows), 5000):
        conn.execute(stmt, [dict(zip(names, r, strict=True)) for r in rows[i : i + 5000]])


def add_counts(
    session: Session,
    q: Questionnaire,
    campaign_id: int,
    unit_id: int,
    answers: Mapping[str, Any],
    channel: str,
    facts: RowFacts,
    sign: int,
) -> None:
    """Add (sign +1) or subtract (-1) one response's counts and composite moments, as
    an exclusion (or a test) does."""
    counts = count_answers(q, answers, channel, facts)
    _upsert(
        session,
        [(campaign_id, unit_id, k, sign * n) for k, n in counts.items()],
    )
    vector = sign * answer_moments(q, answers)
    add_moment_rows(session, campaign_id, moment_layout(q), {unit_id: vector})


class LayoutMismatch(RuntimeError):
    """A stored moment vector has another layout than the questionnaire's (see
    :func:`recount_if_relaid`): it must be recomputed, not read."""


def add_moment_rows(
    session: Session, campaign_id: int, layout: MomentLayout, vectors: Mapping[int, np.ndarray]
) -> None:
    """Add each unit's vector into its `tally_moments` row, creating missing ones.

    Read-modify-write, so the rows are locked first: missing rows are inserted as
    zeros (ON CONFLICT DO NOTHING: a concurrent fold may have created one), then the
    units' rows are read `FOR UPDATE` in unit order, so two folds (or a fold and an
    exclusion) wait for each other's commit instead of losing an addition, and
    cannot deadlock (both also lock tally rows first, in key order). SQLite has one
    writer at a time, which gives the same guarantee without the lock.
    """
    if not vectors:
        return
    conn = session.connection()
    units = sorted(vectors)
    zero = layout.encode(np.zeros(layout.size, dtype=np.int64))
    if conn.dialect.name == "postgresql":
        # A unit without a row gets its vector as it is (one write of ~13 KB per
        # unit instead of zeros and then the sum); the rest are read-modify-written.
        created = conn.execute(
            text(
                "INSERT INTO tally_moments (campaign_id, unit_id, layout, data) "
                "SELECT :c, v.u, :tag, v.d "
                "FROM unnest(CAST(:u AS integer[]), CAST(:d AS bytea[])) AS v(u, d) "
                "ORDER BY v.u ON CONFLICT DO NOTHING RETURNING unit_id"
            ),
            {
                "c": campaign_id,
                "u": units,
                "tag": layout.tag,
                "d": [layout.encode(vectors[u]) for u in units],
            },
        ).scalars()
        done = set(created)
        units = [u for u in units if u not in done]
        if not units:
            return
    else:
        conn.execute(
            sqlite.insert(TallyMoments).on_conflict_do_nothing(
                index_elements=["campaign_id", "unit_id"]
            ),
            [
                {"campaign_id": campaign_id, "unit_id": u, "layout": layout.tag, "data": zero}
                for u in units
            ],
        )
    held = conn.execute(
        select(TallyMoments.unit_id, TallyMoments.layout, TallyMoments.data)
        .where(TallyMoments.campaign_id == campaign_id, TallyMoments.unit_id.in_(units))
        .order_by(TallyMoments.unit_id)
        .with_for_update()
    ).all()
    updates = []
    for unit_id, tag, data in held:
        if tag != layout.tag:
            raise LayoutMismatch(f"campaign {campaign_id} unit {unit_id}: {tag} ≠ {layout.tag}")
        total = layout.decode(data) + vectors[unit_id]
        updates.append({"c": campaign_id, "u": unit_id, "d": layout.encode(total)})
    if conn.dialect.name == "postgresql":
        # One statement for every unit: an executemany is a round trip per row.
        conn.execute(
            text(
                "UPDATE tally_moments t SET data = v.data "
                "FROM unnest(CAST(:u AS integer[]), CAST(:d AS bytea[])) AS v(unit_id, data) "
                "WHERE t.campaign_id = :c AND t.unit_id = v.unit_id"
            ),
            {"c": campaign_id, "u": [r["u"] for r in updates], "d": [r["d"] for r in updates]},
        )
        return
    conn.execute(
        update(TallyMoments)
        .where(TallyMoments.campaign_id == bindparam("c"), TallyMoments.unit_id == bindparam("u"))
        .values(data=bindparam("d")),
        updates,
    )


def recount_if_relaid(session: Session, campaign_id: int, q: Questionnaire) -> bool:
    """Start the campaign's counts over when any stored moment vector has another
    layout than `q`'s (a change of LAYOUT_VERSION or of the members): tallies and
    vectors are emptied and every counted response queued again, so the next fold
    recomputes them. Exact, like the fold; True if it did. One indexed look-up when
    nothing changed, so every fold can afford it."""
    stale = session.execute(
        select(TallyMoments.unit_id)
        .where(TallyMoments.campaign_id == campaign_id, TallyMoments.layout != moment_layout(q).tag)
        .limit(1)
    ).first()
    if stale is None:
        return False
    session.execute(delete(Tally).where(Tally.campaign_id == campaign_id))
    session.execute(delete(TallyMoments).where(TallyMoments.campaign_id == campaign_id))
    queued = select(FoldQueue.submission_id).where(FoldQueue.campaign_id == campaign_id)
    session.execute(
        insert(FoldQueue).from_select(
            ["submission_id", "campaign_id"],
            select(Submission.id, Submission.campaign_id).where(
                Submission.campaign_id == campaign_id,
                Submission.excluded_at.is_(None),
                Submission.id.not_in(queued),
            ),
        )
    )
    return True


def moments_matrix(
    session: Session, campaign_id: int, unit_ids: Sequence[int], layout: MomentLayout
) -> np.ndarray:
    """Units × layout composite moments of each unit in `unit_ids` over its subtree.

    One query for the closure and one for the vectors of every unit below; the
    subtree sums are then one np.add.at of each unit's vector into its listed
    ancestors.
    """
    m = np.zeros((len(unit_ids), layout.size), dtype=np.int64)
    if not unit_ids:
        return m
    conn = session.connection()
    closure = conn.execute(
        select(UnitAncestor.unit_id, UnitAncestor.ancestor_id).where(
            UnitAncestor.ancestor_id.in_(list(unit_ids))
        )
    ).all()
    rows: Sequence[Any]
    if conn.dialect.name == "postgresql":
        # Binary results: a report reads megabytes of vectors, which the text format
        # would send hex-encoded (twice the bytes) and psycopg decode again.
        raw = conn.connection.driver_connection
        with raw.cursor(binary=True) as cur:  # type: ignore[union-attr]
            cur.execute(
                "SELECT m.unit_id, m.layout, m.data FROM tally_moments m "
                "WHERE m.campaign_id = %s AND m.unit_id IN "
                "(SELECT a.unit_id FROM unit_ancestor a WHERE a.ancestor_id = ANY(%s))",
                (campaign_id, list(unit_ids)),
            )
            rows = cur.fetchall()
    else:
        below = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id.in_(list(unit_ids)))
        rows = conn.execute(
            select(TallyMoments.unit_id, TallyMoments.layout, TallyMoments.data).where(
                TallyMoments.campaign_id == campaign_id, TallyMoments.unit_id.in_(below)
            )
        ).all()
    if not rows or not closure:
        return m
    own_ids = np.array([r[0] for r in rows], dtype=np.int64)
    for unit_id, tag, _ in rows:
        if tag != layout.tag:
            raise LayoutMismatch(f"campaign {campaign_id} unit {unit_id}: {tag} ≠ {layout.tag}")
    own = np.frombuffer(b"".join(bytes(r[2]) for r in rows), dtype="<i8")
    own = own.reshape(len(rows), layout.size)
    order = np.argsort(own_ids)
    own_ids, own = own_ids[order], own[order]
    pairs = np.array(closure, dtype=np.int64)
    pairs = pairs[np.isin(pairs[:, 0], own_ids)]
    row_of = {uid: i for i, uid in enumerate(unit_ids)}
    target_row = np.array([row_of[a] for a in pairs[:, 1].tolist()], dtype=np.int64)
    np.add.at(m, target_row, own[np.searchsorted(own_ids, pairs[:, 0])].astype(np.int64))
    return m


def _scale_matrix(
    answers: Sequence[Mapping[str, Any]], codes: Sequence[str], valid: AbstractSet[int]
) -> np.ndarray:
    """Responses × items of the answers on the scale; anything else (missing, not
    applicable, out of range) is 0."""
    try:
        x = np.array([[a.get(c, 0) for c in codes] for a in answers], dtype=np.int64)
    except (TypeError, ValueError):  # a value that is not a number: judge one by one
        return np.array(
            [[a.get(c) if a.get(c) in valid else 0 for c in codes] for a in answers],
            dtype=np.int64,
        )
    x[~np.isin(x, sorted(valid))] = 0
    return x


def _alpha_sums(q: Questionnaire, x: np.ndarray) -> tuple[list[str], np.ndarray]:
    """The alpha-moment keys and a responses × keys matrix of each response's
    contributions (:func:`add_moments`' sums, complete cases only). `x` is the
    responses × factor-items scale matrix (items in questionnaire order, once each)."""
    codes = list(dict.fromkeys(i for f in q.alpha_groups for i in f.items))
    keys: list[str] = []
    columns: list[Any] = []  # per-response columns of the moments matrix
    for factor in q.alpha_groups:
        items = factor.items
        xf = x[:, [codes.index(i) for i in items]]
        complete = np.asarray((xf > 0).all(axis=1))
        xf = xf * complete[:, None]  # incomplete responses add nothing
        keys.append(f"a:{factor.code}:n")
        columns.append(complete.astype(np.int64))
        for i, code in enumerate(items):
            keys.append(f"a:{factor.code}:s:{code}")
            columns.append(xf[:, i])
        for i in range(len(items)):
            for j in range(i, len(items)):
                keys.append(f"a:{factor.code}:x:{items[i]}:{items[j]}")
                columns.append(xf[:, i] * xf[:, j])
    return keys, np.stack(columns, axis=1)


def _sum_per_unit(uidx: np.ndarray, units: int, m: np.ndarray) -> np.ndarray:
    """Units × columns sums of the rows of `m`, row r belonging to unit uidx[r]:
    sort by unit, then one reduceat."""
    out = np.zeros((units, m.shape[1]), dtype=np.int64)
    if not len(uidx):
        return out
    order = np.argsort(uidx, kind="stable")
    grouped = uidx[order]
    starts = np.flatnonzero(np.r_[True, grouped[1:] != grouped[:-1]])
    out[grouped[starts]] = np.add.reduceat(m[order], starts, axis=0, dtype=np.int64)
    return out


def _chunk_moments(
    q: Questionnaire,
    rows: list[tuple[int, Mapping[str, Any]]],
    into: dict[int, Counter[str]],
    x: np.ndarray | None = None,
) -> None:
    """Alpha moments of a chunk of (unit, answers), per unit, computed with numpy.

    Same sums as :func:`add_moments` (complete cases only): one responses × moments
    matrix for every factor at once, summed per unit, so no Python loop runs per
    response or per item pair.
    """
    if not rows:
        return
    uniq, unit_idx = np.unique(np.array([u for u, _ in rows]), return_inverse=True)
    codes = list(dict.fromkeys(i for f in q.alpha_groups for i in f.items))
    if x is None:  # else given: responses × codes
        x = _scale_matrix([a for _, a in rows], codes, q.item_values)
    keys, m = _alpha_sums(q, x)
    per_unit = _sum_per_unit(unit_idx, len(uniq), m)
    for unit_id, sums in zip(uniq.tolist(), per_unit.tolist(), strict=True):
        c = into.setdefault(unit_id, Counter())
        for key, v in zip(keys, sums, strict=True):
            if v:  # complete cases only: a factor with none adds no keys at all
                c[key] += v


_PLAIN = frozenset({int, str})
_NONE = type(None)


def _encode(values: Sequence[Any]) -> tuple[np.ndarray, list[Any]] | None:
    """A column of values as codes: the index of each value in the returned distinct
    values, -1 for None. None (so the caller formats each value itself) unless every
    value is a plain int or str: those never compare equal across types, so
    distinct values give distinct keys (a bool or a float would merge with the int
    it equals, where `f"{code}={value}"` tells them apart)."""
    kinds = set(map(type, values))
    kinds.discard(_NONE)
    if not kinds <= _PLAIN:
        return None
    distinct = set(values)
    distinct.discard(None)
    order = list(distinct)
    lut: dict[Any, int] = {v: i for i, v in enumerate(order)}
    lut[None] = -1
    return np.fromiter(map(lut.__getitem__, values), dtype=np.int64, count=len(values)), order


def _question_keys(kind: str, code: str, value: Any) -> list[str]:
    """The count keys one answer adds (see :func:`answer_keys`)."""
    if kind == "multi":
        return [f"{code}#", *(f"{code}={option}" for option in value)]
    if kind == "text":
        return [f"{code}#"]
    return [f"{code}={value}"]


def _day(at: datetime | None) -> str | None:
    return None if at is None else at.astimezone(VIETNAM).date().isoformat()


def _marks(flags: Sequence[str], over_quota: bool) -> list[str]:
    """The flag keys of one response (see :func:`row_keys`)."""
    marks = [*flags, *(["over_quota"] if over_quota else [])]
    return ["flag=*", *(f"flag={m}" for m in marks)] if marks else []


# A claimed response, as the fold counts it: (campaign id, unit id, channel, answers,
# Vietnam calendar day `YYYY-MM-DD` or None, quality flags, over quota).
Claimed = tuple[int, int, str, Mapping[str, Any], str | None, Sequence[str], bool]


class UnitCounts:
    """Count keys per unit over many responses, a chunk at a time.

    The same counts as :func:`count_answers` summed per unit, at a fraction of the
    cost. A chunk is counted column by column: each question's answers become one
    vector of codes (the index of the value among the chunk's distinct values), and
    `np.bincount` over (unit, code) counts every unit's answers of that question at
    once; the alpha and composite moments are numpy matrices of the same chunk summed
    per unit. Python touches each answer only to read it out of its dict. Totals are
    one units × keys matrix, so memory is bounded by the units and keys, not the
    responses. The fold and filtered reports both count through this.
    """

    def __init__(self, q: Questionnaire):
        self.q = q
        self._row: dict[int, int] = {}  # unit id → row of _m
        self._col: dict[str, int] = {}  # key → column of _m
        self._m = np.zeros((0, 0), dtype=np.int64)
        # Composite moments stay arrays (one vector per unit, MomentLayout).
        self._pairs: dict[int, np.ndarray] = {}
        self._alpha_codes = list(dict.fromkeys(i for f in q.alpha_groups for i in f.items))
        self._members = list(moment_layout(q).members)
        self._valid = q.item_values
        self._questions = [(code, question.kind) for code, question in q.questions.items()]

    @property
    def totals(self) -> dict[int, Counter[str]]:
        """Counts per unit so far (keys with a count only)."""
        keys = list(self._col)
        out: dict[int, Counter[str]] = {}
        for unit_id, r in self._row.items():
            row = self._m[r, : len(keys)]
            nz = np.flatnonzero(row)
            out[unit_id] = Counter(dict(zip([keys[i] for i in nz], row[nz].tolist(), strict=True)))
        return out

    def triples(self) -> tuple[list[int], list[str], list[int]]:
        """Every (unit id, key, count) with a count, as three parallel lists."""
        units = np.fromiter(self._row, dtype=np.int64, count=len(self._row))
        keys = np.array(list(self._col), dtype=object)
        m = self._m[: len(units), : len(keys)]
        r, c = np.nonzero(m)
        return units[r].tolist(), keys[c].tolist(), m[r, c].tolist()

    @property
    def moments(self) -> dict[int, np.ndarray]:
        """Composite-moment vectors per unit so far (every unit with a response)."""
        return self._pairs

    def add(self, rows: Sequence[tuple[int, str, Mapping[str, Any], RowFacts]]) -> None:
        """Add a chunk of (unit id, channel, answers, facts)."""
        self.add_claimed(
            [(0, u, ch, a, _day(f.submitted_at), f.flags, f.over_quota) for u, ch, a, f in rows]
        )

    def add_claimed(self, rows: Sequence[Claimed]) -> None:
        """Add a chunk of claimed responses (:data:`Claimed`; the campaign is ignored)."""
        if not rows:
            return
        _, unit_ids, channels, answers, days, flags, overs = zip(*rows, strict=True)
        uniq, uidx = np.unique(np.asarray(unit_ids, dtype=np.int64), return_inverse=True)
        uidx = uidx.reshape(-1)
        target = self._rows_for(uniq.tolist())
        units = len(uniq)
        self._add(target, ["n"], np.bincount(uidx, minlength=units)[:, None])
        self._count(target, uidx, units, channels, "channel=")
        self._count(target, uidx, units, days, "day=")
        owners, keys = [], []
        for i, (f, over) in enumerate(zip(flags, overs, strict=True)):
            if f or over:
                for k in _marks(f, over):
                    owners.append(i)
                    keys.append(k)
        self._count(target, uidx[owners], units, keys, "")
        # Each question's answers as a column (a tuple per response, then transposed).
        codes = [code for code, _ in self._questions]
        cols = list(zip(*(tuple(map(a.get, codes)) for a in answers), strict=True))
        scale: dict[str, tuple[np.ndarray, list[Any]] | None] = {}
        for (code, kind), col in zip(self._questions, cols, strict=True):
            if None in col and any(
                v is None and code in a for v, a in zip(col, answers, strict=True)
            ):
                # An answer stored as null: format it as answer_keys does.
                owner_rows, strings = [], []
                for i, a in enumerate(answers):
                    if code in a:
                        for k in _question_keys(kind, code, a[code]):
                            owner_rows.append(i)
                            strings.append(k)
                self._count(target, uidx[owner_rows], units, strings, "")
                scale[code] = None
                continue
            if kind in ("multi", "text"):
                present = np.fromiter(
                    map(operator.is_not, col, itertools.repeat(None)), dtype=bool, count=len(col)
                )
                self._add(
                    target, [f"{code}#"], np.bincount(uidx[present], minlength=units)[:, None]
                )
                if kind == "multi":
                    given = [v for v in col if v is not None]
                    options = list(itertools.chain.from_iterable(given))
                    lengths = np.fromiter(map(len, given), dtype=np.int64, count=len(given))
                    owner = np.repeat(uidx[present], lengths)
                    prefix = f"{code}="
                    if None in options:  # an option null is a value here, not "not answered"
                        options, prefix = [f"{prefix}{o}" for o in options], ""
                    self._count(target, owner, units, options, prefix)
                continue
            scale[code] = self._count(target, uidx, units, col, f"{code}=")
        valid = self._valid
        alpha_x = self._scale(scale, self._alpha_codes, answers, valid)
        keys_a, m = _alpha_sums(self.q, alpha_x)
        self._add(target, keys_a, _sum_per_unit(uidx, units, m))
        pair_x = (
            alpha_x
            if self._members == self._alpha_codes
            else self._scale(scale, self._members, answers, valid)
        )
        sums = _pair_sums(self.q, uidx, units, pair_x)
        for unit_id, row in zip(uniq.tolist(), sums, strict=True):
            held = self._pairs.get(unit_id)
            self._pairs[unit_id] = row if held is None else held + row

    @staticmethod
    def _scale(
        encoded: Mapping[str, tuple[np.ndarray, list[Any]] | None],
        codes: Sequence[str],
        answers: Sequence[Mapping[str, Any]],
        valid: AbstractSet[int],
    ) -> np.ndarray:
        """Responses × `codes` answers on the scale (anything else 0), from the codes
        already made; as :func:`_scale_matrix` if a column is not plain."""
        parts = [encoded.get(c) for c in codes]
        if any(p is None for p in parts):
            return _scale_matrix(answers, codes, valid)
        x = np.zeros((len(answers), len(codes)), dtype=np.int64)
        for j, part in enumerate(parts):
            assert part is not None
            vector, order = part
            lut = np.array([v if v in valid else 0 for v in order] + [0], dtype=np.int64)
            x[:, j] = lut[vector]  # -1 (not answered) reads the trailing 0
        return x

    def _count(
        self,
        target: np.ndarray,
        uidx: np.ndarray,
        units: int,
        values: Sequence[Any],
        prefix: str,
    ) -> tuple[np.ndarray, list[Any]] | None:
        """Count key `prefix + value` per unit for each value not None (value i
        belongs to unit uidx[i]); returns the codes if the values were plain."""
        encoded = _encode(values)
        if encoded is None:
            strings = [None if v is None else f"{prefix}{v}" for v in values]
            plain = _encode(strings)
            assert plain is not None
            vector, order = plain
            keys = order
        else:
            vector, order = encoded
            keys = [f"{prefix}{v}" for v in order]
        if keys:
            given = vector >= 0
            width = len(keys)
            counts = np.bincount(uidx[given] * width + vector[given], minlength=units * width)
            self._add(target, keys, counts.reshape(units, width))
        return encoded

    def _rows_for(self, unit_ids: list[int]) -> np.ndarray:
        for u in unit_ids:
            if u not in self._row:
                self._row[u] = len(self._row)
        self._fit(len(self._row), self._m.shape[1])
        return np.array([self._row[u] for u in unit_ids], dtype=np.int64)

    def _fit(self, rows: int, cols: int) -> None:
        have_r, have_c = self._m.shape
        if rows <= have_r and cols <= have_c:
            return
        grown = np.zeros((max(rows, 2 * have_r), max(cols, 2 * have_c, 64)), dtype=np.int64)
        grown[:have_r, :have_c] = self._m
        self._m = grown

    def _add(self, target: np.ndarray, keys: Sequence[str], counts: np.ndarray) -> None:
        """Add units × keys `counts` to the totals of units `target`."""
        cols = []
        for k in keys:
            c = self._col.get(k)
            if c is None:
                c = self._col[k] = len(self._col)
            cols.append(c)
        self._fit(self._m.shape[0], len(self._col))
        if len(set(cols)) == len(cols):
            self._m[np.ix_(target, np.asarray(cols))] += counts
        else:  # two values with the same key (1 and "1"): add both
            np.add.at(self._m, (target[:, None], np.asarray(cols)[None, :]), counts)


def fold(
    session: Session, questionnaires: Mapping[int, Questionnaire], campaign_id: int | None = None
) -> int:
    """Count queued submissions into `tally`; returns how many were folded.

    Rows are claimed by deleting them from `fold_queue` in the same transaction
    that adds their counts, so each row is counted exactly once even when two folds run at once
    (PostgreSQL: SKIP LOCKED lets them take disjoint rows; SQLite: one writer at a
    time). A row committed while a fold runs is picked up by the next one. Counts
    are summed in memory across chunks and written with one upsert, so a backlog of
    a million rows costs one pass, not one upsert per chunk. `questionnaires` maps
    campaign id to its questionnaire.
    """
    conn = session.connection()
    for cid in [campaign_id] if campaign_id is not None else sorted(questionnaires):
        recount_if_relaid(session, cid, questionnaires[cid])
    total = 0
    counted: dict[int, UnitCounts] = {}
    with paused_gc():
        for claimed in _claim(conn, campaign_id):
            by_campaign: dict[int, list[Claimed]] = {}
            for row in claimed:
                by_campaign.setdefault(row[0], []).append(row)
            for cid, rows in by_campaign.items():
                counted.setdefault(cid, UnitCounts(questionnaires[cid])).add_claimed(rows)
                # The columnar copy filtered reports read (unit, channel, answers, day).
                columns.append(session, cid, questionnaires[cid], [r[1:5] for r in rows])
            total += len(claimed)
    if not total:
        return 0
    metrics.FOLDED.inc(total)
    out: list[tuple[int, int, str, int]] = []
    for cid, acc in counted.items():
        units, keys, counts = acc.triples()
        out += zip(itertools.repeat(cid), units, keys, counts, strict=False)
    _upsert(session, out)
    for cid in sorted(counted):  # after the tallies, in campaign order: see add_moment_rows
        acc = counted[cid]
        add_moment_rows(session, cid, moment_layout(acc.q), acc.moments)
    for cid in sorted(counted):
        conn.execute(
            update(Campaign).where(Campaign.id == cid).values(tally_token=uuid.uuid4().hex)
        )
    return total


_CLAIMED = (
    Submission.campaign_id,
    Submission.unit_id,
    Submission.channel,
    Submission.answers,
    Submission.submitted_at,
    Submission.quality_flags,
    Submission.over_quota,
)

# The Vietnam calendar day of a response, computed by PostgreSQL (VIETNAM is a fixed
# offset), so the fold does not build a datetime per row to read its date.
_PG_DAY = "to_char(s.submitted_at AT TIME ZONE 'UTC' + make_interval(secs => {secs}), 'YYYY-MM-DD')"


def _parse_all(texts: Sequence[str]) -> list[Any]:
    """Parse a chunk of JSON texts (orjson; the standard parser for what it refuses)."""
    try:
        return [orjson.loads(t) for t in texts]
    except orjson.JSONDecodeError:
        return [json_loads(t) for t in texts]


@contextmanager
def paused_gc() -> Iterator[None]:
    """Run a block without the cyclic garbage collector.

    A fold builds a dict per response and drops it a chunk later; none of them is in
    a cycle, yet every few thousand allocations the collector walks all that are
    alive. Paused, a chunk of 20,000 answers parses in about half the time (reference
    counting still frees everything as usual)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _claim(conn: Connection, campaign_id: int | None) -> Iterator[list[Claimed]]:
    """Queued rows (of one campaign, or all), taken off the fold queue, a chunk at a time.

    PostgreSQL reads them in one pass of a server-side cursor over the queue joined
    to the responses, locking each queue row as it comes (SKIP LOCKED: a concurrent
    fold takes the others) and deleting a chunk by id; the response rows are only
    read. A loop of `DELETE … WHERE id IN (SELECT … LIMIT n)` would be quadratic
    there: until the fold commits, the deleted queue rows stay in the heap and the
    index as versions every later pick has to step over again. The cursor is the
    driver's own and reads answers and flags as JSON text, parsed a chunk at a time
    with orjson, and the day as text: decoding each row into Python objects was a
    third of a fold. SQLite has one writer at a time, so it deletes a chunk and reads
    its rows.
    """
    if conn.dialect.name == "postgresql":
        offset = VIETNAM.utcoffset(None)
        assert offset is not None
        raw = conn.connection.driver_connection
        where = "WHERE f.campaign_id = %s " if campaign_id is not None else ""
        pick = (
            "SELECT f.submission_id::text, s.campaign_id, s.unit_id, s.channel, "
            f"s.answers::text, {_PG_DAY.format(secs=int(offset.total_seconds()))}, "
            "s.quality_flags::text, s.over_quota "
            "FROM fold_queue f JOIN submission s ON s.id = f.submission_id "
            f"{where}FOR UPDATE OF f SKIP LOCKED"
        )
        name = f"fold_claim_{uuid.uuid4().hex[:8]}"
        with raw.cursor(name=name) as cur, raw.cursor() as done:  # type: ignore[union-attr]
            cur.itersize = FOLD_CHUNK
            cur.execute(pick, (campaign_id,) if campaign_id is not None else None)
            while rows := cur.fetchmany(FOLD_CHUNK):
                keys, cids, units, channels, answers, days, flags, overs = zip(*rows, strict=True)
                # One array literal (ids are uuids: nothing to quote), not 20,000
                # parameters for the driver to dump one by one.
                done.execute(
                    "DELETE FROM fold_queue WHERE submission_id = ANY(%s::text::uuid[])",
                    ("{" + ",".join(keys) + "}",),
                )
                parsed = _parse_all(answers)
                marks = [() if f == "[]" else json_loads(f) for f in flags]
                yield list(zip(cids, units, channels, parsed, days, marks, overs, strict=True))
        return
    queued = [FoldQueue.campaign_id == campaign_id] if campaign_id is not None else []
    chunk = select(FoldQueue.submission_id).where(*queued).limit(FOLD_CHUNK).scalar_subquery()
    while True:
        ids = list(
            conn.execute(
                delete(FoldQueue)
                .where(FoldQueue.submission_id.in_(chunk))
                .returning(FoldQueue.submission_id)
            ).scalars()
        )
        if ids:
            yield [
                (cid, unit, channel, answers, _day(at), flags or (), over)
                for cid, unit, channel, answers, at, flags, over in conn.execute(
                    select(*_CLAIMED).where(Submission.id.in_(ids))
                ).tuples()
            ]
        if len(ids) < FOLD_CHUNK:
            return


def has_untallied(session: Session, campaign_id: int) -> bool:
    """Whether a response of the campaign waits in the fold queue."""
    pick = select(FoldQueue.submission_id).where(FoldQueue.campaign_id == campaign_id).limit(1)
    return session.execute(pick).first() is not None


def enqueue(session: Session, submission_id: uuid.UUID, campaign_id: int) -> None:
    """Queue a response to be counted by the next fold (a restored exclusion)."""
    session.add(FoldQueue(submission_id=submission_id, campaign_id=campaign_id))
    session.flush()


def dequeue(session: Session, submission_id: uuid.UUID) -> bool:
    """Take a response off the queue; False if it was not there, i.e. it has been
    counted (on PostgreSQL this waits for a fold holding it to commit, so the
    answer is exact)."""
    gone = session.execute(
        delete(FoldQueue)
        .where(FoldQueue.submission_id == submission_id)
        .returning(FoldQueue.submission_id)
    ).first()
    return gone is not None


def fold_campaign(session: Session, campaign: Campaign, q: Questionnaire) -> int:
    return fold(session, {campaign.id: q}, campaign.id)


def counts_matrix(
    session: Session, campaign_id: int, unit_ids: Sequence[int], keys: Mapping[str, int]
) -> np.ndarray:
    """Units × keys counts of each unit in `unit_ids` over its whole subtree, from the tallies.

    One aggregate query; rows are read with the driver's cursor because a report can
    read hundreds of thousands of (unit, key, n) rows.
    """
    m = np.zeros((len(unit_ids), len(keys)), dtype=np.int64)
    if not unit_ids:
        return m
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Let PostgreSQL hand back column numbers, so the matrix fills in one numpy
        # assignment instead of a Python loop over every (unit, key) row.
        ordered = sorted(keys, key=keys.__getitem__)
        raw = conn.connection.driver_connection
        with raw.cursor() as cur:  # type: ignore[union-attr]
            cur.execute(
                "SELECT a.unit_id, a.ancestor_id FROM unit_ancestor a WHERE a.ancestor_id = ANY(%s)",
                (list(unit_ids),),
            )
            closure = cur.fetchall()
            cur.execute(
                "SELECT t.unit_id, k.col - 1, t.n FROM tally t "
                "JOIN unnest(%s::text[]) WITH ORDINALITY AS k(key, col) ON k.key = t.key "
                "WHERE t.campaign_id = %s AND t.unit_id = ANY(%s)",
                (ordered, campaign_id, sorted({u for u, _ in closure})),
            )
            rows = cur.fetchall()
        if rows and closure:
            # Each unit's own counts, then summed into every listed ancestor in numpy.
            arr = np.array(rows, dtype=np.int64)
            own_ids, own_row = np.unique(arr[:, 0], return_inverse=True)
            own = np.zeros((len(own_ids), len(keys)), dtype=np.int64)
            own[own_row, arr[:, 1]] = arr[:, 2]
            pairs = np.array(closure, dtype=np.int64)
            present = np.isin(pairs[:, 0], own_ids)
            pairs = pairs[present]
            target_ids = np.asarray(unit_ids, dtype=np.int64)
            order = np.argsort(target_ids)
            target_row = order[np.searchsorted(target_ids, pairs[:, 1], sorter=order)]
            np.add.at(m, target_row, own[np.searchsorted(own_ids, pairs[:, 0])])
        return m
    row_of = {uid: i for i, uid in enumerate(unit_ids)}
    stmt = (
        select(UnitAncestor.ancestor_id, Tally.key, func.sum(Tally.n))
        .join(UnitAncestor, UnitAncestor.unit_id == Tally.unit_id)
        .where(
            Tally.campaign_id == campaign_id,
            UnitAncestor.ancestor_id.in_(list(unit_ids)),
            Tally.key.in_(list(keys)),
        )
        .group_by(UnitAncestor.ancestor_id, Tally.key)
    )
    for uid, key, n in conn.execute(stmt).all():
        m[row_of[uid], keys[key]] = n
    return m


def subtree_totals(
    session: Session, campaign_id: int, unit_ids: Sequence[int], prefix: str
) -> Counter[str]:
    """Keys starting with `prefix`, summed once over every unit under `unit_ids`."""
    below = (
        select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id.in_(list(unit_ids))).distinct()
    )
    stmt = (
        select(Tally.key, func.sum(Tally.n))
        .where(
            Tally.campaign_id == campaign_id, Tally.unit_id.in_(below), Tally.key.startswith(prefix)
        )
        .group_by(Tally.key)
    )
    return Counter({key: int(n) for key, n in session.connection().execute(stmt).tuples()})


def key_totals(session: Session, campaign_id: int, under: int | None, prefix: str) -> Counter[str]:
    """Keys starting with `prefix`, summed over the campaign (`under` None) or over the
    units under one unit."""
    if under is not None:
        return subtree_totals(session, campaign_id, [under], prefix)
    stmt = (
        select(Tally.key, func.sum(Tally.n))
        .where(Tally.campaign_id == campaign_id, Tally.key.startswith(prefix))
        .group_by(Tally.key)
    )
    return Counter({key: int(n) for key, n in session.connection().execute(stmt).tuples()})


def vacuum_after_bulk_fold(engine: Engine) -> None:
    """VACUUM ANALYZE the fold queue, submission and tally after folding a bulk load
    (PostgreSQL).

    A fold of many rows leaves the queue's index full of dead entries until
    autovacuum gets to them, and every report's freshness check walks them. Bulk
    loaders call this (it also gives the planner statistics of the new rows);
    trickle ingest needs nothing, as autovacuum keeps up.
    """
    if engine.dialect.name != "postgresql":
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        no_statement_timeout(conn)  # minutes at 10^7 rows
        conn.exec_driver_sql("VACUUM ANALYZE fold_queue")
        conn.exec_driver_sql("VACUUM ANALYZE submission")
        conn.exec_driver_sql("VACUUM ANALYZE tally")
