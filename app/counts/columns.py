"""A columnar copy of the counted answers, so filtered reports count with numpy.

The fold appends one :class:`~app.counts.models.AnswerBlock` per campaign and chunk
(:func:`append`); an exclusion of a counted response appends it again with sign -1,
as the tallies subtract it. A filtered report reads the campaign's blocks in one
query (:func:`read`), masks the rows its filters keep and counts them per unit
(:func:`filtered`) into the same tally keys, alpha moments and composite-moment
vectors the fold stores, so every figure equals the one counted from the responses.

Block `data` (little-endian), for n rows and the W columns of :class:`ColumnLayout`:
unit ids int32[n], Vietnam days (proleptic ordinal) int32[n], channel int8[n] (index
in CHANNELS, -1 other), sign int8[n] (+1 counted, -1 excluded after counting), then
the answers int8[W, n], column by column: each scale item as the index of its value
in the scale's values (-1: missing, not applicable or anything else), each single
choice as the index of its option (-1: none), and per multiple choice one column
"answered" (0/1) followed by one 0/1 column per option.

Backfill is lazy: blocks are complete when their totals (sum of signs) add up to the
campaign's tallied `n` and every block has the current layout; otherwise the first
filtered report rebuilds them from the responses (:func:`rebuild`), under the
campaign's row lock so a concurrent fold neither doubles nor loses a response.
"""

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from sqlalchemy import delete, exists, func, insert, select
from sqlalchemy.orm import Session

from app.campaigns.models import Campaign
from app.collection.models import CHANNELS, Submission
from app.core.clock import VIETNAM
from app.counts.models import AnswerBlock, FoldQueue, Tally, UnitAncestor
from app.questionnaires.catalog import Questionnaire

if TYPE_CHECKING:
    from app.counts.tally import MomentLayout

# Bump when the block format changes: blocks of the old format are then rebuilt.
COLUMNS_VERSION = 1
BLOCK_ROWS = 20_000  # responses per block written by a rebuild (the fold's chunk)
SMALL_BLOCK = 2_000  # trickle folds write small blocks; this many of them are merged
MERGE_AT = 16
GROUP_ROWS = 1 << 16  # rows per Gram product: bounds the float64 copy of a big unit


@dataclass(frozen=True)
class ColumnLayout:
    """Which question each answer column holds (see the module docstring)."""

    scale: tuple[str, ...]
    values: tuple[int, ...]
    single: tuple[tuple[str, tuple[str, ...]], ...]
    multi: tuple[tuple[str, tuple[str, ...]], ...]
    tag: str

    @property
    def width(self) -> int:
        return len(self.scale) + len(self.single) + sum(1 + len(o) for _, o in self.multi)

    def scale_column(self, code: str) -> int:
        return self.scale.index(code)

    def single_column(self, code: str) -> int | None:
        for i, (c, _) in enumerate(self.single):
            if c == code:
                return len(self.scale) + i
        return None


_layouts: dict[tuple[str, int], ColumnLayout] = {}


def column_layout(q: Questionnaire) -> ColumnLayout:
    """The (cached) column layout of a questionnaire version."""
    cached = _layouts.get((q.slug, q.version))
    if cached is None:
        scale = tuple(q.scale_items)
        # Every scale's values (a named 4-level scale's are often the main one's).
        values = tuple(sorted({v for c in scale for v in (o.code for o in q.scale_of(c)[0])}))
        single = tuple(
            (c, tuple(x.option_codes)) for c, x in q.questions.items() if x.kind == "single"
        )
        multi = tuple(
            (c, tuple(x.option_codes)) for c, x in q.questions.items() if x.kind == "multi"
        )
        if len(values) > 127 or any(len(o) > 127 for _, o in single):
            raise ValueError(f"{q.slug} v{q.version}: more than 127 options in one column")
        shape = repr((COLUMNS_VERSION, scale, values, single, multi, tuple(CHANNELS)))
        digest = hashlib.sha256(shape.encode()).hexdigest()[:16]
        cached = ColumnLayout(scale, values, single, multi, f"c{COLUMNS_VERSION}-{digest}")
        _layouts[(q.slug, q.version)] = cached
    return cached


