"""Confidence intervals for proportions and means, on the 0–100 percent scale."""

import math

import numpy as np
from scipy import stats
from scipy.stats import norm

Z95 = float(norm.ppf(0.975))


def wilson(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a proportion k/n, in percent.

    Parameters
    ----------
    k : int
        Successes, 0 <= k <= n.
    n : int
        Trials, n >= 1.
    z : float
        Normal quantile; 1.959964 for 95 %.

    Returns
    -------
    tuple of float
        (low, high) in percent, 0 <= low <= 100 k/n <= high <= 100.

    Notes
    -----
    With :math:`\\hat p = k/n`,

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    Unlike the Wald interval it stays inside [0, 1] and keeps its coverage near 0 and
    1, where satisfaction figures often sit (95 % and above).

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. JASA 22(158), 209–212. Brown, Cai & DasGupta (2001), Statistical
    Science 16(2), 101–133.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0 <= k <= n:
        raise ValueError(f"k must be between 0 and n={n}, got {k}")
    return wilson_p(k / n, n, z)


def wilson_p(p: float, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson interval of :func:`wilson` for a proportion p in [0, 1] observed on n."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be between 0 and 1, got {p}")
    z2 = z * z
    centre = p + z2 / (2 * n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    denom = 1 + z2 / n
    low = max(0.0, (centre - half) / denom)
    high = min(1.0, (centre + half) / denom)
    return 100 * low, 100 * high


def t_quantile(n: "int | np.ndarray", confidence: float = 0.95) -> "float | np.ndarray":
    """Two-sided Student t quantile with n − 1 degrees of freedom (nan for n < 2)."""
    df = np.asarray(n, dtype=float) - 1
    with np.errstate(invalid="ignore"):
        q = stats.t.ppf(0.5 + confidence / 2, np.where(df >= 1, df, np.nan))
    return float(q) if np.ndim(q) == 0 else q


def mean_interval(
    mean: float, sd: float, n: int, bounds: tuple[float, float] | None = None
) -> tuple[float, float] | None:
    """t interval mean ± t(n−1)·sd/√n (same units as the mean), clipped to `bounds`.

    None for n < 2: one answer says nothing about the spread (a zero-width interval
    would claim certainty). Clipped to the scale's range, since the mean of a bounded
    scale cannot leave it.
    """
    if n < 2:
        return None
    half = float(t_quantile(n)) * sd / math.sqrt(n)
    low, high = mean - half, mean + half
    if bounds is not None:
        low, high = max(bounds[0], low), min(bounds[1], high)
    return low, high


def wilson_arrays(
    p: "np.ndarray", n: "np.ndarray", z: float = Z95
) -> tuple["np.ndarray", "np.ndarray"]:
    """:func:`wilson_p` for arrays of proportions and sizes; nan where n == 0."""
    p = np.asarray(p, dtype=float)
    n = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z2 = z * z
        centre = p + z2 / (2 * n)
        half = z * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
        denom = 1 + z2 / n
        low = np.clip((centre - half) / denom, 0.0, 1.0) * 100
        high = np.clip((centre + half) / denom, 0.0, 1.0) * 100
    empty = n == 0
    low[empty] = np.nan
    high[empty] = np.nan
    return low, high
