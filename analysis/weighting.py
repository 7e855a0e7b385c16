"""A higher level's figure weighted by its strata's transaction (dossier) counts:
the post-stratified estimator, its stratified variance and design effect."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from analysis.intervals import Z95


@dataclass(frozen=True)
class Stratified:
    """A post-stratified estimate.

    `value` None when no stratum has both a value and a positive weight; `se`, `ci`,
    `deff` and `n_effective` None when some stratum used has no variance (fewer than
    2 answers) or the pooled variance is not known. `strata` counts the strata used
    and `weights` gives each stratum's W_h (0 for those not used)."""

    value: float | None
    se: float | None
    ci: tuple[float, float] | None
    n: int
    strata: int
    weights: tuple[float, ...]
    deff: float | None
    n_effective: float | None


def post_stratified(
    values: Sequence[float | None],
    variances: Sequence[float | None],
    ns: Sequence[int],
    transactions: Sequence[int],
    *,
    pooled_variance: float | None = None,
    bounds: tuple[float, float] = (0.0, 100.0),
) -> Stratified:
    """Post-stratified mean of stratum estimates, weighted by their transaction counts.

    Parameters
    ----------
    values : sequence of float or None
        ȳ_h, each stratum's estimate (None or nan: no answers in that stratum).
    variances : sequence of float or None
        v_h = s_h² / n_h, the variance of each stratum's estimate (None or nan: not
        known, e.g. fewer than 2 answers).
    ns : sequence of int
        n_h, the answers behind each stratum's estimate.
    transactions : sequence of int
        N_h, the transactions (dossiers) each stratum handled, all >= 0.
    pooled_variance : float, optional
        The variance of the pooled (simple random sample) estimate over the same
        answers, for the design effect.
    bounds : tuple of float
        The range of the figure; the interval is clipped to it.

    Returns
    -------
    Stratified

    Notes
    -----
    Over the strata S with an estimate and N_h > 0, with
    :math:`W_h = N_h / \\sum_{h \\in S} N_h`,

    .. math:: \\bar y_w = \\sum_{h \\in S} W_h \\bar y_h, \\qquad
              \\hat V(\\bar y_w) = \\sum_{h \\in S} W_h^2 \\frac{s_h^2}{n_h}

    (finite-population corrections ignored: the samples are small against the
    dossiers handled). Interval :math:`\\bar y_w \\pm 1.96 \\sqrt{\\hat V}`, clipped to
    `bounds`. Design effect :math:`deff = \\hat V(\\bar y_w) / \\hat V_{srs}` with
    :math:`\\hat V_{srs}` the variance of the pooled estimate over the same n
    answers, and effective sample size :math:`n_{eff} = n / deff`. Strata without an
    estimate are left out and the weights renormalised over the others, which
    assumes they resemble the strata that were sampled.

    References
    ----------
    Cochran, W. G. (1977). Sampling Techniques, 3rd ed., §5.3 (estimated variance of
    the stratified mean), §5A.9 (post-stratification). Lohr, S. L. (2019). Sampling:
    Design and Analysis, 2nd ed., §3.2 and §4.4 (post-stratification), §7.5 (design
    effects). Kish, L. (1965). Survey Sampling, §8.2.
    """
    k = len(values)
    if not (len(variances) == len(ns) == len(transactions) == k):
        raise ValueError("values, variances, ns and transactions must have one entry per stratum")
    if any(t is None or t < 0 for t in transactions):
        raise ValueError("transactions must be whole numbers >= 0")
    if any(n < 0 for n in ns):
        raise ValueError("ns must be >= 0")
    y = np.array([np.nan if v is None else v for v in values], dtype=float)
    v = np.array([np.nan if s is None else s for s in variances], dtype=float)
    big_n = np.asarray(transactions, dtype=float)
    used = ~np.isnan(y) & (big_n > 0)
    n = int(sum(int(c) for c, u in zip(ns, used.tolist(), strict=True) if u))
    if not used.any():
        return Stratified(None, None, None, n, 0, (0.0,) * k, None, None)
    w = np.where(used, big_n / big_n[used].sum(), 0.0)
    value = float((w[used] * y[used]).sum())
    weights = tuple(float(x) for x in w)
    strata = int(used.sum())
    if np.isnan(v[used]).any() or (v[used] < 0).any():
        return Stratified(value, None, None, n, strata, weights, None, None)
    var = float((w[used] ** 2 * v[used]).sum())
    se = var**0.5
    lo, hi = bounds
    ci = (max(lo, value - Z95 * se), min(hi, value + Z95 * se))
    deff = n_eff = None
    if pooled_variance is not None and pooled_variance > 0 and var > 0:
        deff = var / pooled_variance
        n_eff = n / deff
    return Stratified(value, se, ci, n, strata, weights, deff, n_eff)


def proportion_variance(p: float | None, n: int) -> float | None:
    """The estimated variance of a share p (in percent) from n answers, in percent².

    Notes
    -----
    :math:`s^2/n` with :math:`s^2 = n\\,\\hat p(1-\\hat p)/(n-1)`, i.e.
    :math:`\\hat p(1-\\hat p)/(n-1)` (Cochran 1977, §5.20). None below 2 answers.
    """
    if p is None or n < 2 or p != p:
        return None
    share = p / 100.0
    return 100.0**2 * share * (1.0 - share) / (n - 1)


def proportion_variances(p: np.ndarray, n: np.ndarray) -> np.ndarray:
    """Vectorised :func:`proportion_variance` (nan where it is None)."""
    share = np.asarray(p, dtype=float) / 100.0
    nn = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(nn >= 2, 100.0**2 * share * (1.0 - share) / (nn - 1), np.nan)


def mean_variances(dist: np.ndarray, scale: Sequence[int], factor: float) -> np.ndarray:
    """The estimated variance s²/n of each row's mean score, times `factor`² (the
    index's points per scale point), from units × scale values counts; nan below 2
    answers.

    Notes
    -----
    :math:`s^2 = \\sum_v c_v (v - \\bar x)^2 / (n - 1)` (Cochran 1977, §2.4).
    """
    d = np.asarray(dist, dtype=float)
    values = np.asarray(scale, dtype=float)
    n = d.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = (d * values).sum(axis=1) / n
        s2 = (d * (values[None, :] - mean[:, None]) ** 2).sum(axis=1) / (n - 1)
        return np.where(n >= 2, s2 / n * factor**2, np.nan)
