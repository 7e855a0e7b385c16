"""The indices report: counts from the database, figures from analysis/.

`report()` answers GET /api/v1/campaigns/{campaign}/indices. Unfiltered, it reads
the tallies (fast at any size) after folding in whatever arrived since the last
report, so every acknowledged response is counted. With filters it counts the
matching rows directly, with the same counting function.
"""

import csv
import io
import json
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta, timezone
from threading import Lock
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from analysis.indices import Estimate, composite, criterion_index, proportion, timeliness
from analysis.ranking import change as change_of
from analysis.ranking import competition_ranks, median, top_bottom
from analysis.reliability import Moments, cronbach_alpha
from app.catalog import Catalog, Questionnaire
from app.errors import FieldError, Invalid, NotFound
from app.models import Campaign, CampaignUnit, Submission, Unit, UnitAncestor
from app.services.campaigns import get_campaign, questionnaire_of
from app.services.tally import count_answers, counts_for, fold_campaign

VIETNAM = timezone(timedelta(hours=7))
Rule = Literal["top2box", "mean20", "rescaled"]
CACHE_SECONDS = 60.0


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
        if self.channel is not None and self.channel not in ("kiosk", "web", "paper", "interview"):
            problems.append(
                FieldError(
                    "channel", f"{self.channel!r}: one of kiosk, web, paper, interview", "value"
                )
            )
        if self.date_from and self.date_to and self.date_to < self.date_from:
            problems.append(FieldError("date_to", "is before date_from", "range"))
        if problems:
            raise Invalid("invalid report filters", problems)


def _est(e: Estimate) -> dict[str, Any]:
    return {"value": e.value, "ci": list(e.ci) if e.ci else None, "n": e.n}


def _dist(counts: Counter[str], code: str, values: Sequence[int]) -> dict[int, int]:
    return {v: counts.get(f"{code}={v}", 0) for v in values}


def unit_figures(q: Questionnaire, counts: Counter[str], rule: Rule) -> dict[str, Any]:
    """Every indicator of one unit from its counts."""
    sc = q.model.scoring
    values = q.scale_values

    def item(code: str) -> Estimate:
        return criterion_index(_dist(counts, code, values), rule, sc.satisfied, values)

    items = {code: item(code) for code in q.criteria}
    factors: dict[str, Estimate] = {}
    for f in q.factors:
        if sc.factor == "overall_item" and f.overall_item:
            factors[f.code] = item(f.overall_item)
        else:
            factors[f.code] = composite([items[c] for c in f.items])
    if sc.sipas == "overall_item" and sc.overall_item:
        sipas = item(sc.overall_item)
    else:
        sipas = composite(list(factors.values()))
    out: dict[str, Any] = {
        "n": counts.get("n", 0),
        "sipas": _est(sipas),
        "factors": {k: _est(v) for k, v in factors.items()},
        "items": {k: _est(v) for k, v in items.items()},
        "overall_items": {
            code: _est(item(code))
            for code in [f.overall_item for f in q.factors if f.overall_item]
            + ([sc.overall_item] if sc.overall_item else [])
        },
    }
    for block in ("perception", "expectations", "respondents"):
        rates: dict[str, Any] = {}
        for question in q.report_questions(block):
            if question.kind == "multi":
                n = counts.get(f"{question.code}#", 0)
            else:
                n = sum(counts.get(f"{question.code}={o}", 0) for o in question.option_codes)
            for option in question.option_codes:
                rates[f"{question.code}.{option}"] = _est(
                    proportion(counts.get(f"{question.code}={option}", 0), n)
                )
        out[block] = rates
    if sc.timeliness is not None:
        t = sc.timeliness
        tl = timeliness(
            counts.get(f"{t.question}={t.early}", 0),
            counts.get(f"{t.question}={t.on_time}", 0),
            counts.get(f"{t.question}={t.late}", 0),
        )
        out["timeliness"] = {
            k: _est(getattr(tl, k)) for k in ("early", "on_time", "late", "on_time_or_early")
        }
    return out


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


def _medians(entries: list[dict[str, Any]]) -> dict[str, Any]:
    """Median of every indicator over the entries that are compared (not flagged)."""
    compared = [e for e in entries if not e["flags"]]
    out: dict[str, Any] = {"sipas": median([e["sipas"]["value"] for e in compared])}
    for block in (
        "factors",
        "items",
        "overall_items",
        "perception",
        "expectations",
        "respondents",
        "timeliness",
    ):
        keys = entries[0].get(block, {}).keys() if entries else []
        out[block] = {k: median([e[block][k]["value"] for e in compared]) for k in keys}
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
        Submission.campaign_id == campaign.id
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
    out: dict[int, Counter[str]] = {uid: Counter() for uid in ids}
    for unit_id, channel, answers in session.execute(stmt.execution_options(yield_per=5000)):
        c = count_answers(q, answers, channel)
        for target in up.get(unit_id, ()):
            out[target].update(c)
    return out


