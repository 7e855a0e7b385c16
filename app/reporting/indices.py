"""The indices report: counts from the database, figures from analysis/.

`report()` answers GET /api/v1/campaigns/{campaign}/indices. Unfiltered, it is a
published report: served from its stored snapshot while that is current, else
computed from the tallies after folding in whatever arrived since, and stored
(app/counts/snapshots.py). With filters it counts the matching rows directly,
with the same counting function.
"""

import time
import unicodedata
from collections import Counter
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from threading import Lock
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.ranking import change as change_of
from analysis.ranking import competition_ranks, median_of, top_bottom
from analysis.reliability import Moments, cronbach_alpha
from app.campaigns.models import Campaign, CampaignUnit
from app.campaigns.service import get_campaign, questionnaire_of
from app.collection.models import CHANNELS, Submission
from app.core.clock import VIETNAM
from app.core.errors import FieldError, Invalid, NotFound
from app.counts import snapshots
from app.counts.models import UnitAncestor
from app.counts.report_forms import Report, gc_paused, to_csv
from app.counts.tally import (
    FOLD_CHUNK,
    RowFacts,
    UnitCounts,
    counts_matrix,
    fold_campaign,
    subtree_totals,
)
from app.questionnaires.catalog import Catalog, Questionnaire, Rule
from app.reporting.figures import figures, keyspace
from app.units.models import UNIT_KINDS, Unit

__all__ = ["Filters", "Report", "report", "to_csv", "unit_report"]

CACHE_SECONDS = 60.0
NO_FACTS = RowFacts()  # filtered reports count answers only (no day or flag keys)


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
        for name in ("service_field", "respondent_type", "gender", "age_band"):
            value = getattr(self, name)
            question = q.questions.get(name)
            if value is not None and (question is None or value not in question.option_codes):
                options = (
                    ", ".join(question.option_codes) if question else "none in this questionnaire"
                )
                problems.append(
                    FieldError(name, f"{value!r} is not an option ({options})", "value")
                )
        if self.channel is not None and self.channel not in CHANNELS:
            problems.append(
                FieldError("channel", f"{self.channel!r}: one of {', '.join(CHANNELS)}", "value")
            )
        if self.date_from and self.date_to and self.date_to < self.date_from:
            problems.append(FieldError("date_to", "is before date_from", "range"))
        if problems:
            raise Invalid("invalid report filters", problems)


def unit_figures(q: Questionnaire, counts: Counter[str], rule: Rule) -> dict[str, Any]:
    """Every indicator of one unit from its counts (the report's code path, one row)."""
    ks = keyspace(q)
    return figures(ks, ks.matrix([counts]), rule).entries[0]


def reliability(q: Questionnaire, counts: Counter[str]) -> dict[str, Any]:
    """Cronbach's alpha per factor from the summed moments."""
    out = {}
    for f in q.factors:
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


def _medians(values: dict[str, Any], compared: np.ndarray) -> dict[str, Any]:
    """Median of every indicator over the compared (unflagged) units; None if none."""

    def med(column: np.ndarray) -> float | None:
        return median_of(column, compared)

    out: dict[str, Any] = {"sipas": med(values["sipas"])}
    for group, columns in values.items():
        if group != "sipas":
            out[group] = {k: med(v) for k, v in columns.items()}
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
            raise NotFound(f"unit {parent!r} does not exist")
        within = session.scalar(
            select(UnitAncestor.unit_id).where(
                UnitAncestor.unit_id == p.id, UnitAncestor.ancestor_id.in_(scope_ids)
            )
        )
        if within is None:
            raise Invalid(
                f"unit {parent!r} is outside the scope of campaign {campaign.code!r}",
                [FieldError("parent", "outside the campaign's scope", "scope")],
            )
        below = select(UnitAncestor.unit_id).where(
            UnitAncestor.ancestor_id == p.id, UnitAncestor.distance > 0
        )
        stmt = select(Unit).where(Unit.id.in_(below))
        stmt = stmt.where(Unit.kind == level) if level else stmt.where(Unit.parent_id == p.id)
    else:
        stmt = select(Unit).where(Unit.id.in_(in_scope), Unit.kind == level)
    return list(session.scalars(stmt.order_by(Unit.code)))


