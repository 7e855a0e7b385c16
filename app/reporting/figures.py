"""Every indicator of many units at once, from a units × keys matrix of counts.

The questionnaire decides the keys (criteria, overall items, perception questions,
timeliness); analysis/ computes the figures column by column. One code path serves
a single unit (a one-row matrix) and a report of thousands.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from analysis.composite import PairMoments, composite_indices, linearised_weighted
from analysis.indices import CriterionRule, Estimates, criterion_indices, proportions
from analysis.intervals import Z95
from analysis.tree import Aggregation, combine, leaf_weights
from analysis.weighting import mean_variances, proportion_variances
from app.counts.tally import MomentLayout, moment_layout
from app.questionnaires.catalog import TOP, Question, Questionnaire


@dataclass(frozen=True)
class KeySpace:
    """The tally keys a report reads, in a fixed column order."""

    q: Questionnaire

    @cached_property
    def scale_items(self) -> list[str]:
        """The items a report scores (criteria, then overall items), each on its scale."""
        return list(self.q.index_items)

    @cached_property
    def blocks(self) -> dict[str, list[Question]]:
        return {
            b: self.q.report_questions(b) for b in ("perception", "expectations", "respondents")
        }

    @cached_property
    def keys(self) -> list[str]:
        keys = ["n"]
        for code in self.scale_items:
            keys += [f"{code}={v}" for v in self.q.item_scale(code).values]
        for questions in self.blocks.values():
            for question in questions:
                keys += [f"{question.code}={o}" for o in self.q.answer_codes(question.code)]
                if question.kind == "multi":
                    keys.append(f"{question.code}#")
        return list(dict.fromkeys(keys))

    @cached_property
    def layout(self) -> MomentLayout:
        """The composite moments, which follow the tally keys in a report's matrix."""
        return moment_layout(self.q)

    @property
    def members(self) -> list[str]:
        return list(self.layout.members)

    def moment_col(self, factor: str | None) -> int:
        """Matrix column of a factor's (None: the SIPAS's) contributors."""
        return len(self.keys) + self.layout.contributors(factor)

    def pair_moments(self, m: np.ndarray, rule: CriterionRule) -> PairMoments:
        """The composite moments of every row of `m` for `rule`'s item values (top-2-box
        indicator, or score), as analysis/composite.py takes them."""
        members, idx = self.members, self.index
        k, units = len(members), m.shape[0]
        top = rule == "top2box"
        n = np.zeros((units, k, k))
        s = np.zeros((units, k, k))
        ss = np.zeros((units, k, k))
        for i, code in enumerate(members):
            item = self.q.item_scale(code)
            values = np.asarray(item.values, dtype=float)
            y = np.isin(item.values, item.satisfied).astype(float) if top else values
            dist = m[:, [idx[f"{code}={v}"] for v in item.values]].astype(float)
            n[:, i, i] = dist.sum(axis=1)
            s[:, i, i] = dist @ y
            ss[:, i, i] = dist @ (y * y)
        first, second = np.triu_indices(k, 1)
        stats = ("t1", "t2", "tt") if top else ("x1", "x2", "xx")

        base, layout = len(self.keys), self.layout

        def col(stat: str) -> np.ndarray:
            at = layout.stat(stat)
            return m[:, base + at.start : base + at.stop].astype(float)

        both = col("n")
        n[:, first, second] = both
        n[:, second, first] = both
        s[:, first, second] = col(stats[0])
        s[:, second, first] = col(stats[1])
        product = col(stats[2])
        ss[:, first, second] = product
        ss[:, second, first] = product
        return PairMoments(n, s, ss)

    @cached_property
    def index(self) -> dict[str, int]:
        return {k: i for i, k in enumerate(self.keys)}

    def matrix(
        self, counts: Sequence[Mapping[str, int]], moments: Sequence[np.ndarray | None]
    ) -> np.ndarray:
        """Counters and moment vectors (one each per unit; None: no responses) → the
        units × (keys, then moments) matrix a report computes from."""
        m = np.zeros((len(counts), len(self.keys) + self.layout.size), dtype=np.int64)
        idx = self.index
        for row, c in enumerate(counts):
            for key, n in c.items():
                col = idx.get(key)
                if col is not None:
                    m[row, col] = n
        for row, v in enumerate(moments):
            if v is not None:
                m[row, len(self.keys) :] = v
        return m


_spaces: dict[tuple[str, int], KeySpace] = {}


def keyspace(q: Questionnaire) -> KeySpace:
    """The (cached) key space of a questionnaire version."""
    key = (q.slug, q.version)
    if key not in _spaces:
        _spaces[key] = KeySpace(q)
    return _spaces[key]


