"""The index tree on hand-computed figures (analysis/tree.py)."""

import math

import numpy as np
import pytest

from analysis.tree import IndexTree, ItemScale, Node, TreeError, evaluate, evaluate_one

FIVE = ItemScale((1, 2, 3, 4, 5), (4, 5), 0)
FOUR = ItemScale((1, 2, 3, 4), (3, 4), None)


def small_tree(**root: object) -> IndexTree:
    """overall ← {A: a1 a2 (5-level), B: b1 (4-level)}; `top` scores the overall item."""
    nodes = {
        "overall": Node("overall", ("A", "B"), **root),  # type: ignore[arg-type]
        "A": Node("A", ("a1", "a2")),
        "B": Node("B", ("b1",)),
        "top": Node("top", aggregation="top2box_of", item="hl"),
    }
    return IndexTree("overall", nodes, {"a1": FIVE, "a2": FIVE, "b1": FOUR, "hl": FIVE})


COUNTS = {
    # a1: 3 of 4 valid satisfied (the 0 = not applicable is left out) -> 75
    "a1=5": 2, "a1=4": 1, "a1=2": 1, "a1=0": 6,
    # a2: 1 of 5 satisfied -> 20
    "a2=4": 1, "a2=3": 4,
    # b1 (4-level, satisfied 3 and 4): 2 of 8 -> 25
    "b1=4": 1, "b1=3": 1, "b1=1": 6,
    # hl: 9 of 10 -> 90
    "hl=5": 9, "hl=1": 1,
    "n": 12, "channel=web": 12,
}  # fmt: skip


def test_each_node_from_hand_computed_counts() -> None:
    v = evaluate_one(small_tree(), COUNTS)
    assert [v["a1"], v["a2"], v["b1"], v["hl"]] == [75, 20, 25, 90]
    assert v["A"] == pytest.approx(47.5)  # (75 + 20) / 2
    assert v["B"] == 25
    assert v["overall"] == pytest.approx(36.25)  # (47.5 + 25) / 2
    assert v["top"] == 90


def test_item_weighted_counts_each_childs_items() -> None:
    v = evaluate_one(small_tree(aggregation="item_weighted", choices=("mean",)), COUNTS)
    assert v["overall"] == pytest.approx((2 * 47.5 + 1 * 25) / 3)  # 40
    mean = evaluate_one(
        small_tree(aggregation="item_weighted", choices=("mean",)),
        COUNTS,
        choose={"overall": "mean"},
    )
    assert mean["overall"] == pytest.approx(36.25)


def test_choice_outside_the_nodes_choices_is_refused() -> None:
    with pytest.raises(TreeError, match="'overall' takes mean, not 'item_weighted'"):
        evaluate(small_tree(), [COUNTS], choose={"overall": "item_weighted"})
    with pytest.raises(TreeError, match="'nowhere' is not a node"):
        evaluate(small_tree(), [COUNTS], choose={"nowhere": "mean"})


def test_mean_scores_on_each_items_own_scale() -> None:
    v = evaluate_one(small_tree(), COUNTS, rule="rescaled")
    # b1 on 1..4: mean (4 + 3 + 6) / 8 = 1.625 -> (1.625 - 1) / 3 * 100
    assert v["b1"] == pytest.approx(62.5 / 3)
    # a2 on 1..5: mean (4 + 12) / 5 = 3.2 -> 55
    assert v["a2"] == pytest.approx(55)


def test_a_node_without_answers_is_left_out_and_many_units_at_once() -> None:
    only_b = {"b1=3": 1, "b1=2": 1}
    found = evaluate(small_tree(), [COUNTS, only_b, {}])
    overall = found["overall"]
    assert overall.value[0] == pytest.approx(36.25)
    assert overall.value[1] == 50  # A has no answer: overall is B alone
    assert math.isnan(overall.value[2])
    assert overall.n[2] == 0
    assert list(found["A"].n) == [4, 0, 0]  # the smallest n of its items
    assert evaluate_one(small_tree(), {})["overall"] is None


def test_counts_and_leaves() -> None:
    t = small_tree()
    assert t.leaves("overall") == ("a1", "a2", "b1")
    assert t.scored_items == ("a1", "a2", "b1")
    assert t.counts() == {"items": 3, "nodes": 3}  # `top` is not under the root
    assert "top" in {p.node for p in t.problems()}


def _messages(t: IndexTree) -> list[str]:
    return [p.message for p in t.problems()]


def test_problems_are_named() -> None:
    base = small_tree()
    nodes = dict(base.nodes)
    del nodes["top"]
    assert _messages(IndexTree("overall", nodes, base.items)) == []
    bad = {
        **nodes,
        "A": Node("A", ("a1", "a2", "zz")),
        "B": Node("B", ("b1", "a1")),
    }
    msgs = _messages(IndexTree("overall", bad, base.items))
    assert "'zz' is neither a node nor an item" in msgs
    assert any("item 'a1' is already under 'A'" in m for m in msgs)
    loop = {**nodes, "B": Node("B", ("b1", "overall"))}
    assert any(
        m.startswith("cycle: overall → B → overall")
        for m in _messages(IndexTree("overall", loop, base.items))
    )
    unsatisfied = {**base.items, "b1": ItemScale((1, 2, 3), ())}
    assert "item 'b1': its scale has no satisfied values" in _messages(
        IndexTree("overall", nodes, unsatisfied)
    )
    missing = {**nodes, "B": Node("B", aggregation="top2box_of", item="HL")}
    assert "top2box_of names 'HL', which is not an item" in _messages(
        IndexTree("overall", missing, base.items)
    )
    assert "root 'sipas' is not a node of the tree" in _messages(
        IndexTree("sipas", nodes, base.items)
    )


def test_vectorised_equals_one_by_one() -> None:
    rng = np.random.default_rng(5)
    units = [
        {f"{i}={v}": int(rng.integers(0, 9)) for i in ("a1", "a2", "hl") for v in range(6)}
        | {f"b1={v}": int(rng.integers(0, 9)) for v in range(1, 5)}
        for _ in range(20)
    ]
    together = evaluate(small_tree(), units)
    for u, c in enumerate(units):
        alone = evaluate_one(small_tree(), c)
        assert alone["overall"] == together["overall"].value[u]
