"""Comparing units: medians, competition ranks, top and bottom lists, changes."""

import math
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

import numpy as np


def median(values: Sequence[float | None]) -> float | None:
    """Median of the values present (giá trị trung vị); None if there are none.

    Notes
    -----
    The ordinary sample median: the middle value, or the mean of the two middle
    values for an even count. Callers pass only units that are compared, i.e.
    not flagged for a small sample.
    """
    present = [v for v in values if v is not None]
    return statistics.median(present) if present else None


# Float noise below this is not a difference: composites are float sums whose last
# digits depend on the order of their terms (66.47222222222223 vs …21 for the same
# rational), so values are first rounded here, then to the published precision.
NOISE_DIGITS = 9


def rank_key(value: float, precision: int | None = 2) -> Decimal:
    """The value units are compared on: rounded half-up to `precision` decimals (as
    the figure is published), after rounding away float noise at 1e-9.

    `precision=None` compares at 1e-9 only (mathematically equal values still tie).
    """
    clean = Decimal(repr(round(value, NOISE_DIGITS)))
    if precision is None:
        return clean
    return clean.quantize(Decimal(1).scaleb(-precision), rounding=ROUND_HALF_UP)


def competition_ranks(
    values: Mapping[str, float | None],
    higher_is_better: bool = True,
    precision: int | None = 2,
) -> dict[str, int]:
    """Standard competition ranking ("1224"): ties share the best rank, the next rank skips.

    Parameters
    ----------
    values : mapping of key to value
        Units with no value (None) get no rank.
    higher_is_better : bool
        True for satisfaction (1 = highest).
    precision : int or None
        Decimals the values are compared at (see :func:`rank_key`): units whose
        published figures are equal share a rank.

    Returns
    -------
    dict
        Rank per key, 1 = best.

    Notes
    -----
    The rank of x is 1 + the number of units strictly better than x at that precision.
    """
    keys = {k: rank_key(v, precision) for k, v in values.items() if v is not None}
    ordered = sorted(keys.values(), reverse=higher_is_better)
    first: dict[Decimal, int] = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i + 1)
    return {k: first[v] for k, v in keys.items()}


@dataclass(frozen=True)
class TopBottom:
    top: list[str]
    bottom: list[str]


def top_bottom(
    values: Mapping[str, float | None], n: int = 5, precision: int | None = 2
) -> TopBottom:
    """The n best and n worst units, each list holding every unit tied at its cut-off.

    The top list runs best first, the bottom list worst first; within a tie both
    order units by key, so a tied group reads the same in either list.
    """
    if n < 0:
        raise ValueError("n must not be negative")
    keyed = [(rank_key(v, precision), k) for k, v in values.items() if v is not None]
    best_first = sorted(keyed, key=lambda t: (-t[0], t[1]))
    worst_first = sorted(keyed, key=lambda t: (t[0], t[1]))

    def cut(ordered: list[tuple[Decimal, str]]) -> list[str]:
        if n == 0 or not ordered:
            return []
        edge = ordered[min(n, len(ordered)) - 1][0]
        taken = ordered[:n] + [t for t in ordered[n:] if t[0] == edge]
        return [k for _, k in taken]

    return TopBottom(cut(best_first), cut(worst_first))


@dataclass(frozen=True)
class Change:
    points: float | None
    rank: int | None


def change(
    value: float | None, previous: float | None, rank: int | None, previous_rank: int | None
) -> Change:
    """Change since the previous campaign: points (value − previous) and places
    climbed (previous rank − rank, positive = better)."""
    points = value - previous if value is not None and previous is not None else None
    places = previous_rank - rank if rank is not None and previous_rank is not None else None
    return Change(points, places)


def median_of(values: "np.ndarray", include: "np.ndarray") -> float | None:
    """:func:`median` of the entries of `values` where `include` is true, ignoring nan."""
    chosen = np.asarray(values, dtype=float)[np.asarray(include, dtype=bool)]
    chosen = chosen[~np.isnan(chosen)]
    return float(np.median(chosen)) if chosen.size else None


@dataclass(frozen=True)
class RankIntervals:
    """Per unit (in the order given): the best and worst rank of its 95 % rank interval."""

    best: np.ndarray
    worst: np.ndarray