def _lookup(answers: Sequence[Mapping[str, Any]], code: str, index: Mapping[Any, int]) -> list[int]:
    """Each response's answer to `code` as its index in `index` (-1: not there)."""
    try:
        return [index.get(a.get(code), -1) for a in answers]
    except TypeError:  # an unhashable answer (a list where one value belongs) is no option
        return [
            index.get(v, -1) if isinstance(v, str | int) else -1
            for v in (a.get(code) for a in answers)
        ]


def _day(at: datetime | str) -> int:
    """The Vietnam calendar day's ordinal of a time, or of the fold's day text (the
    fold reads the Vietnam day as YYYY-MM-DD from the database)."""
    if isinstance(at, str):
        return date.fromisoformat(at).toordinal()
    return at.astimezone(VIETNAM).date().toordinal()


# unit id, channel, answers, when (a time, or the Vietnam day as YYYY-MM-DD)
Row = tuple[int, str, Mapping[str, Any], datetime | str | None]


def encode(layout: ColumnLayout, rows: Sequence[Row], sign: int) -> bytes:
    """The `data` of a block of (unit id, channel, answers, submitted_at) rows."""
    n = len(rows)
    unit = np.fromiter((r[0] for r in rows), dtype="<i4", count=n)
    days = np.fromiter((_day(r[3]) if r[3] else 0 for r in rows), dtype="<i4", count=n)
    channel_of = {c: i for i, c in enumerate(CHANNELS)}
    channel = np.fromiter((channel_of.get(r[1], -1) for r in rows), dtype=np.int8, count=n)
    signs = np.full(n, sign, dtype=np.int8)
    m = np.empty((layout.width, n), dtype=np.int8)
    answers = [r[2] for r in rows]
    value_of = {v: i for i, v in enumerate(layout.values)}
    col = 0
    for code in layout.scale:
        m[col] = _lookup(answers, code, value_of)
        col += 1
    for code, options in layout.single:
        m[col] = _lookup(answers, code, {o: i for i, o in enumerate(options)})
        col += 1
    for code, options in layout.multi:
        m[col] = [code in a for a in answers]
        chosen = [a.get(code) or () for a in answers]
        col += 1
        for option in options:
            m[col] = [option in c for c in chosen]
            col += 1
    return b"".join(x.tobytes() for x in (unit, days, channel, signs, m))


@dataclass(frozen=True)
class Columns:
    """The decoded blocks of a campaign: one entry per row (`answers`: W × rows)."""

    unit: np.ndarray
    day: np.ndarray
    channel: np.ndarray
    sign: np.ndarray
    answers: np.ndarray


def views(layout: ColumnLayout, n: int, data: bytes) -> Columns:
    """One block's columns, read in place (no copy)."""
    w = layout.width
    if len(data) != n * (10 + w):
        raise ValueError(f"an answer block of {len(data)} bytes for {n} rows of {w} columns")
    return Columns(
        np.frombuffer(data, dtype="<i4", count=n),
        np.frombuffer(data, dtype="<i4", count=n, offset=4 * n),
        np.frombuffer(data, dtype=np.int8, count=n, offset=8 * n),
        np.frombuffer(data, dtype=np.int8, count=n, offset=9 * n),
        np.frombuffer(data, dtype=np.int8, offset=10 * n).reshape(w, n),
    )


def decode(layout: ColumnLayout, blocks: Sequence[tuple[int, bytes]]) -> Columns:
    """Blocks (n, data) concatenated into one set of columns."""
    parts = [views(layout, n, data) for n, data in blocks]
    if not parts:
        return views(layout, 0, b"")
    return Columns(
        *(np.concatenate([getattr(p, f) for p in parts], axis=-1) for f in Columns.__annotations__)
    )


def append(
    session: Session,
    campaign_id: int,
    q: Questionnaire,
    rows: Sequence[Row],
    sign: int = 1,
) -> None:
    """Add counted rows (sign +1: the fold) or subtract them (-1: an exclusion of a
    counted response) as one block; merge the campaign's small blocks once there are
    MERGE_AT of them, so trickle ingest does not leave thousands of one-row blocks."""
    if not rows:
        return
    layout = column_layout(q)
    conn = session.connection()
    conn.execute(
        insert(AnswerBlock).values(
            campaign_id=campaign_id,
            layout=layout.tag,
            n=len(rows),
            total=sign * len(rows),
            data=encode(layout, rows, sign),
        )
    )
    if len(rows) < SMALL_BLOCK:
        _merge_small(session, campaign_id, layout)


