"""An index tree: items → groups → aspects → overall, any depth, and its evaluation.

A questionnaire declares how its satisfaction index is built as a tree. Leaves are
*items* (questions on a rating scale, each with its own valid values, its own
"satisfied" values and its not-applicable code); every other node aggregates its
children:

- ``mean``: the unweighted mean of the children that have a value
  (:func:`analysis.indices.composites`, the rule of SIPAS 2017's factors and SIPAS);
- ``item_weighted``: the mean of the children weighted by the number of items each
  covers, so a node over two aspects of 23 and 16 items is (23 a + 16 b) / 39 (the
  published SIPAS 2024, sipas-sources.md §4.2 F6);
- ``top2box_of``: the index of one named item (an "overall" question such as HL),
  scored by the same rule as the items (top-2-box unless a report asks otherwise).

Values come from per-unit counts keyed ``<item>=<value>`` (the tally keys of
``app.counts.tally``), one mapping per unit; every figure is an
:class:`analysis.indices.Estimates` over those units. Pure: no database or web code.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

from analysis.indices import CriterionRule, Estimates, composites, criterion_indices
from analysis.intervals import wilson_arrays

Aggregation = Literal["mean", "item_weighted", "top2box_of"]
AGGREGATIONS: tuple[str, ...] = get_args(Aggregation)


class TreeError(ValueError):
    """An evaluation asked for something the tree does not allow."""


@dataclass(frozen=True)
class ItemScale:
    """The answers an item takes: valid values in order, which count as satisfied,
    and the not-applicable code (never in a denominator; None: the scale has none)."""

    values: tuple[int, ...]
    satisfied: tuple[int, ...]
    not_applicable: int | None = None


@dataclass(frozen=True)
class Node:
    """An inner node: its children (node or item codes, in order) and how they combine.

    `choices` are the other aggregations a report may select instead of the default
    one (sipas-2023's SIPAS: item-weighted, or the simple mean of its two aspects).
    A ``top2box_of`` node has no children; `item` names its item.
    """

    code: str
    children: tuple[str, ...] = ()
    aggregation: Aggregation = "mean"
    item: str | None = None
    choices: tuple[Aggregation, ...] = ()


@dataclass(frozen=True)
class Problem:
    """A mistake in a tree: the node it is in (None: the tree itself), what is wrong."""

    node: str | None
    field: str
    message: str


@dataclass(frozen=True)
class IndexTree:
    root: str
    nodes: Mapping[str, Node]
    items: Mapping[str, ItemScale]
    _order: tuple[str, ...] = field(default=(), repr=False, compare=False)
    # leaves() by code: a report asks for them once per unit and node.
    _leaves: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False, compare=False)
    _visiting: set[str] = field(default_factory=set, repr=False, compare=False)

    def problems(self) -> list[Problem]:
        """Every mistake: unknown root or child, a cycle, an item under two groups, a
        node nothing reaches, a scale without satisfied values, an empty group, and a
        ``top2box_of`` naming a missing item."""
        out: list[Problem] = []
        for code, s in self.items.items():
            if not s.satisfied:
                out.append(
                    Problem(None, "items", f"item {code!r}: its scale has no satisfied values")
                )
            elif not set(s.satisfied) <= set(s.values):
                bad = sorted(set(s.satisfied) - set(s.values))
                out.append(
                    Problem(
                        None, "items", f"item {code!r}: satisfied values {bad} are not on its scale"
                    )
                )
        if self.root not in self.nodes:
            out.append(Problem(None, "root", f"root {self.root!r} is not a node of the tree"))
        parent: dict[str, str] = {}
        for node in self.nodes.values():
            out += self._node_problems(node, parent)
        if self.root in self.nodes:
            out += self._cycles_and_strays()
        return out

    def _node_problems(self, node: Node, parent: dict[str, str]) -> list[Problem]:
        out: list[Problem] = []
        if node.code in self.items:
            out.append(Problem(node.code, "code", f"{node.code!r} is both a node and an item"))
        for c in node.choices:
            if c == "top2box_of" or c not in AGGREGATIONS:
                out.append(
                    Problem(node.code, "choices", f"{c!r} cannot replace a mean of children")
                )
        if node.aggregation == "top2box_of":
            if node.children:
                out.append(Problem(node.code, "children", "a top2box_of node has no children"))
            if node.item is None:
                out.append(Problem(node.code, "item", "top2box_of needs the item it scores"))
            elif node.item not in self.items:
                out.append(
                    Problem(
                        node.code, "item", f"top2box_of names {node.item!r}, which is not an item"
                    )
                )
            return out
        if node.item is not None:
            out.append(Problem(node.code, "item", "only a top2box_of node names an item"))
        if not node.children:
            out.append(Problem(node.code, "children", "has no children"))
        for child in node.children:
            if child not in self.nodes and child not in self.items:
                out.append(
                    Problem(node.code, "children", f"{child!r} is neither a node nor an item")
                )
                continue
            if child in parent:
                kind = "item" if child in self.items else "node"
                out.append(
                    Problem(
                        node.code,
                        "children",
                        f"{kind} {child!r} is already under {parent[child]!r}; "
                        "a node or item belongs to one group",
                    )
                )
            else:
                parent[child] = node.code
        return out

    def _cycles_and_strays(self) -> list[Problem]:
        out: list[Problem] = []
        state: dict[str, int] = {}  # 1 on the current path, 2 done

        def visit(code: str, path: list[str]) -> None:
            state[code] = 1
            for child in self.nodes[code].children:
                if child not in self.nodes:
                    continue
                if state.get(child) == 1:
                    loop = [*path[path.index(child) :], child]
                    out.append(Problem(code, "children", "cycle: " + " → ".join(loop)))
                elif child not in state:
                    visit(child, [*path, child])
            state[code] = 2

        visit(self.root, [self.root])
        for code in self.nodes:
            if code not in state:
                out.append(
                    Problem(code, "code", f"node {code!r} is not under the root {self.root!r}")
                )
                visit(code, [code])
        return out

    def check(self) -> None:
        """Raise ValueError listing every problem, if any."""
        found = self.problems()
        if found:
            raise ValueError("; ".join(f"{p.node or 'tree'}.{p.field}: {p.message}" for p in found))

    def walk(self) -> Iterator[str]:
        """Every node and item code under the root, parents before children."""
        seen: set[str] = set()
        stack = [self.root]
        while stack:
            code = stack.pop(0)
            if code in seen:
                continue
            seen.add(code)
            yield code
            node = self.nodes.get(code)
            if node is not None:
                stack[:0] = list(node.children)

    def leaves(self, code: str) -> tuple[str, ...]:
        """The items under `code` (itself if it is an item), in order; the item a
        ``top2box_of`` node scores counts as its one item."""
        found = self._leaves.get(code)
        if found is not None:
            return found
        node = self.nodes.get(code)
        if node is None:
            found = (code,)
        elif node.aggregation == "top2box_of":
            found = (node.item,) if node.item else ()
        elif code in self._visiting:
            return ()  # a cycle (reported by problems()): no items through it
        else:
            self._visiting.add(code)
            found = tuple(i for c in node.children for i in self.leaves(c))
            self._visiting.discard(code)
        self._leaves[code] = found
        return found

    @property
    def scored_items(self) -> tuple[str, ...]:
        """Every item the root's value depends on, in order, once each."""
        return tuple(dict.fromkeys(self.leaves(self.root)))

    def counts(self) -> dict[str, int]:
        """Indicators by kind: items, inner nodes (groups, aspects, overall)."""
        codes = list(self.walk())
        items = [c for c in codes if c in self.items]
        return {"items": len(items), "nodes": len(codes) - len(items)}


def _item_estimates(scale: ItemScale, dist: np.ndarray, rule: CriterionRule) -> Estimates:
    return criterion_indices(dist, rule, scale.satisfied, scale.values)


def _weighted(parts: Sequence[Estimates], weights: Sequence[int]) -> Estimates:
    """Mean of the parts present weighted by `weights`; n = the smallest n among them."""
    values = np.vstack([p.value for p in parts])
    ns = np.vstack([p.n for p in parts]).astype(float)
    w = np.asarray(weights, dtype=float)[:, None] * np.ones_like(values)
    present = ~np.isnan(values)
    total = np.where(present, w, 0.0).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(
            total > 0, np.where(present, w * values, 0.0).sum(axis=0) / np.maximum(total, 1), np.nan
        )
    n = np.where(present, ns, np.inf).min(axis=0)
    n = np.where(np.isinf(n), 0, n).astype(np.int64)
    low, high = wilson_arrays(np.clip(np.nan_to_num(value) / 100, 0, 1), n)
    return Estimates(value, low, high, n)


def evaluate(
    tree: IndexTree,
    counts: Sequence[Mapping[str, int]],
    rule: CriterionRule = "top2box",
    choose: Mapping[str, Aggregation] | None = None,
) -> dict[str, Estimates]:
    """Every item's and node's index for each unit (one counts mapping per unit).

    Parameters
    ----------
    tree : IndexTree
        A tree without problems (:meth:`IndexTree.problems`).
    counts : sequence of mappings
        Per unit, answers per ``<item>=<value>`` key; other keys are ignored.
    rule : {"top2box", "mean20", "rescaled"}
        How an item's answers become its index (:func:`analysis.indices.criterion_index`).
    choose : mapping, optional
        Node code → one of that node's `choices`, replacing its default aggregation.

    Returns
    -------
    dict of str to Estimates
        By code: every item of the tree's scales that `counts` can score, and every node.
        An item or node with no valid answer has value nan and n 0.

    Notes
    -----
    ``mean`` and ``top2box_of`` are computed by the same functions as the 2017
    report (:func:`analysis.indices.composites` and :func:`criterion_indices`), so a
    tree derived from sipas-2017 gives its figures to the bit. The intervals are the
    Wilson-at-the-smallest-n ones of :func:`composites`; the report's linearised
    composite intervals need pair moments the tree does not read.
    """
    out: dict[str, Estimates] = {}
    for code, scale in tree.items.items():
        dist = np.array(
            [[c.get(f"{code}={v}", 0) for v in scale.values] for c in counts], dtype=float
        ).reshape(len(counts), len(scale.values))
        out[code] = _item_estimates(scale, dist, rule)
    return node_estimates(tree, out, choose)


def _checked(tree: IndexTree, choose: Mapping[str, Aggregation] | None) -> dict[str, Aggregation]:
    chosen = dict(choose or {})
    for code, agg in chosen.items():
        node = tree.nodes.get(code)
        if node is None:
            raise TreeError(f"choose: {code!r} is not a node of the tree")
        if agg != node.aggregation and agg not in node.choices:
            allowed = ", ".join([node.aggregation, *node.choices])
            raise TreeError(f"choose: node {code!r} takes {allowed}, not {agg!r}")
    return chosen


def node_estimates(
    tree: IndexTree,
    items: Mapping[str, Estimates],
    choose: Mapping[str, Aggregation] | None = None,
) -> dict[str, Estimates]:
    """The items' estimates (as given) and every node's, combined as the tree says.

    ``mean`` nodes use :func:`analysis.indices.composites` (nan-skipping mean, interval
    at the smallest n), ``item_weighted`` ones weight each child present by its number
    of items, ``top2box_of`` ones are their item's estimate."""
    chosen = _checked(tree, choose)
    out: dict[str, Estimates] = dict(items)

    def value(code: str) -> Estimates:
        if code not in out:
            node = tree.nodes[code]
            out[code] = combine(
                tree, code, [value(c) for c in node.children], chosen.get(code), out
            )
        return out[code]

    for code in tree.nodes:
        value(code)
    return out


def combine(
    tree: IndexTree,
    code: str,
    parts: Sequence[Estimates],
    aggregation: Aggregation | None = None,
    items: Mapping[str, Estimates] | None = None,
) -> Estimates:
    """Node `code`'s estimate from its children's (`parts`, in order) by its
    aggregation (or `aggregation`, one of its choices); a ``top2box_of`` node is its
    item's estimate, from `items`."""
    node = tree.nodes[code]
    agg = aggregation or node.aggregation
    if agg == "top2box_of":
        assert node.item is not None
        assert items is not None
        return items[node.item]
    if agg == "mean":
        return composites(list(parts))
    return _weighted(list(parts), [len(tree.leaves(c)) for c in node.children])


def leaf_weights(
    tree: IndexTree,
    code: str,
    present: Mapping[str, np.ndarray],
    choose: Mapping[str, Aggregation] | None = None,
) -> dict[str, np.ndarray]:
    """Per unit, the weight of each item in node `code`'s value: the node is
    Σ weight × item index over the items with an answer (`present[item]`, one bool
    per unit), as :func:`node_estimates` combines them. Weights are 0 where an item has
    no answer; each is computed as one integer ratio (the product of the numerators
    over the product of the denominators on the path), so a mean of means gets
    exactly 1 / (groups × items), the weight :func:`analysis.composite.linearised_means`
    uses."""
    chosen = _checked(tree, choose)
    units = len(next(iter(present.values()))) if present else 0

    def any_present(c: str) -> np.ndarray:
        leaves = tree.leaves(c)
        if not leaves:
            return np.zeros(units, dtype=bool)
        return np.logical_or.reduce([np.asarray(present[i], dtype=bool) for i in leaves])

    out: dict[str, np.ndarray] = {}

    def walk(c: str, num: np.ndarray, den: np.ndarray) -> None:
        node = tree.nodes.get(c)
        if node is None:
            out[c] = out.get(c, 0.0) + np.where(present[c], num / den, 0.0)
            return
        agg = chosen.get(c, node.aggregation)
        if agg == "top2box_of":
            assert node.item is not None
            walk(node.item, num, den)
            return
        here = [any_present(child) for child in node.children]
        if agg == "mean":
            shares = [np.ones(units) for _ in node.children]
            total = np.sum([h.astype(float) for h in here], axis=0)
        else:
            shares = [np.full(units, float(len(tree.leaves(child)))) for child in node.children]
            total = np.sum([h * s for h, s in zip(here, shares, strict=True)], axis=0)
        for child, h, share in zip(node.children, here, shares, strict=True):
            walk(child, np.where(h, num * share, 0.0), den * np.maximum(total, 1.0))

    walk(code, np.ones(units), np.ones(units))
    return out


def evaluate_one(
    tree: IndexTree,
    counts: Mapping[str, int],
    rule: CriterionRule = "top2box",
    choose: Mapping[str, Aggregation] | None = None,
) -> dict[str, float | None]:
    """Each code's value for one unit's counts (None: no valid answer)."""
    found = evaluate(tree, [counts], rule, choose)
    return {
        code: (None if np.isnan(e.value[0]) else float(e.value[0])) for code, e in found.items()
    }
