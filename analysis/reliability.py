"""Reliability of a factor's items: Cronbach's alpha with Feldt's interval."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.stats import f as f_dist


@dataclass(frozen=True)
class Alpha:
    alpha: float | None
    ci: tuple[float, float] | None
    n: int
    k: int


@dataclass(frozen=True)
class Moments:
    """Sufficient statistics of k items over n complete respondents.

    `sums[i]` = Σ x_i and `cross[i][j]` = Σ x_i x_j over respondents who answered
    every item of the factor on the scale (listwise deletion). They add up across
    units, so a province's alpha comes from its units' moments.
    """

    n: int
    sums: Sequence[float]
    cross: Sequence[Sequence[float]]


def cronbach_alpha(moments: Moments, confidence: float = 0.95) -> Alpha:
    """Cronbach's alpha of k items with Feldt's confidence interval.

    Parameters
    ----------
    moments : Moments
        n, item sums and cross-product sums of the complete cases.
    confidence : float
        Level of the interval.

    Returns
    -------
    Alpha
        alpha (None when n < 2, k < 2 or the total has no variance) and its interval.

    Notes
    -----
    With item variances :math:`s_i^2` and total-score variance :math:`s_T^2`,

    .. math:: \\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\sum_i s_i^2}{s_T^2}\\right)

    The covariance matrix comes from the moments:
    :math:`C_{ij} = (\\Sigma x_i x_j - \\Sigma x_i \\Sigma x_j / n) / (n-1)`, and
    :math:`s_T^2 = \\sum_{ij} C_{ij}`. Feldt's interval, with
    :math:`d_1 = n-1`, :math:`d_2 = (n-1)(k-1)`:

    .. math:: \\left[1 - (1-\\alpha) F_{1-\\gamma/2}(d_1, d_2),\\;
                     1 - (1-\\alpha) F_{\\gamma/2}(d_1, d_2)\\right]

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    Psychometrika 16, 297–334. Feldt, L. S. (1965). The approximate sampling
    distribution of Kuder-Richardson reliability coefficient twenty. Psychometrika
    30, 357–370. Same computation as pingouin.cronbach_alpha and R psych::alpha.
    """
    k = len(moments.sums)
    n = moments.n
    if n < 0 or any(len(row) != k for row in moments.cross) or len(moments.cross) != k:
        raise ValueError("cross must be a k×k matrix matching sums, and n must not be negative")
    if n < 2 or k < 2:
        return Alpha(None, None, n, k)
    s = np.asarray(moments.sums, dtype=float)
    c = (np.asarray(moments.cross, dtype=float) - np.outer(s, s) / n) / (n - 1)
    total = float(c.sum())
    if total <= 0:
        return Alpha(None, None, n, k)
    alpha = k / (k - 1) * (1 - float(np.trace(c)) / total)
    gamma = 1 - confidence
    d1, d2 = n - 1, (n - 1) * (k - 1)
    low = 1 - (1 - alpha) * float(f_dist.ppf(1 - gamma / 2, d1, d2))
    high = 1 - (1 - alpha) * float(f_dist.ppf(gamma / 2, d1, d2))
    return Alpha(alpha, (low, high), n, k)


def moments_of(rows: Sequence[Sequence[float]]) -> Moments:
    """Moments of a respondents × items matrix (complete rows only)."""
    data = np.asarray(rows, dtype=float)
    if data.ndim != 2:
        raise ValueError("rows must be a respondents × items matrix")
    return Moments(int(data.shape[0]), data.sum(axis=0).tolist(), (data.T @ data).tolist())
