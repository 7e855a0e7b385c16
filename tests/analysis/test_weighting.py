"""The post-stratified (dossier-weighted) estimator against hand-computed values, and
its interval's coverage on a simulated stratified population."""

import math

import numpy as np
import pytest

from analysis.composite import linearised_means, moments_of_answers
from analysis.intervals import Z95
from analysis.weighting import (
    mean_variances,
    post_stratified,
    proportion_variance,
    proportion_variances,
)


def test_weighted_value_variance_and_design_effect_by_hand() -> None:
    # A service centre (16 answers, 50 %) with 20 % of the dossiers, two departments
    # (5 answers at 80 %, 4 at 75 %) with 40 % each.
    v = [proportion_variance(50, 16), proportion_variance(80, 5), proportion_variance(75, 4)]
    assert v == pytest.approx([1e4 * 0.25 / 15, 1e4 * 0.16 / 4, 1e4 * 0.1875 / 3])
    pooled = proportion_variance(60, 25)  # 15 of the 25 answers satisfied
    r = post_stratified([50, 80, 75], v, [16, 5, 4], [200, 400, 400], pooled_variance=pooled)
    assert r.value == pytest.approx(0.2 * 50 + 0.4 * 80 + 0.4 * 75)  # 72, pooled says 60
    var = 0.04 * 1e4 * 0.25 / 15 + 0.16 * 400 + 0.16 * 625
    assert r.se == pytest.approx(math.sqrt(var))
    assert r.ci == pytest.approx((72 - Z95 * math.sqrt(var), 72 + Z95 * math.sqrt(var)))
    assert r.deff == pytest.approx(var / 100)  # 1.71: the weights cost precision
    assert r.n_effective == pytest.approx(25 / (var / 100))
    assert (r.n, r.strata, r.weights) == (25, 3, pytest.approx((0.2, 0.4, 0.4)))


def test_strata_without_answers_or_dossiers_are_left_out_and_weights_renormalised() -> None:
    r = post_stratified(
        [None, 80.0, 60.0, 10.0], [None, 4.0, 9.0, 1.0], [0, 10, 10, 5], [50, 1, 3, 0]
    )
    # The first has no answers, the last no dossiers: 80 and 60 weighted 1 : 3.
    assert r.value == pytest.approx(65.0)
    assert r.weights == pytest.approx((0.0, 0.25, 0.75, 0.0))
    assert r.se == pytest.approx(math.sqrt(0.0625 * 4 + 0.5625 * 9))
    assert (r.n, r.strata) == (20, 2)
    assert r.deff is None  # no pooled variance given


def test_no_interval_when_a_stratum_used_has_no_variance() -> None:
    r = post_stratified([80.0, 40.0], [4.0, None], [10, 1], [1, 1])
    assert r.value == pytest.approx(60.0)
    assert (r.se, r.ci, r.deff) == (None, None, None)


def test_interval_is_clipped_to_the_figures_range() -> None:
    r = post_stratified([99.0, 98.0], [4.0, 4.0], [30, 30], [1, 1], bounds=(0.0, 100.0))
    assert r.ci is not None
    assert r.ci[1] == 100.0
    low = post_stratified([22.0], [25.0], [30], [5], bounds=(20.0, 100.0))
    assert low.ci is not None
    assert low.ci[0] == 20.0


def test_nothing_to_weight() -> None:
    r = post_stratified([None, 50.0], [None, 1.0], [0, 3], [10, 0])
    assert (r.value, r.ci, r.strata, r.n) == (None, None, 0, 0)


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="one entry per stratum"):
        post_stratified([1.0, 2.0], [1.0], [3, 3], [1, 1])
    with pytest.raises(ValueError, match="transactions"):
        post_stratified([1.0], [1.0], [3], [-1])
    with pytest.raises(ValueError, match="ns"):
        post_stratified([1.0], [1.0], [-3], [1])


def test_vectorised_variances_match_the_formulas() -> None:
    got = proportion_variances(np.array([50.0, 80.0, 100.0]), np.array([16, 1, 9]))
    assert got[0] == pytest.approx(1e4 * 0.25 / 15)
    assert math.isnan(got[1])  # one answer: no variance
    assert got[2] == 0.0
    # Scores 5, 5, 3, 1 on 1–5: mean 3.5, s² = (2.25·2 + 0.25 + 6.25)/3 = 11/3; mean20
    # index points per scale point: 20.
    dist = np.array([[1, 0, 1, 0, 2], [0, 0, 0, 0, 1]])
    mv = mean_variances(dist, [1, 2, 3, 4, 5], 20.0)
    assert mv[0] == pytest.approx(11 / 3 / 4 * 400)
    assert math.isnan(mv[1])


def test_the_weighted_interval_covers_the_population_value_95_percent() -> None:
    # A province: a service centre with most of the responses and few of the dossiers,
    # departments and communes with different satisfaction. Each simulated survey draws
    # respondents within each unit; the population value is the dossier-weighted mean of
    # the units' true satisfaction (the figure a citizen drawn from all dossiers meets).
    rng = np.random.default_rng(20261204)
    true_p = np.array([0.55, 0.82, 0.74, 0.90, 0.65])
    dossiers = np.array([2000, 3000, 2500, 1500, 1000])
    sample = np.array([320, 40, 35, 30, 45])
    target = float((dossiers / dossiers.sum() * true_p).sum() * 100)
    trials, covered, deffs = 2000, 0, []
    for _ in range(trials):
        k = rng.binomial(sample, true_p)
        p = 100 * k / sample
        v = [proportion_variance(float(x), int(n)) for x, n in zip(p, sample, strict=True)]
        pooled = proportion_variance(100 * k.sum() / sample.sum(), int(sample.sum()))
        r = post_stratified(
            p.tolist(), v, sample.tolist(), dossiers.tolist(), pooled_variance=pooled
        )
        assert r.ci is not None
        assert r.deff is not None
        covered += r.ci[0] <= target <= r.ci[1]
        deffs.append(r.deff)
    assert 0.93 <= covered / trials <= 0.97
    assert np.median(deffs) > 1.5  # weighting away from the sample's shares costs precision


def test_a_linearised_composite_combines_like_a_mean() -> None:
    # One stratum's SIPAS variance is its linearised variance: with every item answered
    # alike it is p(1 − p)/(n − 1), the variance the weighted figure then combines.
    answers = np.repeat(np.array([[1.0, 1.0], [0.0, 0.0]]), [12, 4], axis=0)
    lin = linearised_means(
        moments_of_answers(answers, np.ones_like(answers, dtype=bool)), [[0, 1]], np.array([16])
    )
    assert (1e4 * lin.se[0] ** 2) == pytest.approx(proportion_variance(75, 16))
