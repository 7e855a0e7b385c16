"""The fold counts a chunk column by column (codes and np.bincount); these check it
against the per-response reference, count_answers, on answers of every shape."""

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.counts.tally import RowFacts, UnitCounts, answer_moments, count_answers, moment_layout
from app.questionnaires.catalog import Catalog, Questionnaire

# Plain values as validation stores them, and shapes it never stores (bools,
# floats, nulls, a scale value as text, an option as a number) that must still be
# counted exactly as count_answers counts them.
ODD = st.one_of(
    st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-2, max_value=7),
    st.none(),
    st.sampled_from(["3", "x", "1", ""]),
    st.integers(-1, 7),
)


@st.composite
def answers(draw: Any, q: Questionnaire, odd: bool) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for code, question in q.questions.items():
        if draw(st.integers(0, 9)) == 0:
            continue  # not answered (a skip rule, or left out)
        if odd and draw(st.integers(0, 14)) == 0:
            row[code] = draw(ODD)
            if question.kind == "multi" and not isinstance(row[code], str):
                row[code] = [row[code]]  # iterable, as count_answers needs
            continue
        if question.kind == "scale":
            row[code] = draw(st.sampled_from(sorted(q.scale_answers)))  # 0: not applicable
        elif question.kind == "single":
            codes = question.option_codes
            row[code] = draw(st.sampled_from(codes))
        elif question.kind == "multi":
            row[code] = draw(st.lists(st.sampled_from(question.option_codes), max_size=4))
        else:
            row[code] = draw(st.text(max_size=8))
    if draw(st.integers(0, 19)) == 0:
        row["not_a_question"] = draw(ODD)  # ignored
    return row


FACTS = st.builds(
    RowFacts,
    submitted_at=st.one_of(
        st.none(),
        st.integers(0, 400 * 24).map(
            lambda h: datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=37 * h)
        ),
    ),
    flags=st.lists(st.sampled_from(["too_fast", "straight_line", "duplicate"]), max_size=2),
    over_quota=st.booleans(),
)


def _reference(
    q: Questionnaire, chunks: list[list[tuple[int, str, dict[str, Any], RowFacts]]]
) -> tuple[dict[int, Counter[str]], dict[int, list[int]]]:
    want: dict[int, Counter[str]] = {}
    vectors: dict[int, list[int]] = {}
    for chunk in chunks:
        for unit, channel, a, facts in chunk:
            want.setdefault(unit, Counter()).update(count_answers(q, a, channel, facts))
            held = vectors.get(unit, [0] * moment_layout(q).size)
            vectors[unit] = (np.asarray(held) + answer_moments(q, a)).tolist()
    return want, vectors


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_columnar_counts_equal_counting_one_response_at_a_time(catalog: Catalog, data: Any) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    row = st.tuples(
        st.integers(1, 6),
        st.sampled_from(["web", "kiosk", "paper"]),
        answers(q, odd=False),
        FACTS,
    )
    chunks = data.draw(st.lists(st.lists(row, max_size=25), min_size=1, max_size=3))
    acc = UnitCounts(q)
    for chunk in chunks:
        acc.add(chunk)
    want, vectors = _reference(q, chunks)
    assert acc.totals == want
    assert {u: v.tolist() for u, v in acc.moments.items()} == vectors
    units, keys, counts = acc.triples()
    assert sorted(zip(units, keys, counts, strict=True)) == sorted(
        (u, k, n) for u, c in want.items() for k, n in c.items()
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_values_validation_never_stores_are_counted_as_the_reference_counts_them(
    catalog: Catalog, data: Any
) -> None:
    """Bools, floats, nulls and text where numbers go: the tally keys are exactly
    count_answers' (`TC1=True` is not `TC1=1`), one response at a time. The moments
    read such a chunk as the chunked counter always has (:func:`_scale_matrix`), so
    only the tallies are compared here."""
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    row = st.tuples(st.integers(1, 4), st.just("web"), answers(q, odd=True), FACTS)
    chunk = data.draw(st.lists(row, max_size=25))
    acc = UnitCounts(q)
    acc.add(chunk)
    want, _ = _reference(q, [chunk])
    got = acc.totals
    alpha = {
        u: Counter({k: n for k, n in c.items() if not k.startswith("a:")}) for u, c in got.items()
    }
    assert alpha == {
        u: Counter({k: n for k, n in c.items() if not k.startswith("a:")}) for u, c in want.items()
    }


def test_an_int_and_its_text_are_one_key_and_a_bool_is_another(catalog: Catalog) -> None:
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    chunk: list[tuple[int, str, dict[str, Any], RowFacts]] = [
        (1, "web", {"trips": "1"}, RowFacts()),
        (1, "web", {"trips": 1}, RowFacts()),
        (1, "web", {"trips": True}, RowFacts()),
        (1, "web", {"trips": None}, RowFacts()),
        (1, "web", {}, RowFacts()),
    ]
    acc = UnitCounts(q)
    acc.add(chunk)
    counts = acc.totals[1]
    assert counts["trips=1"] == 2
    assert counts["trips=True"] == 1
    assert counts["trips=None"] == 1
    assert counts["n"] == 5