def _merge_small(session: Session, campaign_id: int, layout: ColumnLayout) -> None:
    conn = session.connection()
    small = (AnswerBlock.campaign_id == campaign_id, AnswerBlock.n < SMALL_BLOCK)
    if conn.execute(select(func.count()).where(*small)).scalar_one() < MERGE_AT:
        return
    # SKIP LOCKED: blocks a concurrent fold is merging are left to it.
    held = conn.execute(
        select(
            AnswerBlock.id, AnswerBlock.layout, AnswerBlock.n, AnswerBlock.total, AnswerBlock.data
        )
        .where(*small, AnswerBlock.layout == layout.tag)
        .order_by(AnswerBlock.id)
        .with_for_update(skip_locked=True)
    ).all()
    if len(held) < 2:
        return
    cols = decode(layout, [(r.n, bytes(r.data)) for r in held])
    data = b"".join(
        x.astype(x.dtype.newbyteorder("<"), copy=False).tobytes()
        for x in (cols.unit, cols.day, cols.channel, cols.sign, cols.answers)
    )
    conn.execute(delete(AnswerBlock).where(AnswerBlock.id.in_([r.id for r in held])))
    conn.execute(
        insert(AnswerBlock).values(
            campaign_id=campaign_id,
            layout=layout.tag,
            n=sum(r.n for r in held),
            total=sum(r.total for r in held),
            data=data,
        )
    )


def _blocks(session: Session, campaign_id: int) -> tuple[list[Any], int]:
    """The campaign's blocks (layout, n, total, data) and its tallied `n`, read in one
    statement (one snapshot, so a fold committing in between cannot make them
    disagree)."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        # Binary results: the text format would send the blocks hex-encoded (twice
        # the bytes) for psycopg to decode again.
        raw = conn.connection.driver_connection
        with raw.cursor(binary=True) as cur:  # type: ignore[union-attr]
            cur.execute(
                "SELECT b.layout, b.n, b.total, b.data, t.n FROM (SELECT coalesce(sum(n), 0) AS n "
                "FROM tally WHERE campaign_id = %s AND key = 'n') t "
                "LEFT JOIN answer_block b ON b.campaign_id = %s ORDER BY b.id",
                (campaign_id, campaign_id),
            )
            found = cur.fetchall()
        return [r for r in found if r[0] is not None], int(found[0][4])
    tallied = (
        select(func.coalesce(func.sum(Tally.n), 0))
        .where(Tally.campaign_id == campaign_id, Tally.key == "n")
        .scalar_subquery()
    )
    rows = conn.execute(
        select(AnswerBlock.layout, AnswerBlock.n, AnswerBlock.total, AnswerBlock.data, tallied)
        .where(AnswerBlock.campaign_id == campaign_id)
        .order_by(AnswerBlock.id)
    ).all()
    if rows:
        return list(rows), int(rows[0][4])
    return [], int(conn.execute(select(tallied)).scalar_one())


def _complete(layout: ColumnLayout, blocks: Sequence[Any], tallied: int) -> bool:
    return all(b[0] == layout.tag for b in blocks) and sum(b[2] for b in blocks) == tallied


def read(session: Session, campaign_id: int, q: Questionnaire) -> list[Columns]:
    """The campaign's counted responses, block by block; the blocks are rebuilt first
    if they are not complete (a campaign counted before blocks existed, a recount)."""
    layout = column_layout(q)
    blocks, tallied = _blocks(session, campaign_id)
    if not _complete(layout, blocks, tallied):
        rebuild(session, campaign_id, q)
        blocks, _ = _blocks(session, campaign_id)
    return [views(layout, b[1], bytes(b[3])) for b in blocks]


def rebuild(session: Session, campaign_id: int, q: Questionnaire) -> int:
    """Write the campaign's blocks again from its counted responses (those neither
    excluded nor waiting in the fold queue); returns how many rows.

    The campaign row is locked first: a fold that commits meanwhile sets its tally
    token last and so waits for this transaction, while its claimed rows are still
    in the queue here (its deletions are not committed) and its own blocks are added
    after ours. A fold that committed before the lock is seen whole.
    """
    layout = column_layout(q)
    conn = session.connection()
    conn.execute(select(Campaign.id).where(Campaign.id == campaign_id).with_for_update())
    blocks, tallied = _blocks(session, campaign_id)
    if _complete(layout, blocks, tallied):  # another report rebuilt them meanwhile
        return 0
    conn.execute(delete(AnswerBlock).where(AnswerBlock.campaign_id == campaign_id))
    queued = exists().where(FoldQueue.submission_id == Submission.id)
    stmt = select(
        Submission.unit_id, Submission.channel, Submission.answers, Submission.submitted_at
    ).where(Submission.campaign_id == campaign_id, Submission.excluded_at.is_(None), ~queued)
    written: list[dict[str, Any]] = []
    for chunk in conn.execute(stmt.execution_options(yield_per=BLOCK_ROWS)).partitions():
        rows: list[Row] = [(u, c, a, at) for u, c, a, at in chunk]
        written.append(
            {
                "campaign_id": campaign_id,
                "layout": layout.tag,
                "n": len(rows),
                "total": len(rows),
                "data": encode(layout, rows, 1),
            }
        )
    for row in written:
        conn.execute(insert(AnswerBlock).values(**row))
    return sum(r["n"] for r in written)


# --- Counting the selected rows -------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The rows a filtered report keeps: single-choice answers equal to an option,
    a channel, and Vietnam days from `day_from` to `day_to`, both included."""

    answers: tuple[tuple[str, str], ...] = ()
    channel: str | None = None
    day_from: date | None = None
    day_to: date | None = None


