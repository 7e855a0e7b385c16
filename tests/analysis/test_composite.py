"""Linearised composite intervals: hand-computed variances, additivity, and coverage."""

import numpy as np
import pytest
from scipy.stats import norm

from analysis.composite import (
    Linearised,
    PairMoments,
    composite_indices,
    linearised_means,
    moments_of_answers,
)
from analysis.indices import Estimates, composites, proportions
from analysis.intervals import t_quantile


def test_one_item_without_gaps_is_the_variance_of_a_mean() -> None:
    y = np.array([[1.0], [0.0], [1.0], [1.0]])
    lin = linearised_means(moments_of_answers(y, y >= 0), [[0]], np.array([4]))
    # p = 3/4, Σ(y − p)² = 3/16 + 9/16 = 0.75; n/(n−1) × 0.75 / 4² = s²/n = 0.0625.
    assert lin.value[0] == pytest.approx(0.75)
    assert lin.se[0] ** 2 == pytest.approx((0.75 / 3) / 4)
    assert lin.n[0] == 4


def test_non_response_enters_as_a_ratio_estimator() -> None:
    # Two groups: (items 0, 1) and (item 2). Respondent 2 skipped item 0, respondent 4
    # items 1 and 2.
    y = np.array([[5, 4, 3], [2, 5, 4], [0, 3, 5], [4, 1, 2], [3, 0, 0]], dtype=float)
    valid = y > 0
    lin = linearised_means(moments_of_answers(y, valid), [[0, 1], [2]], np.array([5]))
    r = np.array([y[valid[:, i], i].mean() for i in range(3)])
    w = np.array([0.25, 0.25, 0.5])
    z = ((w / valid.sum(axis=0)) * np.where(valid, y - r, 0.0)).sum(axis=1)
    assert lin.value[0] == pytest.approx(((r[0] + r[1]) / 2 + r[2]) / 2)
    assert lin.se[0] ** 2 == pytest.approx(5 / 4 * (z**2).sum())


def test_moments_add_up_across_units() -> None:
    rng = np.random.default_rng(1)
    a, b = rng.integers(0, 6, (20, 4)), rng.integers(0, 6, (30, 4))
    ma, mb = moments_of_answers(a, a > 0), moments_of_answers(b, b > 0)
    both = moments_of_answers(np.vstack([a, b]), np.vstack([a, b]) > 0)
    summed = PairMoments(ma.n + mb.n, ma.s + mb.s, ma.ss + mb.ss)
    for m in (summed, both):
        assert np.allclose(m.n, both.n)
        assert np.allclose(m.s, both.s)
    one = linearised_means(both, [[0, 1], [2, 3]], np.array([50]))
    two = linearised_means(summed, [[0, 1], [2, 3]], np.array([50]))
    assert one.se[0] == pytest.approx(two.se[0])


def test_intervals_none_below_two_and_never_zero_width() -> None:
    plain = Estimates(np.array([100.0, 50.0]), np.zeros(2), np.zeros(2), np.array([30, 1]))
    lin = Linearised(np.array([1.0, 0.5]), np.array([0.0, np.nan]), np.array([30, 1]))
    e = composite_indices(lin, "top2box", [1, 2, 3, 4, 5], plain)
    # All 30 satisfied: Wilson at 30 (88.6–100), not a zero-width claim of certainty.
    assert e.low[0] == pytest.approx(proportions(np.array([30]), np.array([30])).low[0])
    assert e.high[0] == 100.0
    assert np.isnan(e.low[1])
    assert np.isnan(e.high[1])


FACTORS = ((0, 1, 2, 3), (4, 5, 6, 7, 8), (9, 10, 11, 12, 13, 14), (15, 16, 17), (18, 19, 20, 21))
CUTS = np.array([-1.6, -0.9, -0.2, 0.9])  # latent → answers 1..5


def _coverage(n: int, rule: str, rng: np.random.Generator, units: int = 2000) -> float:
    """Share of `units` simulated units whose 95 % SIPAS interval holds the true SIPAS.

    Answers come from a latent normal per respondent shared by all 22 criteria (their
    correlation is 0.64) plus item noise, cut into the 1–5 scale; 12 % of answers are
    missing at random. The true value follows from the normal distribution exactly.
    """
    k = 22
    loc = np.linspace(-0.2, 0.9, k)  # items differ in how satisfied people are
    p_above = norm.sf(CUTS[None, :] - loc[:, None])  # P(answer > c-th cut), items × cuts
    truth_item = p_above[:, 2] if rule == "top2box" else 1 + p_above.sum(axis=1)
    truth = np.mean([truth_item[list(f)].mean() for f in FACTORS])
    hits = 0
    for start in range(0, units, 250):
        b = min(250, units - start)
        latent = 0.8 * rng.normal(size=(b, n, 1)) + 0.6 * rng.normal(size=(b, n, k)) + loc
        x = 1 + (latent[..., None] > CUTS).sum(axis=-1)
        valid = rng.random((b, n, k)) > 0.12
        y = np.where(valid, (x >= 4) if rule == "top2box" else x, 0).astype(float)
        d = valid.astype(float)
        yt = y.transpose(0, 2, 1)  # batched matrix products: BLAS, not einsum loops
        m = PairMoments(d.transpose(0, 2, 1) @ d, yt @ d, yt @ y)
        lin = linearised_means(m, FACTORS, valid.any(axis=2).sum(axis=1))
        half = t_quantile(lin.n) * lin.se
        hits += int((np.abs(lin.value - truth) <= half).sum())
    return hits / units


@pytest.mark.parametrize("n", [30, 400])
def test_the_95_interval_covers_95_percent_in_simulation(n: int) -> None:
    rng = np.random.default_rng(16_000 + n)
    for rule in ("top2box", "mean20"):
        assert 0.93 <= _coverage(n, rule, rng) <= 0.97, rule


def test_linearised_is_narrower_than_wilson_at_the_smallest_n() -> None:
    # The old rule's 34.5 points at n = 30 came from treating 22 correlated criteria
    # as one proportion; the linearised interval uses their actual covariance.
    rng = np.random.default_rng(3)
    x = 1 + (0.8 * rng.normal(size=(30, 1)) + 0.6 * rng.normal(size=(30, 22)) > -0.2)
    y = (x + 2 >= 4).astype(float)
    lin = linearised_means(moments_of_answers(y, y >= 0), FACTORS, np.array([30]))
    parts = [proportions(y[:, [i]].sum(axis=0), np.array([30])) for i in range(22)]
    factors = [composites([parts[i] for i in f]) for f in FACTORS]
    plain = composites(factors)
    new = composite_indices(lin, "top2box", [1, 2, 3, 4, 5], plain)
    assert new.high[0] - new.low[0] < 0.8 * (plain.high[0] - plain.low[0])
