"""analysis/: every formula against hand-computed or published values."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.indices import (
    composite,
    composites,
    criterion_index,
    criterion_indices,
    proportion,
    timeliness,
)
from analysis.intervals import wilson
from analysis.ranking import change, competition_ranks, median, median_of, top_bottom
from analysis.reliability import Moments, cronbach_alpha, moments_of


def test_wilson_against_hand_computed_values() -> None:
    # 5/10: centre (0.5 + 1.96²/20)/(1 + 1.96²/10) = 0.5, half-width 0.2634.
    low, high = wilson(5, 10)
    assert (round(low, 2), round(high, 2)) == (23.66, 76.34)
    # 0/10 and 10/10: the interval stays inside [0, 100] (Wald's would collapse to 0).
    assert wilson(0, 10)[0] == 0.0
    assert round(wilson(0, 10)[1], 2) == 27.75
    assert round(wilson(10, 10)[0], 2) == 72.25
    with pytest.raises(ValueError, match="n must be at least 1"):
        wilson(0, 0)
    with pytest.raises(ValueError, match="between 0 and n"):
        wilson(11, 10)


def test_criterion_index_under_each_rule() -> None:
    counts = {0: 5, 1: 1, 2: 1, 3: 2, 4: 3, 5: 3}  # five "not applicable" left out
    top = criterion_index(counts)
    assert (top.value, top.n) == (60.0, 10)
    assert top.ci == wilson(6, 10)
    # mean = (1 + 2 + 3·2 + 4·3 + 5·3)/10 = 3.6
    assert criterion_index(counts, "mean20").value == pytest.approx(72.0)
    assert criterion_index(counts, "rescaled").value == pytest.approx(65.0)
    sd = math.sqrt(sum(c * (v - 3.6) ** 2 for v, c in counts.items() if v) / 9)
    low, high = criterion_index(counts, "mean20").ci or (0, 0)
    # Student t with 9 degrees of freedom (2.262157), not the normal 1.96.
    assert high - low == pytest.approx(2 * 2.262157 * sd / math.sqrt(10) * 20, rel=1e-6)
    assert criterion_index({0: 4}).value is None
    assert criterion_index({0: 4}).n == 0


def test_mean_score_intervals_need_two_answers_and_stay_on_the_scale() -> None:
    # One answer: a value, but no interval (it was a zero-width [40, 40]).
    one = criterion_index({2: 1}, "mean20")
    assert (one.value, one.ci, one.n) == (40.0, None, 1)
    # Everyone at the top: the interval would reach past 100 under mean20 (101.6 was seen).
    for rule, floor in (("mean20", 20.0), ("rescaled", 0.0)):
        top = criterion_index({5: 9, 4: 1}, rule)  # type: ignore[arg-type]
        bottom = criterion_index({1: 9, 2: 1}, rule)  # type: ignore[arg-type]
        assert top.ci is not None
        assert bottom.ci is not None
        assert top.ci[1] == 100.0
        assert bottom.ci[0] == floor
    many = criterion_indices(np.array([[0, 1, 0, 0, 0], [0, 0, 0, 1, 9]]), "mean20")
    assert np.isnan(many.low[0])
    assert many.high[1] == 100.0


def test_composite_is_the_unweighted_mean_with_the_smallest_n() -> None:
    parts = [proportion(60, 100), proportion(40, 50), criterion_index({0: 3})]
    f = composite(parts)
    assert f.value == pytest.approx(70.0)
    assert f.n == 50
    assert f.method == "wilson-min-n"
    assert f.ci is not None
    assert f.ci[0] < 70 < f.ci[1]
    assert composite([]).value is None


def test_timeliness_matches_the_lai_chau_shape() -> None:
    # Lai Châu 2017: on time 92.30 % of which early 1.20 %, late 7.70 %.
    t = timeliness(early=12, on_time=911, late=77)
    assert t.on_time_or_early.value == pytest.approx(92.3)
    assert t.early.value == pytest.approx(1.2)
    assert t.late.value == pytest.approx(7.7)
    assert t.on_time.n == 1000


def test_median_ranks_top_bottom_and_change() -> None:
    assert median([1.0, 3.0, 2.0, None]) == 2.0
    assert median([1.0, 2.0, 3.0, 4.0]) == 2.5
    assert median([None]) is None
    assert (
        median_of(np.array([1.0, np.nan, 3.0, 100.0]), np.array([True, True, True, False])) == 2.0
    )
    assert median_of(np.array([np.nan]), np.array([True])) is None
    ranks = competition_ranks({"a": 90.0, "b": 85.0, "c": 90.0, "d": None, "e": 70.0})
    assert ranks == {"a": 1, "c": 1, "b": 3, "e": 4}
    tb = top_bottom({"a": 90.0, "b": 85.0, "c": 90.0, "e": 70.0}, 2)
    assert (tb.top, tb.bottom) == (["a", "c"], ["e", "b"])
    assert change(84.0, 82.5, 3, 7) == change(84.0, 82.5, 3, 7)
    c = change(84.0, 82.5, 3, 7)
    assert c.points == pytest.approx(1.5)
    assert c.rank == 4


# pingouin's "cronbach_alpha" data set (15 respondents × 10 items), whose alpha and
# Feldt interval pingouin checks against R's psych::alpha: 0.592 [0.195, 0.840].
PINGOUIN_CRONBACH = [
    [3, 2, 4, 1, 4, 5, 1, 4, 3, 2],
    [5, 4, 6, 3, 5, 1, 2, 5, 5, 5],
    [7, 3, 5, 5, 6, 4, 3, 3, 6, 5],
    [2, 4, 3, 3, 2, 2, 2, 6, 6, 3],
    [6, 5, 6, 5, 4, 4, 4, 6, 7, 5],
    [1, 2, 3, 4, 2, 5, 2, 3, 5, 2],
    [4, 3, 5, 3, 5, 2, 1, 2, 4, 3],
    [2, 4, 4, 3, 7, 2, 2, 4, 6, 5],
    [6, 5, 5, 5, 1, 6, 5, 2, 3, 2],
    [5, 4, 6, 4, 3, 5, 3, 1, 7, 2],
    [4, 3, 5, 2, 5, 3, 2, 3, 4, 1],
    [4, 2, 3, 2, 5, 3, 4, 2, 3, 4],
    [5, 5, 6, 2, 3, 3, 2, 4, 4, 5],
    [6, 5, 5, 4, 2, 2, 1, 4, 6, 5],
    [4, 3, 5, 5, 3, 1, 3, 2, 3, 4],
]


def test_cronbach_alpha_reproduces_the_published_value() -> None:
    a = cronbach_alpha(moments_of(PINGOUIN_CRONBACH))
    assert a.alpha is not None
    assert a.ci is not None
    assert round(a.alpha, 3) == 0.592
    assert (round(a.ci[0], 3), round(a.ci[1], 3)) == (0.195, 0.840)
    assert (a.n, a.k) == (15, 10)


def test_alpha_moments_add_up_across_units() -> None:
    first, second = moments_of(PINGOUIN_CRONBACH[:7]), moments_of(PINGOUIN_CRONBACH[7:])
    merged = Moments(
        first.n + second.n,
        [a + b for a, b in zip(first.sums, second.sums, strict=True)],
        [
            [a + b for a, b in zip(r1, r2, strict=True)]
            for r1, r2 in zip(first.cross, second.cross, strict=True)
        ],
    )
    assert cronbach_alpha(merged).alpha == pytest.approx(
        cronbach_alpha(moments_of(PINGOUIN_CRONBACH)).alpha
    )
    assert cronbach_alpha(moments_of([[3, 3], [3, 3]])).alpha is None  # no variance


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.lists(st.integers(0, 40) | st.integers(0, 1), min_size=6, max_size=6),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from(["top2box", "mean20", "rescaled"]),
)
def test_vectorised_figures_equal_the_scalar_reference(rows: list[list[int]], rule: str) -> None:
    dist = np.array(rows)[:, 1:]  # column 0 plays "not applicable" and is left out
    many = criterion_indices(dist, rule)  # type: ignore[arg-type]
    for i, row in enumerate(rows):
        one = criterion_index(dict(enumerate(row)), rule)  # type: ignore[arg-type]
        assert many.n[i] == one.n
        if one.value is None:
            assert np.isnan(many.value[i])
        else:
            assert many.value[i] == pytest.approx(one.value)
            if one.ci is None:  # a mean score from one answer
                assert np.isnan(many.low[i])
                assert np.isnan(many.high[i])
            else:
                assert (many.low[i], many.high[i]) == (
                    pytest.approx(one.ci[0]),
                    pytest.approx(one.ci[1]),
                )
    parts = [criterion_indices(dist[:, ::-1], rule), many]  # type: ignore[arg-type]
    combined = composites(parts)
    for i in range(len(rows)):
        from analysis.indices import Estimate

        scalar = composite(
            [
                Estimate(None if np.isnan(p.value[i]) else float(p.value[i]), None, int(p.n[i]), "")
                for p in parts
            ]
        )
        if scalar.value is None:
            assert np.isnan(combined.value[i])
        else:
            assert combined.value[i] == pytest.approx(scalar.value)
            assert combined.n[i] == scalar.n