@dataclass(frozen=True)
class Counted:
    """Per target unit: the report matrix row (tally keys in `keys` order, then the
    composite moments) and the alpha moments (`a:` keys, `alpha_keys` order) of its
    subtree."""

    matrix: np.ndarray
    alpha: np.ndarray
    alpha_keys: list[str]

    def alpha_counts(self, rows: slice | int = slice(None)) -> Counter[str]:
        """The alpha moments of one target, or summed over several, as tally keys."""
        sums = self.alpha[rows] if isinstance(rows, int) else self.alpha[rows].sum(axis=0)
        return Counter({k: v for k, v in zip(self.alpha_keys, sums.tolist(), strict=True) if v})


def _mask(layout: ColumnLayout, cols: Columns, sel: Selection) -> np.ndarray:
    keep = np.ones(cols.unit.shape[0], dtype=bool)
    for code, value in sel.answers:
        at = layout.single_column(code)
        options = dict(layout.single).get(code, ())
        if at is None or value not in options:
            return np.zeros_like(keep)  # no response holds that one value
        keep &= cols.answers[at] == options.index(value)
    if sel.channel is not None:
        if sel.channel not in CHANNELS:
            return np.zeros_like(keep)
        keep &= cols.channel == CHANNELS.index(sel.channel)
    if sel.day_from is not None:
        keep &= cols.day >= sel.day_from.toordinal()
    if sel.day_to is not None:
        keep &= cols.day <= sel.day_to.toordinal()
    return keep


@dataclass(frozen=True)
class _Plan:
    """Where each count goes: tally-key columns of the report matrix, alpha keys."""

    q: Questionnaire
    layout: ColumnLayout
    keys: Mapping[str, int]
    moments: "MomentLayout"

    @property
    def width(self) -> int:
        return len(self.keys) + self.moments.size

    def alpha_keys(self) -> list[str]:
        out = []
        for f in self.q.alpha_groups:
            out.append(f"a:{f.code}:n")
            out += [f"a:{f.code}:s:{i}" for i in f.items]
            out += [
                f"a:{f.code}:x:{f.items[i]}:{f.items[j]}"
                for i in range(len(f.items))
                for j in range(i, len(f.items))
            ]
        return out