def _filtered_counts(
    session: Session, campaign: Campaign, q: Questionnaire, targets: list[Unit], f: Filters
) -> dict[int, Counter[str]]:
    ids = [u.id for u in targets]
    up: dict[int, list[int]] = {}
    for unit_id, ancestor_id in session.execute(
        select(UnitAncestor.unit_id, UnitAncestor.ancestor_id).where(
            UnitAncestor.ancestor_id.in_(ids)
        )
    ):
        up.setdefault(unit_id, []).append(ancestor_id)
    stmt = select(Submission.unit_id, Submission.channel, Submission.answers).where(
        Submission.campaign_id == campaign.id, Submission.excluded_at.is_(None)
    )
    if len(up) < 5000:  # otherwise the campaign-wide scan is cheaper than a huge IN list
        stmt = stmt.where(Submission.unit_id.in_(list(up)))
    for name in ("service_field", "respondent_type", "gender", "age_band"):
        value = getattr(f, name)
        if value is not None:
            stmt = stmt.where(Submission.answers[name].as_string() == value)
    if f.channel:
        stmt = stmt.where(Submission.channel == f.channel)
    if f.date_from:
        stmt = stmt.where(
            Submission.submitted_at >= datetime.combine(f.date_from, datetime.min.time(), VIETNAM)
        )
    if f.date_to:
        stmt = stmt.where(
            Submission.submitted_at
            < datetime.combine(f.date_to + timedelta(days=1), datetime.min.time(), VIETNAM)
        )
    counted = UnitCounts(q)
    rows = session.execute(stmt.execution_options(yield_per=FOLD_CHUNK))
    for chunk in rows.partitions():
        counted.add([(unit_id, channel, answers, NO_FACTS) for unit_id, channel, answers in chunk])
    out: dict[int, Counter[str]] = {uid: Counter() for uid in ids}
    for unit_id, counts in counted.totals.items():
        for target in up.get(unit_id, ()):
            out[target].update(counts)
    return out


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
    for c in campaigns:
        if fold_campaign(session, c, questionnaire_of(catalog, c)):
            session.flush()


# The shape of a report's body; part of each snapshot's key, so that a stored
# snapshot of an older shape is rebuilt rather than served (2: option rates no longer
# repeat their block's name; `sort`).
FORM = 2
SORTS = ("code", "rank", "name")


def _view(**params: Any) -> str:
    """The snapshot key of an unfiltered report: its form and parameters, in a fixed order."""
    return "&".join(f"{k}={'' if v is None else v}" for k, v in {"form": FORM, **params}.items())


def _folded(name: str) -> str:
    """A sort key for a Vietnamese name: letters without their marks first (Đ with D),
    so "Đà Nẵng" sorts among the D's, not after Z."""
    bare = unicodedata.normalize("NFD", name.replace("Đ", "D").replace("đ", "d"))
    return "".join(ch for ch in bare if not unicodedata.combining(ch)).casefold()


