"""The indices report: counts from the database, figures from analysis/.

`report()` answers GET /api/v1/campaigns/{campaign}/indices. Unfiltered, it is a
published report: served from its stored snapshot while that is current, else
computed from the tallies after folding in whatever arrived since, and stored
(app/counts/snapshots.py). With filters it counts the matching rows directly,
with the same counting function.
"""

import hashlib
import math
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from threading import Lock
from typing import Any, Literal

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.intervals import Z95
from analysis.ranking import change as change_of
from analysis.ranking import (
    competition_ranks,
    median_of,
    rank_intervals,
    top_bottom,
    versus_median,
)
from analysis.reliability import Moments, cronbach_alpha
from analysis.tree import Aggregation
from analysis.weighting import Stratified, post_stratified
from app.campaigns.models import Campaign, CampaignUnit
from app.campaigns.service import get_campaign, questionnaire_of
from app.collection.models import CHANNELS
from app.core.config import get_settings
from app.core.errors import FieldError, Invalid, NotFound
from app.core.replica import on_replica, use_primary
from app.counts import columns as answer_columns
from app.counts import snapshots
from app.counts.models import UnitAncestor
from app.counts.report_forms import BLOCKS, Report, gc_paused, to_csv
from app.counts.tally import (
    RowFacts,
    counts_matrix,
    fold_campaign,
    has_untallied,
    moments_matrix,
    subtree_totals,
)
from app.questionnaires.catalog import Catalog, Questionnaire, Rule
from app.reporting import comparison
from app.reporting.figures import Figures, figures, keyspace
from app.reporting.methods_text import METHODS, METHODS_TREE, METHODS_TREE_VI, METHODS_VI
from app.units.models import UNIT_KINDS, Unit

__all__ = ["Filters", "Report", "report", "to_csv", "unit_report"]

CACHE_SECONDS = 60.0
NO_FACTS = RowFacts()  # filtered reports count answers only (no day or flag keys)


FILTER_QUESTIONS = ("service_field", "respondent_type", "gender", "age_band")


@dataclass(frozen=True)
class Filters:
    """Report filters; dates are days in Vietnam time, both ends included."""

    service_field: str | None = None
    channel: str | None = None
    respondent_type: str | None = None
    gender: str | None = None
    age_band: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def any(self) -> bool:
        return any(getattr(self, f.name) is not None for f in fields(self))

    def check(self, q: Questionnaire) -> None:
        problems = []
        for name in FILTER_QUESTIONS:
            value = getattr(self, name)
            question = q.questions.get(name)
            if value is None:
                continue
            if question is None:
                problems.append(FieldError.of(name, "filter_no_question", "value", value=value))
            elif value not in question.option_codes:
                options = ", ".join(question.option_codes)
                problems.append(
                    FieldError.of(name, "filter_not_option", "value", value=value, options=options)
                )
        if self.channel is not None and self.channel not in CHANNELS:
            problems.append(
                FieldError.of(
                    "channel",
                    "filter_not_option",
                    "value",
                    value=self.channel,
                    options=", ".join(CHANNELS),
                )
            )
        if self.date_from and self.date_to and self.date_to < self.date_from:
            problems.append(FieldError.of("date_to", "date_before_from", "range"))
        if problems:
            raise Invalid.of("filters_invalid", problems)


def unit_figures(
    q: Questionnaire, counts: Counter[str], moments: np.ndarray | None, rule: Rule
) -> dict[str, Any]:
    """Every indicator of one unit from its counts and composite moments (the report's
    code path, one row)."""
    ks = keyspace(q)
    return figures(ks, ks.matrix([counts], [moments]), rule).entries[0]


def subtree_matrix(
    session: Session, campaign_id: int, unit_ids: Sequence[int], q: Questionnaire
) -> np.ndarray:
    """The report matrix (tally keys, then composite moments) of each unit's subtree."""
    ks = keyspace(q)
    return np.hstack(
        [
            counts_matrix(session, campaign_id, unit_ids, ks.index),
            moments_matrix(session, campaign_id, unit_ids, ks.layout),
        ]
    )


def reliability(q: Questionnaire, counts: Counter[str]) -> dict[str, Any]:
    """Cronbach's alpha per group of items (a 2017 factor) from the summed moments."""
    out = {}
    for f in q.alpha_groups:
        items = f.items
        cross = [
            [
                counts.get(
                    f"a:{f.code}:x:{min(a, b, key=items.index)}:{max(a, b, key=items.index)}", 0
                )
                for b in items
            ]
            for a in items
        ]
        m = Moments(
            counts.get(f"a:{f.code}:n", 0),
            [counts.get(f"a:{f.code}:s:{i}", 0) for i in items],
            cross,
        )
        a = cronbach_alpha(m)
        out[f.code] = {"alpha": a.alpha, "ci": list(a.ci) if a.ci else None, "n": a.n, "items": a.k}
    return out