def _counts(
    plan: _Plan, answers: np.ndarray, grp: np.ndarray, groups: int
) -> tuple[np.ndarray, np.ndarray]:
    """Report-matrix rows and alpha moments per group of the selected rows (`answers`:
    columns × rows, `grp`: each row's group)."""
    layout, keys = plan.layout, plan.keys
    out = np.zeros((groups, plan.width), dtype=np.int64)
    alpha_keys = plan.alpha_keys()
    alpha = np.zeros((groups, len(alpha_keys)), dtype=np.int64)
    if grp.size == 0:
        return out, alpha
    if "n" in keys:
        out[:, keys["n"]] = np.bincount(grp, minlength=groups)

    def histogram(col: int, labels: Sequence[str]) -> None:
        k = len(labels)
        v = answers[col].astype(np.int64)
        h = np.bincount(grp * (k + 1) + (v + 1), minlength=groups * (k + 1))
        h = h.reshape(groups, k + 1)
        for i, key in enumerate(labels):
            at = keys.get(key)
            if at is not None:
                out[:, at] = h[:, i + 1]

    for c, code in enumerate(layout.scale):
        histogram(c, [f"{code}={v}" for v in layout.values])
    for i, (code, options) in enumerate(layout.single):
        histogram(len(layout.scale) + i, [f"{code}={o}" for o in options])
    col = len(layout.scale) + len(layout.single)
    for code, options in layout.multi:
        for key in [f"{code}#", *(f"{code}={o}" for o in options)]:
            at = keys.get(key)
            if at is not None:
                picked = answers[col] == 1
                out[:, at] = np.bincount(grp[picked], minlength=groups)
            col += 1
    _moments(plan, answers, grp, groups, out[:, len(keys) :], alpha)
    return out, alpha


def _moments(
    plan: _Plan,
    answers: np.ndarray,
    grp: np.ndarray,
    groups: int,
    out: np.ndarray,
    alpha: np.ndarray,
) -> None:
    """The composite moments (MomentLayout) and alpha moments of each group, from
    per-group matrix products.

    The sum over a unit's respondents of the product of two items' indicators or
    scores is one entry of A Bᵀ, with A and B the unit's [answered (d), top-2-box (t),
    score (x)] × respondents: D·Dᵀ gives every pair's n, T·Dᵀ t1 and t2, X·Dᵀ x1 and
    x2, T·Tᵀ tt and X·Xᵀ xx; per factor, [complete, complete × score] times itself
    gives alpha's n, sums and cross-products. A few BLAS products per unit instead
    of a row per respondent and pair. Exact: the products are integers, float32
    holds them exactly while a sum stays below 2²⁴ (GROUP_ROWS rows × 25 at most),
    and partial sums are added in int64.
    """
    q, layout, ml = plan.q, plan.layout, plan.moments
    order = np.argsort(grp, kind="stable")
    grp = grp[order]
    bounds = np.searchsorted(grp, np.arange(groups + 1))
    # Respondents × scale scores (0: no valid answer), in group order and row-major:
    # BLAS multiplies row slices of it at full speed (column slices of the transpose
    # fall off its path).
    codes = np.ascontiguousarray(answers[: len(layout.scale)][:, order].T)
    if layout.values == tuple(range(1, len(layout.values) + 1)):
        scored = codes.astype(np.float32) + 1  # value index i is the value i + 1
    else:
        values = np.array([0, *layout.values], dtype=np.float32)
        scored = values[codes.astype(np.intp) + 1]
    scale_cols = {code: i for i, code in enumerate(layout.scale)}

    def scores(codes: Sequence[str]) -> np.ndarray:  # rows × items
        return scored[:, [scale_cols[c] for c in codes]]

    members = list(ml.members)
    k = len(members)
    n = len(grp)
    sizes = [1 + len(f.items) for f in q.alpha_groups]
    z = np.empty((n, 3 * k + sum(sizes)), dtype=np.float32)
    x = scores(members)
    z[:, 2 * k : 3 * k] = x
    z[:, :k] = x > 0
    satisfied = q.satisfied_mask(members, x)
    z[:, k : 2 * k] = satisfied & (x > 0)
    d = z[:, :k]
    at = 3 * k
    for factor, size in zip(q.alpha_groups, sizes, strict=True):
        xf = scores(factor.items)
        complete = np.asarray((xf > 0).all(axis=1))
        z[:, at] = complete
        z[:, at + 1 : at + size] = xf * complete[:, None]
        at += size
    first, second = np.triu_indices(k, 1)
    # Gram positions of each PAIR_STATS statistic, in MomentLayout order (z's columns:
    # d, t, x of each member, then each factor's complete and complete × scores).
    ri = np.concatenate([first, k + first, first, k + first, 2 * k + first, first, 2 * k + first])
    ci = np.concatenate(
        [second, second, k + second, k + second, second, 2 * k + second, 2 * k + second]
    )
    alpha_at: list[tuple[int, int]] = []  # Gram positions of alpha's moments, in key order
    at = 3 * k
    for size in sizes:
        alpha_at += [
            (at + int(a), at + int(b)) for a, b in zip(*np.triu_indices(size), strict=True)
        ]
        at += size
    base = 7 * ml.pairs
    factor_cols = [[members.index(i) for i in g.leaves if i in members] for g in q.groups]
    for f, fc in enumerate(factor_cols):
        answered = d[:, fc].any(axis=1) if fc else np.zeros(n, dtype=bool)
        out[:, base + f] = np.bincount(grp[answered], minlength=groups)
    out[:, base + len(factor_cols)] = np.bincount(grp[d.any(axis=1)], minlength=groups)
    # One product per unit (small matrices: one call costs less than several).
    ri = np.concatenate([ri, [at for at, _ in alpha_at]])
    ci = np.concatenate([ci, [b for _, b in alpha_at]])
    for g in np.flatnonzero(np.diff(bounds)).tolist():
        lo, hi = int(bounds[g]), int(bounds[g + 1])
        for start in range(lo, hi, GROUP_ROWS):
            part = z[start : min(hi, start + GROUP_ROWS)]
            got = (part.T @ part)[ri, ci].astype(np.int64)
            out[g, :base] += got[:base]
            alpha[g] += got[base:]


