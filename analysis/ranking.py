"""Comparing units: medians, competition ranks, top and bottom lists, changes."""

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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


def competition_ranks(
    values: Mapping[str, float | None], higher_is_better: bool = True
) -> dict[str, int]:
    """Standard competition ranking ("1224"): ties share the best rank, the next rank skips.

    Parameters
    ----------
    values : mapping of key to value
        Units with no value (None) get no rank.
    higher_is_better : bool
        True for satisfaction (1 = highest).

    Returns
    -------
    dict
        Rank per key, 1 = best.

    Notes
    -----
    The rank of x is 1 + the number of units strictly better than x.
    """
    present = {k: v for k, v in values.items() if v is not None}
    ordered = sorted(present.values(), reverse=higher_is_better)
    first: dict[float, int] = {}
    for i, v in enumerate(ordered):
        first.setdefault(v, i + 1)
    return {k: first[v] for k, v in present.items()}


@dataclass(frozen=True)
class TopBottom:
    top: list[str]
    bottom: list[str]


def top_bottom(values: Mapping[str, float | None], n: int = 5) -> TopBottom:
    """The n best and n worst units (ties broken by key for a stable list)."""
    if n < 0:
        raise ValueError("n must not be negative")
    present = sorted(
        ((v, k) for k, v in values.items() if v is not None), key=lambda t: (-t[0], t[1])
    )
    return TopBottom([k for _, k in present[:n]], [k for _, k in present[::-1][:n]])


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