def rate_key(block: str, question: str, option: str) -> str:
    """The name of one option's rate within its block: `question.option`, or the option
    alone when the question is named like its block (`expectations.facilities` in the
    CSV, not `expectations.expectations.facilities`). design.md fixes the
    `question.option` form for `perception` only, whose questions are not so named."""
    return option if question == block else f"{question}.{option}"


def _cols(ks: KeySpace, m: np.ndarray, keys: Sequence[str]) -> np.ndarray:
    return m[:, [ks.index[k] for k in keys]]


def _dicts(e: Estimates) -> list[dict[str, Any]]:
    """Per-unit {"value", "ci", "n"} from arrays; nan becomes null."""
    value, low, high, n = e.value.tolist(), e.low.tolist(), e.high.tolist(), e.n.tolist()
    # nan (v != v) means nothing to estimate from.
    # A value without bounds (a mean score from one answer) has no interval.
    return [
        {"value": None, "ci": None, "n": k}
        if v != v
        else {"value": v, "ci": None if lo != lo else [lo, hi], "n": k}
        for v, lo, hi, k in zip(value, low, high, n, strict=True)
    ]


@dataclass(frozen=True)
class Figures:
    """Per-unit entries (design.md's `units[]` shape) and each indicator's values as an
    array over the units (for medians without walking the entries)."""

    entries: list[dict[str, Any]]
    values: dict[str, Any]
    ns: dict[str, Any]  # the same shape as `values`: the n behind each value
    sipas_se: np.ndarray  # each unit's SIPAS standard error (nan: none), for rank intervals
    # The same shape as `values`: the estimated variance of each figure (s²/n, in
    # percent²; nan: none), for a higher level's stratified (weighted) variance.
    variances: dict[str, Any] | None = None


def se_of(e: Estimates) -> np.ndarray:
    """The standard errors of `e`: its own, else read back from its 95 % interval
    (half its width / 1.96, as for a Wilson interval of a single item)."""
    if e.se is not None:
        return np.asarray(e.se, dtype=float)
    return (np.asarray(e.high, dtype=float) - np.asarray(e.low, dtype=float)) / (2 * Z95)