def filtered(
    session: Session,
    q: Questionnaire,
    campaign_id: int,
    targets: Sequence[int],
    keys: Mapping[str, int],
    moments: "MomentLayout",
    sel: Selection,
) -> Counted:
    """The counts of each target unit's subtree over the selected counted responses."""
    plan = _Plan(q, column_layout(q), keys, moments)
    closure = (
        session.connection()
        .execute(
            select(UnitAncestor.unit_id, UnitAncestor.ancestor_id).where(
                UnitAncestor.ancestor_id.in_(list(targets))
            )
        )
        .all()
    )
    blocks = read(session, campaign_id, q)
    pairs = np.array(closure, dtype=np.int64).reshape(-1, 2)
    target_row = {uid: i for i, uid in enumerate(targets)}
    pair_target = np.array([target_row[a] for a in pairs[:, 1].tolist()], dtype=np.int64)
    below, own = np.unique(pairs[:, 0], return_inverse=True)
    top = max([int(below.max(initial=0)), *(int(b.unit.max(initial=0)) for b in blocks)]) + 1
    # Each row's group: its target when every unit lies under one target (the usual
    # report: disjoint subtrees), else its own unit, summed into targets afterwards.
    disjoint = len(below) == len(pairs)
    lut = np.full(top, -1, dtype=np.int64)
    lut[pairs[:, 0]] = pair_target if disjoint else own
    groups = len(targets) if disjoint else len(below)
    # Only the kept rows are copied out of the blocks, block by block.
    kept: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for b in blocks:
        g = lut[b.unit]
        at = np.flatnonzero(_mask(plan.layout, b, sel) & (g >= 0))
        kept.append((g[at], b.sign[at], b.answers[:, at]))
    grp = np.concatenate([k[0] for k in kept]) if kept else np.zeros(0, dtype=np.int64)
    sign = np.concatenate([k[1] for k in kept]) if kept else np.zeros(0, dtype=np.int8)
    answers = (
        np.concatenate([k[2] for k in kept], axis=1)
        if kept
        else np.zeros((plan.layout.width, 0), dtype=np.int8)
    )
    plus = sign > 0
    if plus.all():
        out, alpha = _counts(plan, answers, grp, groups)
    else:
        out, alpha = _counts(plan, answers[:, plus], grp[plus], groups)
        minus = sign < 0
        less, fewer = _counts(plan, answers[:, minus], grp[minus], groups)
        out -= less
        alpha -= fewer
    if not disjoint:
        by_target = np.zeros((len(targets), plan.width), dtype=np.int64)
        np.add.at(by_target, pair_target, out[own])
        alpha_t = np.zeros((len(targets), alpha.shape[1]), dtype=np.int64)
        np.add.at(alpha_t, pair_target, alpha[own])
        out, alpha = by_target, alpha_t
    return Counted(out, alpha, plan.alpha_keys())
