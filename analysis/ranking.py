"""Comparing units: medians, competition ranks, top and bottom lists, changes."""

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