def figures(
    ks: KeySpace,
    m: np.ndarray,
    rule: CriterionRule,
    choose: Mapping[str, Aggregation] | None = None,
) -> Figures:
    """The indicators of every row of `m` (`choose`: node → another aggregation it
    allows, as analysis/tree.py takes it)."""
    q, sc = ks.q, ks.q.model.scoring
    tree = q.tree
    units = m.shape[0]

    def item(code: str) -> Estimates:
        scale = q.item_scale(code)
        return criterion_indices(
            _cols(ks, m, [f"{code}={v}" for v in scale.values]),
            rule,
            scale.satisfied,
            scale.values,
        )

    items = {code: item(code) for code in ks.scale_items}

    def item_variance(code: str) -> np.ndarray:
        if rule == "top2box":
            return proportion_variances(items[code].value, items[code].n)
        values = q.item_scale(code).values
        lo, hi = float(min(values)), float(max(values))
        factor = 100 / hi if rule == "mean20" else 100 / (hi - lo)
        return mean_variances(_cols(ks, m, [f"{code}={v}" for v in values]), values, factor)

    def var_of(e: Estimates) -> np.ndarray:
        return np.asarray(e.se, dtype=float) ** 2

    moments = ks.pair_moments(m, rule) if units else None
    members = ks.members
    present = {c: items[c].n > 0 for c in members}
    scale = q.item_scale(members[0]).values if members else tuple(q.scale_values)
    chosen = dict(choose or {})
    done: dict[str, Estimates] = {}

    def estimate(code: str) -> Estimates:
        """A node's published estimate: its children's estimates combined as the tree
        says (analysis/tree.py), with, for a mean, its linearised interval from the pair
        moments (analysis/composite.py)."""
        if code in items:
            return items[code]
        if code in done:
            return done[code]
        node = tree.nodes[code]
        agg = chosen.get(code, node.aggregation)
        plain = combine(tree, code, [estimate(c) for c in node.children], agg, items)
        if agg != "top2box_of" and moments is not None:
            weights = leaf_weights(tree, code, present, chosen)
            w = np.zeros((units, len(members)))
            for i, c in enumerate(members):
                if c in weights:
                    w[:, i] = weights[c]
            who = ks.moment_col(None if code == tree.root else code)
            lin = linearised_weighted(moments, w, m[:, who])
            plain = composite_indices(lin, rule, scale, plain)
        done[code] = plain
        return plain

    factors: dict[str, Estimates] = {g.code: estimate(g.code) for g in q.groups}
    sipas = estimate(tree.root)

    blocks: dict[str, dict[str, Estimates]] = {}
    for block, questions in ks.blocks.items():
        rates: dict[str, Estimates] = {}
        for question in questions:
            codes = q.answer_codes(question.code)
            opts = _cols(ks, m, [f"{question.code}={o}" for o in codes])
            n = (
                m[:, ks.index[f"{question.code}#"]]
                if question.kind == "multi"
                else opts.sum(axis=1)
            )
            for i, o in enumerate(codes):
                rates[rate_key(block, question.code, o)] = proportions(opts[:, i], n)
            if question.kind == "scale":
                # A rating outside the index (a 4-level interest or suitability
                # question): each level's share, and the share at its satisfied levels
                # (the top two), as the Ministry reports them.
                top = [i for i, o in enumerate(codes) if int(o) in q.scale_of(question.code)[2]]
                if top:
                    rates[rate_key(block, question.code, TOP)] = proportions(
                        opts[:, top].sum(axis=1), n
                    )
        blocks[block] = rates
    timeliness: dict[str, Estimates] = {}
    if sc.timeliness is not None:
        t = sc.timeliness
        early, on_time, late = (
            m[:, ks.index[f"{t.question}={x}"]] for x in (t.early, t.on_time, t.late)
        )
        total = early + on_time + late
        timeliness = {
            "early": proportions(early, total),
            "on_time": proportions(on_time, total),
            "late": proportions(late, total),
            "on_time_or_early": proportions(early + on_time, total),
        }

    def per_unit(group: Mapping[str, Estimates]) -> list[dict[str, Any]]:
        columns = {k: _dicts(v) for k, v in group.items()}
        return [{k: col[u] for k, col in columns.items()} for u in range(units)]

    criteria = {c: items[c] for c in q.criteria}
    overall = {c: items[c] for c in ks.scale_items if c not in criteria}
    parts = {
        "sipas": _dicts(sipas),
        "factors": per_unit(factors),
        "items": per_unit(criteria),
        "overall_items": per_unit(overall),
        **{b: per_unit(r) for b, r in blocks.items()},
    }
    if sc.timeliness is not None:
        parts["timeliness"] = per_unit(timeliness)
    n_col = m[:, ks.index["n"]].tolist()
    entries = [
        {"n": int(n_col[u]), **{name: values[u] for name, values in parts.items()}}
        for u in range(units)
    ]
    groups: dict[str, Mapping[str, Estimates]] = {
        "factors": factors,
        "items": criteria,
        "overall_items": overall,
        **blocks,
    }
    if sc.timeliness is not None:
        groups["timeliness"] = timeliness
    values: dict[str, Any] = {"sipas": sipas.value}
    values.update({g: {k: e.value for k, e in est.items()} for g, est in groups.items()})
    ns: dict[str, Any] = {"sipas": sipas.n}
    ns.update({g: {k: e.n for k, e in est.items()} for g, est in groups.items()})
    # Keyed by the estimate itself: a factor under overall_item is its item's estimate.
    known = {id(items[c]): item_variance(c) for c in ks.scale_items}
    known.update({id(e): var_of(e) for e in [*factors.values(), sipas] if e.se is not None})

    def variance(e: Estimates) -> np.ndarray:
        v = known.get(id(e))
        return proportion_variances(e.value, e.n) if v is None else v

    variances: dict[str, Any] = {"sipas": variance(sipas)}
    variances.update({g: {k: variance(e) for k, e in est.items()} for g, est in groups.items()})
    return Figures(entries, values, ns, se_of(sipas), variances)


def indicator_counts(q: Questionnaire) -> dict[str, tuple[int, int]]:
    """Per block (perception, expectations, respondents): how many indicators — one
    per rating question (its top-two share; the levels' shares are its detail) and per
    yes/no question, one per option of any other choice question — and how many rates
    the report gives in all, read off the figures of an empty unit so they cannot
    drift from the report."""
    ks = keyspace(q)
    empty = figures(ks, np.zeros((1, len(ks.keys) + ks.layout.size), dtype=np.int64), "top2box")
    out = {}
    for block, questions in ks.blocks.items():
        headline = sum(
            1 if x.kind == "scale" or x.option_codes == ["yes", "no"] else len(x.option_codes)
            for x in questions
        )
        out[block] = (headline, len(empty.values.get(block, {})))
    return out
