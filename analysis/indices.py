"""SIPAS indices (sipas-method.md §3): criterion, factor, overall, perception rates.

All figures are percentages from 0 to 100, unrounded. A *valid answer* is one on
the 1–5 scale; "not applicable" and missing answers are never in a denominator.
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from analysis.intervals import mean_interval, t_quantile, wilson, wilson_arrays, wilson_p

CriterionRule = Literal["top2box", "mean20", "rescaled"]
INTERVAL_METHODS = {
    "proportion": "wilson",
    "mean": "t",
    "composite": "linearised",
}


@dataclass(frozen=True)
class Estimate:
    """A figure with its 95 % interval and the number of answers behind it.

    `value` and `ci` are None when n is 0 (nothing to estimate from).
    """

    value: float | None
    ci: tuple[float, float] | None
    n: int
    method: str


def _empty(method: str) -> Estimate:
    return Estimate(None, None, 0, method)


def proportion(k: int, n: int) -> Estimate:
    """Share k/n in percent with its Wilson interval.

    Notes
    -----
    Used for criterion indices under top-2-box and for every perception,
    timeliness and expectation rate. See :func:`analysis.intervals.wilson`.
    """
    if n == 0:
        return _empty("wilson")
    return Estimate(100 * k / n, wilson(k, n), n, "wilson")


def criterion_index(
    counts: Mapping[int, int],
    rule: CriterionRule = "top2box",
    satisfied: Sequence[int] = (4, 5),
    scale: Sequence[int] = (1, 2, 3, 4, 5),
) -> Estimate:
    """Index of one criterion from the number of answers per scale value.

    Parameters
    ----------
    counts : mapping of int to int
        Answers per value; values outside `scale` (0 = not applicable) are ignored.
    rule : {"top2box", "mean20", "rescaled"}
        top2box: % of valid answers in `satisfied` (4 and 5, "hài lòng và rất hài
        lòng"). mean20: mean score × 20. rescaled: (mean − 1)/(5 − 1) × 100.
    satisfied, scale : sequences of int
        The satisfied values and the valid values of the scale.

    Returns
    -------
    Estimate
        Percent with a Wilson interval (top2box) or a normal interval on the mean
        (mean20, rescaled), and n = number of valid answers.

    Notes
    -----
    .. math:: I_{top2} = 100\\,\\frac{n_4 + n_5}{\\sum_{v=1}^5 n_v}, \\quad
              I_{mean20} = 20\\,\\bar x, \\quad I_{rescaled} = 100\\,\\frac{\\bar x - 1}{4}

    References
    ----------
    sipas-method.md §3; Bộ Nội vụ, SIPAS reports ("tỷ lệ hài lòng"); Bộ Công an 2020
    ("hài lòng và rất hài lòng").
    """
    valid = {v: counts.get(v, 0) for v in scale}
    if any(c < 0 for c in valid.values()):
        raise ValueError("counts must not be negative")
    n = sum(valid.values())
    if rule == "top2box":
        return proportion(sum(valid[v] for v in satisfied if v in valid), n)
    if n == 0:
        return _empty("normal")
    lo, hi = min(scale), max(scale)
    mean = sum(v * c for v, c in valid.items()) / n
    var = sum(c * (v - mean) ** 2 for v, c in valid.items()) / (n - 1) if n > 1 else 0.0
    ci = mean_interval(mean, math.sqrt(var), n, (lo, hi))
    if rule == "mean20":

        def f(x: float) -> float:
            return x * 100 / hi

    elif rule == "rescaled":

        def f(x: float) -> float:
            return 100 * (x - lo) / (hi - lo)

    else:
        raise ValueError(f"unknown rule {rule!r}")
    return Estimate(f(mean), (f(ci[0]), f(ci[1])) if ci else None, n, "t")


def composite(parts: Sequence[Estimate]) -> Estimate:
    """Unweighted mean of indices (criteria → factor, factors → SIPAS).

    Parameters
    ----------
    parts : sequence of Estimate
        The component indices; components with no valid answer are left out, and
        the result has no value if none has one.

    Returns
    -------
    Estimate
        The mean, n = the smallest n among the components used, and an interval
        from :func:`wilson` at that value and n ("wilson-min-n").

    Notes
    -----
    .. math:: I_F = \\frac{1}{J} \\sum_{j=1}^{J} I_j

    The report publishes this value with the linearised interval of
    :func:`analysis.composite.composite_indices` instead (this interval only stands
    in where that one's variance is 0). The components are answered by the same
    people and move together, so the
    variance of their mean is close to that of one component. The interval treats
    the composite as one proportion observed on the smallest component n: exact
    when all components agree respondent by respondent, wider than necessary (so
    conservative) when they do not. It avoids pretending that J correlated items
    are J independent samples.
    """
    used = [p for p in parts if p.value is not None]
    if not used:
        return _empty("wilson-min-n")
    value = sum(p.value for p in used if p.value is not None) / len(used)
    n = min(p.n for p in used)
    return Estimate(value, wilson_p(min(1.0, max(0.0, value / 100)), n), n, "wilson-min-n")


@dataclass(frozen=True)
class Timeliness:
    early: Estimate
    on_time: Estimate
    late: Estimate
    on_time_or_early: Estimate


def timeliness(early: int, on_time: int, late: int) -> Timeliness:
    """Early, on-time, late and on-time-or-earlier rates among those who received a result.

    Notes
    -----
    Denominator n = early + on_time + late; "on time" excludes "early", as the
    Lai Châu 2017 report does (on time 92.30 % of which early 1.20 %: the 92.30 is
    on-time-or-earlier).
    """
    n = early + on_time + late
    return Timeliness(
        proportion(early, n),
        proportion(on_time, n),
        proportion(late, n),
        proportion(early + on_time, n),
    )


# --- The same figures for many units at once -------------------------------------
# A report computes ~130 figures for each of up to thousands of units; these take
# one array per figure (one entry per unit) and give the same numbers as the scalar
# functions above, which stay the readable reference (tests compare the two).


@dataclass(frozen=True)
class Estimates:
    """One figure for many units: values and bounds in percent (nan = none), and n;
    `se` the standard error in percent where the interval comes from one (composites)."""

    value: np.ndarray
    low: np.ndarray
    high: np.ndarray
    n: np.ndarray
    se: np.ndarray | None = None


def proportions(k: np.ndarray, n: np.ndarray) -> Estimates:
    """Vectorised :func:`proportion`."""
    k = np.asarray(k, dtype=float)
    n = np.asarray(n, dtype=np.int64)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    low, high = wilson_arrays(np.nan_to_num(p), n)
    return Estimates(100 * p, low, high, n)


def criterion_indices(
    dist: np.ndarray,
    rule: CriterionRule = "top2box",
    satisfied: Sequence[int] = (4, 5),
    scale: Sequence[int] = (1, 2, 3, 4, 5),
) -> Estimates:
    """Vectorised :func:`criterion_index`; `dist` is units × scale values (in `scale` order)."""
    dist = np.asarray(dist, dtype=float)
    n = dist.sum(axis=1).astype(np.int64)
    if rule == "top2box":
        cols = [i for i, v in enumerate(scale) if v in satisfied]
        return proportions(dist[:, cols].sum(axis=1), n)
    values = np.asarray(scale, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (dist * values).sum(axis=1) / n
        var = (dist * (values[None, :] - mean[:, None]) ** 2).sum(axis=1) / (n - 1)
        half = t_quantile(n) * np.sqrt(var) / np.sqrt(n)  # nan for n < 2: no interval
    lo, hi = float(min(scale)), float(max(scale))
    low, high = np.clip(mean - half, lo, hi), np.clip(mean + half, lo, hi)
    if rule == "mean20":
        f = 100 / hi
        return Estimates(mean * f, low * f, high * f, n)
    if rule == "rescaled":
        g = 100 / (hi - lo)
        return Estimates((mean - lo) * g, (low - lo) * g, (high - lo) * g, n)
    raise ValueError(f"unknown rule {rule!r}")


def composites(parts: Sequence[Estimates]) -> Estimates:
    """Vectorised :func:`composite`: mean of the components present, n = their smallest n."""
    values = np.vstack([p.value for p in parts])
    ns = np.vstack([p.n for p in parts]).astype(float)
    present = ~np.isnan(values)
    count = present.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(count > 0, np.nansum(values, axis=0) / np.maximum(count, 1), np.nan)
    n = np.where(present, ns, np.inf).min(axis=0)
    n = np.where(np.isinf(n), 0, n).astype(np.int64)
    low, high = wilson_arrays(np.clip(np.nan_to_num(value) / 100, 0, 1), n)
    return Estimates(value, low, high, n)