class Report:
    """A computed report; its JSON encoding is made once and reused while cached."""

    def __init__(self, body: dict[str, Any]):
        self.body = body
        self._json: bytes | None = None

    def json(self) -> bytes:
        if self._json is None:
            self._json = json.dumps(self.body, ensure_ascii=False, separators=(",", ":")).encode()
        return self._json


@dataclass
class _Cached:
    version: str
    at: float
    report: Report


_cache: dict[tuple[Any, ...], _Cached] = {}
_cache_lock = Lock()


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
) -> Report:
    """The indices of the campaign's units at `level` under `parent` (see design.md).

    Cached per campaign and arguments until more responses are folded in (or for a
    minute, so renamed units show up): a repeated report costs a look-up.
    """
    campaign = get_campaign(session, campaign_code)
    q = questionnaire_of(catalog, campaign)
    filters.check(q)
    if fold_campaign(session, campaign, q):
        session.flush()
    session.refresh(campaign)
    key = (campaign.id, level, parent, filters, scoring, compare, top)
    with _cache_lock:
        hit = _cache.get(key)
    if hit and hit.version == campaign.tally_token and time.monotonic() - hit.at < CACHE_SECONDS:
        return hit.report
    result = Report(
        _build(session, catalog, campaign, q, level, parent, filters, scoring, compare, top)
    )
    with _cache_lock:
        if len(_cache) > 256:
            _cache.clear()
        _cache[key] = _Cached(campaign.tally_token, time.monotonic(), result)
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
) -> dict[str, Any]:
    rule: Rule = scoring or q.model.scoring.criterion
    targets = _targets(session, campaign, level, parent)
    if filters.any():
        counts = _filtered_counts(session, campaign, q, targets, filters)
    else:
        counts = counts_for(session, campaign.id, [u.id for u in targets])
    entries = []
    total: Counter[str] = Counter()
    for u in targets:
        figures = unit_figures(q, counts[u.id], rule)
        flags = ["small_sample"] if figures["n"] < campaign.min_sample else []
        entries.append(
            {
                "unit": u.code,
                "name": u.name,
                "kind": u.kind,
                **figures,
                "rank": None,
                "flags": flags,
            }
        )
        total.update(counts[u.id])
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
        "median": _medians(entries),
        "top": tb.top,
        "bottom": tb.bottom,
        "reliability": reliability(q, total),
        "methods": METHODS,
    }
    if compare:
        previous = report(
            session, catalog, compare, level=level, parent=parent, filters=filters, scoring=scoring
        )
        before = {e["unit"]: e for e in previous.body["units"]}
        for e in entries:
            p = before.get(e["unit"])
            c = change_of(
                e["sipas"]["value"],
                p["sipas"]["value"] if p else None,
                e["rank"],
                p["rank"] if p else None,
            )
            e["change"] = {"campaign": compare, "points": c.points, "rank": c.rank}
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
) -> Report:
    """One unit's indices, and its direct sub-units compared with each other."""
    campaign = get_campaign(session, campaign_code)
    unit = session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        raise NotFound(f"unit {unit_code!r} does not exist")
    children = report(
        session, catalog, campaign_code, parent=unit_code, filters=filters, scoring=scoring
    ).body
    q = questionnaire_of(catalog, campaign)
    if filters.any():
        counts = _filtered_counts(session, campaign, q, [unit], filters)[unit.id]
    else:
        counts = counts_for(session, campaign.id, [unit.id])[unit.id]
    figures = unit_figures(q, counts, scoring or q.model.scoring.criterion)
    flags = ["small_sample"] if figures["n"] < campaign.min_sample else []
    return Report(
        {
            **{k: v for k, v in children.items() if k not in ("units", "level", "parent")},
            "unit": {
                "unit": unit.code,
                "name": unit.name,
                "kind": unit.kind,
                **figures,
                "flags": flags,
            },
            "reliability": reliability(q, counts),
            "units": children["units"],
            "median": children["median"],
        }
    )


def to_csv(body: dict[str, Any]) -> str:
    """The report in long ("tidy") form: one row per unit and indicator, with the median."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        [
            "campaign",
            "unit",
            "name",
            "kind",
            "unit_n",
            "rank",
            "flags",
            "indicator",
            "value",
            "ci_low",
            "ci_high",
            "n",
            "median",
        ]
    )
    units = ([body["unit"]] if "unit" in body else []) + body["units"]
    med = body["median"]
    for e in units:
        head = [
            body["campaign"],
            e["unit"],
            e["name"],
            e["kind"],
            e["n"],
            e.get("rank") or "",
            ";".join(e["flags"]),
        ]
        rows = [("sipas", e["sipas"], med["sipas"])]
        for block in (
            "factors",
            "items",
            "overall_items",
            "perception",
            "timeliness",
            "expectations",
            "respondents",
        ):
            for k, est in e.get(block, {}).items():
                rows.append((f"{block}.{k}", est, med.get(block, {}).get(k)))
        for name, est, m in rows:
            ci = est["ci"] or ["", ""]
            w.writerow(
                [*head, name, _num(est["value"]), _num(ci[0]), _num(ci[1]), est["n"], _num(m)]
            )
    return out.getvalue()


def _num(x: Any) -> str:
    return "" if x is None or x == "" else repr(float(x))