def rank_intervals(
    values: "np.ndarray",
    se: "np.ndarray",
    ranks: "np.ndarray",
    *,
    replicates: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> RankIntervals:
    """Rank intervals by a parametric bootstrap of the units' estimates.

    Parameters
    ----------
    values, se : arrays of float
        Each unit's estimate and its standard error (nan or 0: taken as exact).
    ranks : array of int
        Each unit's published rank (1 = best); the interval always holds it.
    replicates : int
        Bootstrap replicates.
    seed : int
        Seed of the generator: the same inputs and seed give the same intervals.
    confidence : float
        Level of the interval.

    Returns
    -------
    RankIntervals
        best ≤ rank ≤ worst, as ints (competition ranks within the units given).

    Notes
    -----
    In replicate *b* each unit's value is drawn as :math:`v_u^{(b)} = \\hat v_u + se_u
    Z_{ub}` with independent standard normal :math:`Z` (units are independent
    samples), and the units are ranked, 1 = highest. The interval is the
    :math:`(1-\\gamma)/2` and :math:`(1+\\gamma)/2` quantiles of each unit's
    replicate ranks (observed values, so whole places), widened if needed to hold
    the published rank (which is taken at the published precision, where ties share
    the better rank). Replicates are drawn in blocks, so memory stays at a few
    megabytes per block beside the replicates × units ranks (int32).

    References
    ----------
    Goldstein, H. & Spiegelhalter, D. J. (1996). League tables and their
    limitations: statistical issues in comparisons of institutional performance.
    JRSS A 159(3), 385–443. Hall, P. & Miller, H. (2009). Using the bootstrap to
    quantify the authority of an empirical ranking. Annals of Statistics 37(6B).
    """
    v = np.asarray(values, dtype=float)
    s = np.nan_to_num(np.asarray(se, dtype=float), nan=0.0)
    r = np.asarray(ranks, dtype=np.int64)
    if v.shape != s.shape or v.shape != r.shape or v.ndim != 1:
        raise ValueError("values, se and ranks must be one-dimensional and of one length")
    if replicates < 1 or not 0 < confidence < 1:
        raise ValueError("replicates must be positive and confidence between 0 and 1")
    if np.isnan(v).any() or (s < 0).any():
        raise ValueError("values must be numbers and standard errors not negative")
    units = v.size
    if units == 0:
        return RankIntervals(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    rng = np.random.default_rng(seed)
    out = np.empty((replicates, units), dtype=np.int32)
    block = max(1, 2_000_000 // units)
    ladder = np.arange(1, units + 1, dtype=np.int32)
    for start in range(0, replicates, block):
        b = min(block, replicates - start)
        draws = v + s * rng.standard_normal((b, units))
        order = np.argsort(-draws, axis=1, kind="stable")
        ranked = np.take_along_axis(draws, order, axis=1)
        # Competition ranks: equal draws (exact, tied values) share the first place of
        # their run, as published ranks do.
        new = np.ones((b, units), dtype=bool)
        new[:, 1:] = ranked[:, 1:] != ranked[:, :-1]
        first = np.maximum.accumulate(np.where(new, ladder, 0), axis=1).astype(np.int32)
        placed = np.empty((b, units), dtype=np.int32)
        np.put_along_axis(placed, order, first, axis=1)
        out[start : start + b] = placed
    gamma = (1 - confidence) / 2
    # The inverted-CDF quantile q of B values is the ceil(qB)-th smallest.
    lo_at = max(0, math.ceil(gamma * replicates) - 1)
    hi_at = min(replicates - 1, math.ceil((1 - gamma) * replicates) - 1)
    part = np.partition(out, (lo_at, hi_at), axis=0)
    low, high = part[lo_at].astype(np.int64), part[hi_at].astype(np.int64)
    return RankIntervals(np.minimum(low, r), np.maximum(high, r))


def versus_median(low: float | None, high: float | None, median_value: float | None) -> str | None:
    """'above' if the unit's interval lies wholly above the median, 'below' if wholly
    below, else 'indistinguishable'; None without a median."""
    if median_value is None:
        return None
    if low is not None and low > median_value:
        return "above"
    if high is not None and high < median_value:
        return "below"
    return "indistinguishable"