def _medians(
    values: dict[str, Any], ns: dict[str, Any], compared: np.ndarray, min_n: int
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Median of every indicator over the compared (unflagged) units whose figure for
    that indicator rests on at least `min_n` answers (a unit with two late cases does
    not enter the median of "late cases notified"); and how many units each median
    is the median of. None where no unit qualifies."""

    def med(column: np.ndarray, n: np.ndarray) -> tuple[float | None, int]:
        include = compared & (np.asarray(n) >= min_n) & ~np.isnan(np.asarray(column, float))
        return median_of(column, include), int(include.sum())

    medians: dict[str, Any] = {}
    counts: dict[str, Any] = {}
    medians["sipas"], counts["sipas"] = med(values["sipas"], ns["sipas"])
    for group, columns in values.items():
        if group != "sipas":
            pairs = {k: med(v, ns[group][k]) for k, v in columns.items()}
            medians[group] = {k: m for k, (m, _) in pairs.items()}
            counts[group] = {k: c for k, (_, c) in pairs.items()}
    return medians, counts


def _no_units(computed: Figures) -> tuple[dict[str, Any], dict[str, Any], np.ndarray, int]:
    return computed.values, computed.ns, np.zeros(0, dtype=bool), 1


def median_min_n(campaign: Campaign) -> int:
    """The fewest answers an indicator needs to enter its median (methods.median)."""
    return min(campaign.min_sample, get_settings().MEDIAN_MIN_N)


Combine = Literal["item_weighted", "mean"]
COMBINES: tuple[str, ...] = ("item_weighted", "mean")


def choices_of(q: Questionnaire, combine: str | None) -> dict[str, Aggregation]:
    """`combine=` as a choice per node: every node that offers that aggregation (as its
    own or among its `choices`) combines its children so. Refused where none does."""
    if combine is None:
        return {}
    chosen: dict[str, Aggregation] = {
        code: combine
        for code, node in q.tree.nodes.items()
        if node.choices and combine in (node.aggregation, *node.choices)
    }
    if not chosen:
        offered = sorted(
            {c for n in q.tree.nodes.values() if n.choices for c in (n.aggregation, *n.choices)}
        )
        raise Invalid.of(
            "combine_unknown",
            [
                FieldError.of(
                    "combine",
                    "combine_not_offered",
                    "value",
                    value=combine,
                    offered=", ".join(offered) or "—",
                )
            ],
            value=combine,
        )
    return chosen


def tree_of(q: Questionnaire) -> dict[str, Any]:
    """The index tree as a report describes it: root, and each node's parent, children,
    aggregation and number of items, parents before children."""
    tree = q.tree
    nodes = [tree.root, *(g.code for g in q.groups)]
    return {
        "root": tree.root,
        "nodes": [
            {
                "code": code,
                "parent": next((g.parent for g in q.groups if g.code == code), None),
                "children": list(tree.nodes[code].children)
                or ([tree.nodes[code].item] if tree.nodes[code].item else []),
                "aggregation": tree.nodes[code].aggregation,
                "choices": list(tree.nodes[code].choices),
                "items": len(tree.leaves(code)),
            }
            for code in nodes
        ],
    }


def sipas_items(q: Questionnaire) -> list[str]:
    """The scale items the overall index of this questionnaire's scoring is made from."""
    return list(q.tree.leaves(q.tree.root))


def unit_flags(
    q: Questionnaire, figs: dict[str, Any], min_sample: int
) -> tuple[list[str], dict[str, Any]]:
    """Why a unit is not compared, with the details a coordinator needs to see why.

    `small_sample`: the item with the fewest valid answers among those its SIPAS is
    made from has fewer than the campaign's minimum (the method counts valid answers,
    not responses). `incomplete`: a criterion, factor or SIPAS has nothing to be
    computed from, so the composite above it would silently be a mean of what is left.
    """
    flags: list[str] = []
    detail: dict[str, Any] = {}
    items = {**figs["items"], **figs["overall_items"]}
    feeding = [c for c in sipas_items(q) if c in items]
    if feeding:
        weakest = min(feeding, key=lambda c: (items[c]["n"], feeding.index(c)))
        if items[weakest]["n"] < min_sample:
            flags.append("small_sample")
            detail["small_sample"] = {
                "item": weakest,
                "n": items[weakest]["n"],
                "min_sample": min_sample,
            }
    missing = [c for c in feeding if items[c]["value"] is None]
    missing += [code for code, f in figs["factors"].items() if f["value"] is None]
    if missing or figs["sipas"]["value"] is None:
        flags.append("incomplete")
        detail["incomplete"] = {"missing": missing}
    return flags, detail


def rank_seed(campaign_code: str, league: str) -> int:
    """The bootstrap seed of a league's rank intervals: from the campaign and the
    league, so the same responses always give the same intervals (and an edition,
    which freezes the report, keeps them)."""
    digest = hashlib.sha256(f"{campaign_code}|{league}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def _leagues(
    entries: list[dict[str, Any]],
    computed: Figures,
    top: int,
    precision: int,
    min_n: int,
    campaign_code: str = "",
) -> dict[str, dict[str, Any]]:
    """Rank, rank interval, median, top and bottom within each league (a unit kind, or
    `mixed`).

    Departments, communes and a service centre are different populations: each is
    ranked among its own kind unless the caller asked for one mixed list. Flagged
    units are listed but neither ranked nor in the medians.
    """
    out: dict[str, dict[str, Any]] = {}
    replicates = get_settings().RANK_REPLICATES
    for league in dict.fromkeys(e["league"] for e in entries):
        members = [e for e in entries if e["league"] == league]
        compared = {e["unit"]: e["sipas"]["value"] for e in members if not e["flags"]}
        ranks = competition_ranks(compared, precision=precision)
        for e in members:
            e["rank"] = ranks.get(e["unit"])
        mask = np.array([e["league"] == league and not e["flags"] for e in entries], dtype=bool)
        tb = top_bottom(compared, top, precision=precision)
        medians, behind = _medians(computed.values, computed.ns, mask, min_n)
        ranked = [i for i, e in enumerate(entries) if mask[i] and e["rank"] is not None]
        intervals = rank_intervals(
            np.array([entries[i]["sipas"]["value"] for i in ranked], dtype=float),
            computed.sipas_se[ranked],
            np.array([entries[i]["rank"] for i in ranked], dtype=np.int64),
            replicates=replicates,
            seed=rank_seed(campaign_code, league),
        )
        for e in members:
            e["rank_interval"] = None
            e["vs_median"] = None
        for i, best, worst in zip(
            ranked, intervals.best.tolist(), intervals.worst.tolist(), strict=True
        ):
            e = entries[i]
            ci = e["sipas"]["ci"]
            e["rank_interval"] = [best, worst]
            # A unit alone in its league is its own median: no comparison to state.
            e["vs_median"] = (
                versus_median(ci[0] if ci else None, ci[1] if ci else None, medians["sipas"])
                if len(ranked) > 1
                else None
            )
        out[league] = {
            "units": len(members),
            "ranked": len(ranks),
            "median": medians,
            "median_n": behind,
            "top": tb.top,
            "bottom": tb.bottom,
        }
    return out


def _primary_league(entries: list[dict[str, Any]]) -> str | None:
    """The league the report's top-level median, top and bottom describe: the one
    with the most units (ties: the higher level of the tree)."""
    sizes = Counter(e["league"] for e in entries)
    if not sizes:
        return None
    order = {k: i for i, k in enumerate(UNIT_KINDS)}
    return min(sizes, key=lambda k: (-sizes[k], order.get(k, len(order))))


Aggregate = Literal["pooled", "mean_of_units", "weighted"]
AGGREGATES: dict[str, Aggregate] = {"mean_of_units": "mean_of_units", "weighted": "weighted"}


def mean_figure(figs: list[dict[str, Any]]) -> dict[str, Any]:
    """The unweighted mean of some units' figures (one indicator), with a 95 % interval
    from their standard errors as independent samples: se = √(Σ seᵢ²) / k, where seᵢ
    is read back from each unit's interval (its half-width / 1.96). n: their answers."""
    present = [f for f in figs if f["value"] is not None]
    n = sum(f["n"] for f in figs)
    if not present:
        return {"value": None, "ci": None, "n": n}
    k = len(present)
    value = sum(f["value"] for f in present) / k
    if any(f["ci"] is None for f in present):
        return {"value": value, "ci": None, "n": n}
    se = math.sqrt(sum(((f["ci"][1] - f["ci"][0]) / (2 * Z95)) ** 2 for f in present)) / k
    return {
        "value": value,
        "ci": [max(0.0, value - Z95 * se), min(100.0, value + Z95 * se)],
        "n": n,
    }


def _mean_of_units(
    session: Session,
    q: Questionnaire,
    campaign: Campaign,
    targets: list[Unit],
    entries: list[dict[str, Any]],
    children_counts: Callable[[list[Unit]], np.ndarray],
    rule: Rule,
) -> Figures:
    """Replace the figures of every listed unit that has sub-units by the unweighted
    mean of its unflagged direct sub-units' figures (the way the Ministry averages
    provinces), so a service centre with most of a province's responses does not
    outweigh its departments and communes. Units without compared sub-units keep
    their pooled figures. Returns the per-indicator arrays for ranks and medians."""
    ids = [u.id for u in targets]
    children: list[Unit] = []
    for start in range(0, len(ids), 10_000):
        children += session.scalars(
            select(Unit).where(Unit.parent_id.in_(ids[start : start + 10_000])).order_by(Unit.code)
        )
    kids = figures(keyspace(q), children_counts(children), rule).entries if children else []
    by_parent: dict[int, list[dict[str, Any]]] = {}
    for child, figs in zip(children, kids, strict=True):
        if not unit_flags(q, figs, campaign.min_sample)[0]:
            by_parent.setdefault(child.parent_id or 0, []).append(figs)
    for u, e in zip(targets, entries, strict=True):
        averaged = by_parent.get(u.id)
        if not averaged:
            continue
        e["sipas"] = mean_figure([f["sipas"] for f in averaged])
        for block in BLOCKS:
            if block in e:
                e[block] = {k: mean_figure([f[block][k] for f in averaged]) for k in e[block]}
        e["aggregate"] = "mean_of_units"
        e["averaged_units"] = len(averaged)
    return _arrays_of(entries)


def _arrays_of(entries: list[dict[str, Any]]) -> Figures:
    """Per-indicator value and n arrays over the entries (what figures() returns)."""

    def column(figs: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
        values = [np.nan if f["value"] is None else f["value"] for f in figs]
        return np.array(values, dtype=float), np.array([f["n"] for f in figs], dtype=np.int64)

    values: dict[str, Any] = {}
    ns: dict[str, Any] = {}
    values["sipas"], ns["sipas"] = column([e["sipas"] for e in entries])
    for block in BLOCKS:
        if entries and block in entries[0]:
            pairs = {k: column([e[block][k] for e in entries]) for k in entries[0][block]}
            values[block] = {k: v for k, (v, _) in pairs.items()}
            ns[block] = {k: n for k, (_, n) in pairs.items()}
    # mean_of_units intervals are value ± 1.96 se (mean_figure), so se reads back exactly.
    ci = [e["sipas"]["ci"] for e in entries]
    se = np.array([np.nan if c is None else (c[1] - c[0]) / (2 * Z95) for c in ci], dtype=float)
    return Figures(entries, values, ns, se)


def dossier_counts(session: Session, campaign: Campaign) -> dict[int, int | None]:
    """Each scope unit's stored transaction (dossier) count, by unit id."""
    rows = session.execute(
        select(CampaignUnit.unit_id, CampaignUnit.transactions).where(
            CampaignUnit.campaign_id == campaign.id
        )
    )
    return dict(rows.tuples().all())


def _weighted_overall(
    session: Session,
    campaign: Campaign,
    q: Questionnaire,
    rule: Rule,
    strata: list[Unit],
    computed: Figures,
    pooled: Figures,
) -> dict[str, Any]:
    """The campaign as one figure, post-stratified by its scope units' dossier counts
    (methods.aggregate): each indicator is Σ W_h ȳ_h over the scope units with an
    answer, W_h their share of the dossiers, with the stratified variance Σ W_h² v_h
    and the design effect against the pooled figure.

    Refused when a scope unit has no dossier count: leaving it out would publish the
    figure of a different population, and giving it a weight would be invented."""
    counts = dossier_counts(session, campaign)
    missing = [u for u in strata if counts.get(u.id) is None]
    if missing:
        raise Invalid.of(
            "weight_no_transactions",
            [
                FieldError.of(
                    f"transactions.{u.code}", "unit_no_transactions", "missing", unit=u.code
                )
                for u in missing
            ],
            campaign=campaign.code,
            n=len(missing),
        )
    tx = [int(counts[u.id] or 0) for u in strata]
    lo, hi = float(min(q.scale_values)), float(max(q.scale_values))
    scale_bounds = (100 * lo / hi, 100.0) if rule == "mean20" else (0.0, 100.0)
    cv, pv = computed.variances, pooled.variances
    if cv is None or pv is None:
        raise ValueError("the strata's figures carry no variances")
    whole = pooled.entries[0]

    def one(
        values: np.ndarray,
        variances: np.ndarray,
        ns: np.ndarray,
        at: np.ndarray,
        fig: dict[str, Any],
        bounds: tuple[float, float],
    ) -> tuple[dict[str, Any], Stratified]:
        r = post_stratified(
            values.tolist(),
            variances.tolist(),
            ns.tolist(),
            tx,
            pooled_variance=float(at[0]) if at[0] == at[0] else None,
            bounds=bounds,
        )
        ci = list(r.ci) if r.ci else None
        if r.se == 0:
            # Every answer agrees: the pooled (Wilson) interval rather than a zero-width
            # one, when it is about the same value; otherwise none.
            same = fig["value"] is not None and abs(fig["value"] - (r.value or 0)) < 1e-9
            ci = fig["ci"] if same else None
        return {
            "value": r.value,
            "ci": ci,
            "n": r.n,
            "deff": r.deff,
            "n_effective": r.n_effective,
        }, r

    sipas, head = one(
        computed.values["sipas"],
        cv["sipas"],
        computed.ns["sipas"],
        pv["sipas"],
        whole["sipas"],
        scale_bounds,
    )
    out: dict[str, Any] = {"n": whole["n"], "sipas": sipas}
    for block in BLOCKS:
        if block not in whole:
            continue
        bounds = scale_bounds if block in ("factors", "items", "overall_items") else (0.0, 100.0)
        out[block] = {
            k: one(
                computed.values[block][k],
                cv[block][k],
                computed.ns[block][k],
                pv[block][k],
                whole[block][k],
                bounds,
            )[0]
            for k in whole[block]
        }
    out["aggregate"] = "weighted"
    out["weighting"] = {
        "by": "transactions",
        "strata": [
            {"unit": u.code, "transactions": t, "n": int(n), "weight": w}
            for u, t, n, w in zip(
                strata, tx, computed.ns["sipas"].tolist(), head.weights, strict=True
            )
        ],
        "weighted_units": head.strata,
        "left_out": [u.code for u, w in zip(strata, head.weights, strict=True) if w == 0],
        "deff": head.deff,
        "n_effective": head.n_effective,
    }
    return out


def _targets(
    session: Session, campaign: Campaign, level: str | None, parent: str | None
) -> list[Unit]:
    scope = list(
        session.scalars(
            select(Unit)
            .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .where(CampaignUnit.campaign_id == campaign.id)
            .order_by(Unit.code)
        )
    )
    scope_ids = [u.id for u in scope]
    in_scope = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id.in_(scope_ids))
    if parent is None and level is None:
        return scope
    if parent is not None:
        p = session.scalar(select(Unit).where(Unit.code == parent))
        if p is None:
            raise NotFound.of("unit_unknown", code=parent)
        within = session.scalar(
            select(UnitAncestor.unit_id).where(
                UnitAncestor.unit_id == p.id, UnitAncestor.ancestor_id.in_(scope_ids)
            )
        )
        if within is None:
            raise Invalid.of(
                "unit_outside_campaign",
                [FieldError.of("parent", "outside_campaign_scope", "scope")],
                unit=parent,
                campaign=campaign.code,
            )
        below = select(UnitAncestor.unit_id).where(
            UnitAncestor.ancestor_id == p.id, UnitAncestor.distance > 0
        )
        stmt = select(Unit).where(Unit.id.in_(below))
        stmt = stmt.where(Unit.kind == level) if level else stmt.where(Unit.parent_id == p.id)
    else:
        stmt = select(Unit).where(Unit.id.in_(in_scope), Unit.kind == level)
    return list(session.scalars(stmt.order_by(Unit.code)))


def selection(f: Filters) -> answer_columns.Selection:
    """The rows a report's filters keep, as the answer columns select them."""
    chosen = tuple((n, getattr(f, n)) for n in FILTER_QUESTIONS if getattr(f, n) is not None)
    return answer_columns.Selection(chosen, f.channel, f.date_from, f.date_to)


def _filtered_counts(
    session: Session, campaign: Campaign, q: Questionnaire, targets: list[Unit], f: Filters
) -> answer_columns.Counted:
    """Counts and moments of each target's subtree over the matching responses, from
    the campaign's answer columns (app/counts/columns.py): the report matrix rows in
    `targets` order and the alpha moments, as the fold counts them."""
    ks = keyspace(q)
    return answer_columns.filtered(
        session, q, campaign.id, [u.id for u in targets], ks.index, ks.layout, selection(f)
    )


@dataclass
class _Cached:
    version: str
    at: float
    report: Report


# Filtered reports (any combination of filters, so not stored): kept in this process
# until more responses are folded in, or for a minute so renamed units show up.
_cache: dict[tuple[Any, ...], _Cached] = {}
_cache_lock = Lock()


def _fold(session: Session, catalog: Catalog, campaigns: list[Campaign]) -> None:
    if on_replica(session):
        # A filtered report read from the replica is exact when nothing waits to be
        # folded there; otherwise it folds, and then reads, on the primary.
        if not any(has_untallied(session, c.id) for c in campaigns):
            return
        use_primary(session)
        for c in campaigns:
            session.refresh(c)
    for c in campaigns:
        if fold_campaign(session, c, questionnaire_of(catalog, c)):
            session.flush()


# The shape of a report's body; part of each snapshot's key, so that a stored
# snapshot of an older shape is rebuilt rather than served (2: option rates no longer
# repeat their block's name; `sort`; 3: linearised composite intervals, composite n =
# contributing respondents, rank_interval and vs_median; 4: `overall`, the campaign
# as one figure when the report lists its scope units; 5: no vs_median for a unit
# ranked alone in its league; 6: `methods_vi`, and `overall` weighted by dossiers under
# aggregate=weighted; 7: its CSVs end each row with the document's edition, status,
# date and questionnaire, and `change.previous_flags`).
FORM = 7
SORTS = ("code", "rank", "name")


def _view(**params: Any) -> str:
    """The snapshot key of an unfiltered report: its form and parameters, in a fixed order."""
    return "&".join(f"{k}={'' if v is None else v}" for k, v in {"form": FORM, **params}.items())


def _folded(name: str) -> str:
    """A sort key for a Vietnamese name: letters without their marks first (Đ with D),
    so "Đà Nẵng" sorts among the D's, not after Z."""
    bare = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()


def ordered(entries: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
    """`units` in the asked order. By rank, ties keep the order of their codes (they
    share the rank, as the report ranks them) and unranked (flagged) units come last."""
    by_code = sorted(entries, key=lambda e: e["unit"])
    if sort == "rank":
        return sorted(by_code, key=lambda e: (e["rank"] is None, e["rank"] or 0))
    if sort == "name":
        return sorted(by_code, key=lambda e: (_folded(e["name"]), e["name"]))
    return by_code


def _check_sort(sort: str) -> None:
    if sort not in SORTS:
        raise Invalid.of(
            "sort_unknown",
            [FieldError.of("sort", "one_of", "value", known=", ".join(SORTS))],
            sort=sort,
        )


def report(
    session: Session,
    catalog: Catalog,
    campaign_code: str,
    *,
    level: str | None = None,
    parent: str | None = None,
    filters: Filters = Filters(),
    scoring: Rule | None = None,
    compare: str | None = None,
    top: int = 5,
    mixed: bool = False,
    aggregate: Aggregate | None = None,
    sort: str = "code",
    combine: Combine | None = None,
) -> Report:
    """The indices of the campaign's units at `level` under `parent` (see design.md),
    `units` ordered by `sort` (code, rank or name).

    Unfiltered reports are published ones: served from their stored snapshot while
    it is current (see app/counts/snapshots.py), rebuilt when it is not. Filtered
    ones are counted from the matching responses and cached in this process until
    more responses are folded in.
    """
    campaign = get_campaign(session, campaign_code)
    q = questionnaire_of(catalog, campaign)
    filters.check(q)
    _check_sort(sort)
    if level is not None and level not in UNIT_KINDS:
        raise Invalid.of(
            "level_unknown",
            [FieldError.of("level", "one_of", "value", known=", ".join(UNIT_KINDS))],
            level=level,
        )
    choices_of(q, combine)  # refused before anything is folded or built
    if scoring not in (None, "top2box") and len({q.item_scale(c).values for c in q.members}) > 1:
        raise Invalid.of(
            "scoring_one_scale",
            [FieldError.of("scoring", "scoring_one_scale_field", "value", value=scoring)],
            value=scoring,
        )
    campaigns = [campaign] + ([get_campaign(session, compare)] if compare else [])
    mapping = None
    if compare:
        previous_q = questionnaire_of(catalog, campaigns[1])
        if (previous_q.slug, previous_q.version) != (q.slug, q.version):
            # Two methods: compared only through a mapping file that says what corresponds.
            mapping = catalog.comparison(q, previous_q)
            if mapping is None:
                raise comparison.refuse(q, previous_q, compare)
    if aggregate is None:
        aggregate = AGGREGATES.get(campaign.aggregate, "pooled")

    # What the report depends on besides the campaign: _build's arguments, and the key
    # of a filtered report kept in memory.
    asked = (level, parent, filters, scoring, compare, top, mixed, aggregate, sort, combine)

    def build() -> dict[str, Any]:
        return _build(session, catalog, campaign, q, *asked)

    if not filters.any():
        view = _view(
            **({"combine": combine} if combine else {}),
            level=level,
            parent=parent,
            scoring=scoring,
            compare=compare,
            **({"mapping": mapping.source.name} if mapping else {}),
            top=top,
            mixed=int(mixed),
            aggregate=aggregate,
            sort=sort,
            precision=get_settings().RANK_PRECISION,
            replicates=get_settings().RANK_REPLICATES,
        )
        return snapshots.serve(
            session, campaigns, view, lambda: _fold(session, catalog, campaigns), build
        )
    _fold(session, catalog, campaigns)
    for c in campaigns:
        session.refresh(c, ["tally_token"])
    token = snapshots.token_of(campaigns)
    key = (campaign.id, *asked)
    with _cache_lock:
        hit = _cache.get(key)
    if hit and hit.version == token and time.monotonic() - hit.at < CACHE_SECONDS:
        return hit.report
    with gc_paused():
        result = Report(build())
    with _cache_lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = _Cached(token, time.monotonic(), result)
    return result


def _build(
    session: Session,
    catalog: Catalog,
    campaign: Campaign,
    q: Questionnaire,
    level: str | None,
    parent: str | None,
    filters: Filters,
    scoring: Rule | None,
    compare: str | None,
    top: int,
    mixed: bool = False,
    aggregate: Aggregate = "pooled",
    sort: str = "code",
    combine: Combine | None = None,
) -> dict[str, Any]:
    rule: Rule = scoring or q.model.scoring.criterion
    choose = choices_of(q, combine)
    targets = _targets(session, campaign, level, parent)
    ks = keyspace(q)
    ids = [u.id for u in targets]
    if filters.any():
        counted = _filtered_counts(session, campaign, q, targets, filters)
        matrix = counted.matrix
        moments = counted.alpha_counts()
    else:
        matrix = subtree_matrix(session, campaign.id, ids, q)
        moments = subtree_totals(session, campaign.id, ids, "a:")
    computed = figures(ks, matrix, rule, choose)
    # The campaign as one figure (the printed report's headline) when the report lists
    # the campaign's own scope units: overlapping scopes are refused, so their subtrees
    # are disjoint and their counts add up to exactly the campaign's responses.
    overall: dict[str, Any] | None = None
    if level is None and parent is None and len(targets) > 1:
        pooled = figures(ks, matrix.sum(axis=0, keepdims=True), rule, choose)
        whole = (
            _weighted_overall(session, campaign, q, rule, targets, computed, pooled)
            if aggregate == "weighted"
            else pooled.entries[0]
        )
        overall = {"unit": campaign.code, "name": campaign.name, "kind": "campaign", **whole}
    entries = []
    for u, figs in zip(targets, computed.entries, strict=True):
        flags, detail = unit_flags(q, figs, campaign.min_sample)
        entries.append(
            {
                "unit": u.code,
                "name": u.name,
                "kind": u.kind,
                **figs,
                "rank": None,
                "rank_interval": None,
                "vs_median": None,
                "league": "mixed" if mixed else u.kind,
                "aggregate": "pooled",
                "flags": flags,
                "flag_detail": detail,
            }
        )
    if aggregate == "mean_of_units":

        def children_counts(children: list[Unit]) -> np.ndarray:
            if filters.any():
                return _filtered_counts(session, campaign, q, children, filters).matrix
            return subtree_matrix(session, campaign.id, [c.id for c in children], q)

        computed = _mean_of_units(session, q, campaign, targets, entries, children_counts, rule)
    leagues = _leagues(
        entries,
        computed,
        top,
        get_settings().RANK_PRECISION,
        median_min_n(campaign),
        campaign.code,
    )
    primary = _primary_league(entries)
    main = leagues.get(primary) if primary else None
    body: dict[str, Any] = {
        "campaign": campaign.code,
        "questionnaire": q.slug,
        "version": q.version,
        "scoring": rule,
        "aggregate": aggregate,
        "factor_rule": q.model.scoring.factor,
        "sipas_rule": q.model.scoring.sipas,
        "level": level,
        "parent": parent,
        "min_sample": campaign.min_sample,
        "filters": {
            k: (v.isoformat() if isinstance(v, date) else v)
            for k, v in vars(filters).items()
            if v is not None
        },
        "n": sum(e["n"] for e in entries),
        "units": entries,
        "league": primary,
        "median": main["median"] if main else _medians(*_no_units(computed))[0],
        "median_n": main["median_n"] if main else _medians(*_no_units(computed))[1],
        "top": main["top"] if main else [],
        "bottom": main["bottom"] if main else [],
        "leagues": leagues,
        "reliability": reliability(q, moments),
        "methods": METHODS,
        "methods_vi": METHODS_VI,
    }
    if q.declares_tree:
        # The shape of the index, so a reader can walk `factors` as the tree it is
        # (sipas-2017's reports keep their published shape: its factors are flat).
        body["combine"] = combine or "default"
        body["tree"] = tree_of(q)
        body["methods"] = {**METHODS, **METHODS_TREE}
        body["methods_vi"] = {**METHODS_VI, **METHODS_TREE_VI}
    if overall is not None:
        body["overall"] = overall
    if compare:

        def before_with(rule: Aggregate) -> Report:
            return report(
                session,
                catalog,
                compare,
                level=level,
                parent=parent,
                filters=filters,
                scoring=scoring,
                mixed=mixed,
                aggregate=rule,
            )

        try:
            previous = before_with(aggregate)
        except Invalid as exc:
            if exc.key != "weight_no_transactions":
                raise
            # Last year's campaign has no dossier counts: its units compare as they
            # are (weighting changes only `overall`), its overall figure not at all.
            previous = before_with("pooled")
        previous_q = questionnaire_of(catalog, get_campaign(session, compare))
        if (previous_q.slug, previous_q.version) != (q.slug, q.version):
            mapping = catalog.comparison(q, previous_q)
            if mapping is None:
                raise comparison.refuse(q, previous_q, compare)
            comparison.apply(body, entries, overall, previous.body, mapping, q, previous_q, compare)
            body["sort"] = sort
            body["units"] = ordered(entries, sort)
            return body
        before = {e["unit"]: e for e in previous.body["units"]}
        for e in entries:
            p = before.get(e["unit"])
            ch = change_of(
                e["sipas"]["value"],
                p["sipas"]["value"] if p else None,
                e["rank"],
                p["rank"] if p else None,
            )
            # A previous figure that was not ranked (small sample, incomplete) still gives a
            # difference, but one resting on too few answers: every document marks it.
            e["change"] = {
                "campaign": compare,
                "points": ch.points,
                "rank": ch.rank,
                "previous_flags": list(p["flags"]) if p else [],
            }
        was = previous.body.get("overall")
        if (
            overall is not None
            and was is not None
            and was.get("aggregate") == overall.get("aggregate")
        ):
            ch = change_of(overall["sipas"]["value"], was["sipas"]["value"], None, None)
            overall["change"] = {
                "campaign": compare,
                "points": ch.points,
                "rank": None,
                "previous_flags": [],
            }
    body["sort"] = sort
    body["units"] = ordered(entries, sort)
    return body


def unit_report(
    session: Session,
    catalog: Catalog,
    campaign_code: str,
    unit_code: str,
    *,
    filters: Filters = Filters(),
    scoring: Rule | None = None,
    sort: str = "code",
) -> Report:
    """One unit's indices, and its direct sub-units compared with each other (`units`
    ordered by `sort`)."""
    campaign = get_campaign(session, campaign_code)
    q = questionnaire_of(catalog, campaign)
    filters.check(q)
    _check_sort(sort)
    unit = session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise NotFound.of("unit_unknown", code=unit_code)

    def build() -> dict[str, Any]:
        return _unit_body(session, catalog, campaign, q, unit, filters, scoring, sort)

    if not filters.any():
        return snapshots.serve(
            session,
            [campaign],
            _view(
                unit=unit.code,
                scoring=scoring,
                sort=sort,
                precision=get_settings().RANK_PRECISION,
                replicates=get_settings().RANK_REPLICATES,
            ),
            lambda: _fold(session, catalog, [campaign]),
            build,
        )
    _fold(session, catalog, [campaign])
    with gc_paused():
        return Report(build())


def _unit_body(
    session: Session,
    catalog: Catalog,
    campaign: Campaign,
    q: Questionnaire,
    unit: Unit,
    filters: Filters,
    scoring: Rule | None,
    sort: str = "code",
) -> dict[str, Any]:
    children = _build(
        session, catalog, campaign, q, None, unit.code, filters, scoring, None, 5, sort=sort
    )
    if filters.any():
        one = _filtered_counts(session, campaign, q, [unit], filters)
        ks = keyspace(q)
        counts = Counter(dict(zip(ks.keys, one.matrix[0, : len(ks.keys)].tolist(), strict=True)))
        counts.update(one.alpha_counts(0))
        vector = one.matrix[0, len(ks.keys) :]
    else:
        ks = keyspace(q)
        counts = Counter(
            dict(
                zip(
                    ks.keys,
                    counts_matrix(session, campaign.id, [unit.id], ks.index)[0].tolist(),
                    strict=True,
                )
            )
        )
        counts.update(subtree_totals(session, campaign.id, [unit.id], "a:"))
        vector = moments_matrix(session, campaign.id, [unit.id], ks.layout)[0]
    figs = unit_figures(q, counts, vector, scoring or q.model.scoring.criterion)
    flags, detail = unit_flags(q, figs, campaign.min_sample)
    return {
        **{k: v for k, v in children.items() if k not in ("units", "level", "parent")},
        # The sub-units' n summed would leave out responses recorded at the unit itself.
        "n": figs["n"],
        "unit": {
            "unit": unit.code,
            "name": unit.name,
            "kind": unit.kind,
            **figs,
            "flags": flags,
            "flag_detail": detail,
        },
        "reliability": reliability(q, counts),
        "units": children["units"],
        "median": children["median"],
    }