def _ordered(entries: list[dict[str, Any]], sort: str) -> list[dict[str, Any]]:
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
        raise Invalid(
            f"unknown sort {sort!r}", [FieldError("sort", f"one of {', '.join(SORTS)}", "value")]
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
    sort: str = "code",
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
        raise Invalid(
            f"unknown level {level!r}",
            [FieldError("level", f"one of {', '.join(UNIT_KINDS)}", "value")],
        )
    campaigns = [campaign] + ([get_campaign(session, compare)] if compare else [])

    def build() -> dict[str, Any]:
        return _build(
            session, catalog, campaign, q, level, parent, filters, scoring, compare, top, sort
        )

    if not filters.any():
        view = _view(
            level=level, parent=parent, scoring=scoring, compare=compare, top=top, sort=sort
        )
        return snapshots.serve(
            session, campaigns, view, lambda: _fold(session, catalog, campaigns), build
        )
    _fold(session, catalog, campaigns)
    for c in campaigns:
        session.refresh(c, ["tally_token"])
    token = snapshots.token_of(campaigns)
    key = (campaign.id, level, parent, filters, scoring, compare, top, sort)
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
    sort: str = "code",
) -> dict[str, Any]:
    rule: Rule = scoring or q.model.scoring.criterion
    targets = _targets(session, campaign, level, parent)
    ks = keyspace(q)
    ids = [u.id for u in targets]
    if filters.any():
        counted = _filtered_counts(session, campaign, q, targets, filters)
        matrix = ks.matrix([counted[i] for i in ids])
        moments: Counter[str] = Counter()
        for c in counted.values():
            moments.update({k: v for k, v in c.items() if k.startswith("a:")})
    else:
        matrix = counts_matrix(session, campaign.id, ids, ks.index)
        moments = subtree_totals(session, campaign.id, ids, "a:")
    entries = []
    computed = figures(ks, matrix, rule)
    for u, figs in zip(targets, computed.entries, strict=True):
        flags = ["small_sample"] if figs["n"] < campaign.min_sample else []
        entries.append(
            {"unit": u.code, "name": u.name, "kind": u.kind, **figs, "rank": None, "flags": flags}
        )
    ranks = competition_ranks({e["unit"]: e["sipas"]["value"] for e in entries if not e["flags"]})
    for e in entries:
        e["rank"] = ranks.get(e["unit"])
    compared = {e["unit"]: e["sipas"]["value"] for e in entries if not e["flags"]}
    tb = top_bottom(compared, top)
    body: dict[str, Any] = {
        "campaign": campaign.code,
        "questionnaire": q.slug,
        "version": q.version,
        "scoring": rule,
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
        "median": _medians(
            computed.values, np.array([not e["flags"] for e in entries], dtype=bool)
        ),
        "top": tb.top,
        "bottom": tb.bottom,
        "reliability": reliability(q, moments),
        "methods": METHODS,
    }
    if compare:
        previous = report(
            session, catalog, compare, level=level, parent=parent, filters=filters, scoring=scoring
        )
        before = {e["unit"]: e for e in previous.body["units"]}
        for e in entries:
            p = before.get(e["unit"])
            ch = change_of(
                e["sipas"]["value"],
                p["sipas"]["value"] if p else None,
                e["rank"],
                p["rank"] if p else None,
            )
            e["change"] = {"campaign": compare, "points": ch.points, "rank": ch.rank}
    body["sort"] = sort
    body["units"] = _ordered(entries, sort)
    return body


METHODS = {
    "percent": "All figures are percentages from 0 to 100, unrounded.",
    "criterion": "top2box: % of valid answers (1–5) that are 4 or 5; mean20: mean × 20; rescaled: "
    "(mean − 1)/4 × 100. 'Not applicable' and missing answers are excluded.",
    "factor": "criteria_mean: unweighted mean of the factor's criterion indices; overall_item: the "
    "criterion rule applied to the factor's own overall item.",
    "sipas": "factors_mean: unweighted mean of the five factor indices; overall_item: the criterion rule "
    "applied to the overall item.",
    "ci": "95 %. Proportions (top2box criteria, perception, timeliness, expectations): Wilson score. "
    "Mean-score rules: normal approximation on the mean. Factors and SIPAS: Wilson at the "
    "composite's value with n = the smallest n of its components (conservative when components "
    "are not perfectly correlated).",
    "n": "Criterion: valid answers. Rates: respondents who answered the question (late-case follow-up: "
    "late cases). Factor and SIPAS: the smallest n of their components. Unit n: responses.",
    "median": "Median of each indicator over the listed units that are not flagged.",
    "rank": "Competition ranking on SIPAS (1 = best, ties share a rank); flagged units are not ranked.",
    "sort": "units are listed by code (default), by rank (ties by code, unranked units last) or "
    "by name (Vietnamese letters with their base letter), as `sort` asks.",
    "flags": "small_sample: fewer responses than the campaign's min_sample.",
    "reliability": "Cronbach's alpha per factor over all listed units, complete cases, Feldt 95 % interval.",
}


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
        raise NotFound(f"unit {unit_code!r} does not exist")

    def build() -> dict[str, Any]:
        return _unit_body(session, catalog, campaign, q, unit, filters, scoring, sort)

    if not filters.any():
        return snapshots.serve(
            session,
            [campaign],
            _view(unit=unit.code, scoring=scoring, sort=sort),
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
        session, catalog, campaign, q, None, unit.code, filters, scoring, None, 5, sort
    )
    if filters.any():
        counts = _filtered_counts(session, campaign, q, [unit], filters)[unit.id]
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
    figs = unit_figures(q, counts, scoring or q.model.scoring.criterion)
    flags = ["small_sample"] if figs["n"] < campaign.min_sample else []
    return {
        **{k: v for k, v in children.items() if k not in ("units", "level", "parent")},
        "unit": {"unit": unit.code, "name": unit.name, "kind": unit.kind, **figs, "flags": flags},
        "reliability": reliability(q, counts),
        "units": children["units"],
        "median": children["median"],
    }
