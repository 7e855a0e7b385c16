"""What the results page was asked for: level, comparison and filters from the query
string, checked with errors in the coordinator's language (nothing is computed from a
half-understood request)."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access.service import Principal
from app.campaigns.models import Campaign, CampaignUnit
from app.campaigns.service import visible_campaigns
from app.core.errors import FieldError, Invalid
from app.core.inputs import EARLIEST, LATEST
from app.counts.models import UnitAncestor
from app.questionnaires.catalog import Catalog, Questionnaire
from app.reporting.indices import Filters
from app.units.models import UNIT_KINDS, Unit

FILTER_QUESTIONS = ("gender", "age_band", "respondent_type", "service_field")


@dataclass(frozen=True)
class Asked:
    level: str | None
    compare: str | None
    filters: Filters
    # How a listed unit with sub-units and the campaign's overall figure are made
    # (methods.aggregate); None: the campaign's own setting.
    aggregate: str | None = None


AGGREGATES = ("pooled", "mean_of_units", "weighted")


def _day(name: str, raw: str, problems: list[FieldError]) -> date | None:
    if not raw:
        return None
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        problems.append(FieldError.of(name, "not_a_date", "date", raw=raw))
        return None
    if not EARLIEST <= day <= LATEST:
        problems.append(
            FieldError.of(
                name, "date_range", "date", lo=EARLIEST.isoformat(), hi=LATEST.isoformat()
            )
        )
        return None
    return day


def parse(
    params: dict[str, str], q: Questionnaire, levels: list[str], comparable: list[str]
) -> Asked:
    """The level, the campaign to compare with and the filters; every bad value is
    reported with where it is, and none is applied."""
    value = {k: (params.get(k) or "").strip() for k in (*FILTER_QUESTIONS, "channel")}
    problems: list[FieldError] = []
    level = (params.get("level") or "").strip() or None
    if level is not None and level not in levels:
        known = ", ".join(levels) or "–"
        problems.append(FieldError.of("level", "one_of", "value", known=known))
    compare = (params.get("compare") or "").strip() or None
    if compare is not None and compare not in comparable:
        known = ", ".join(comparable) or "–"
        problems.append(FieldError.of("compare", "one_of", "value", known=known))
    aggregate = (params.get("aggregate") or "").strip() or None
    if aggregate is not None and aggregate not in AGGREGATES:
        problems.append(FieldError.of("aggregate", "one_of", "value", known=", ".join(AGGREGATES)))
    date_from = _day("date_from", (params.get("date_from") or "").strip(), problems)
    date_to = _day("date_to", (params.get("date_to") or "").strip(), problems)
    filters = Filters(
        value["service_field"] or None,
        value["channel"] or None,
        value["respondent_type"] or None,
        value["gender"] or None,
        value["age_band"] or None,
        date_from,
        date_to,
    )
    try:
        filters.check(q)
    except Invalid as exc:
        problems += exc.fields
    if problems:
        raise Invalid.of("filters_invalid", problems)
    return Asked(level, compare, filters, aggregate)


def levels(session: Session, campaign: Campaign) -> list[str]:
    """The unit kinds found in the campaign's scope (its units and those below), in
    tree order: the leagues a coordinator can list."""
    scope = select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign.id)
    below = select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id.in_(scope))
    found = set(session.scalars(select(Unit.kind).where(Unit.id.in_(below)).distinct()))
    return [k for k in UNIT_KINDS if k in found]


def comparable(
    session: Session, who: Principal, campaign: Campaign, catalog: Catalog | None = None
) -> list[Campaign]:
    """The other campaigns the coordinator sees that share this one's questionnaire, or
    (given the catalog) are on one a mapping file relates to it, newest first: the ones
    a change in points and rank means something against."""
    mapped: set[tuple[str, int]] = set()
    if catalog is not None:
        for m in catalog.mappings():
            ends = m.ends
            here = (campaign.questionnaire, campaign.questionnaire_version)
            if here in ends:
                mapped.update(e for e in ends if e != here)
    return sorted(
        (
            c
            for c in visible_campaigns(session, who.unit_id)
            if c.id != campaign.id
            and (
                c.questionnaire == campaign.questionnaire
                or (c.questionnaire, c.questionnaire_version) in mapped
            )
        ),
        key=lambda c: (c.starts_on, c.code),
        reverse=True,
    )


def options(q: Questionnaire, lang: str) -> dict[str, list[tuple[str, str]]]:
    """The filter choices as (code, label in the page's language)."""

    def pick(text: dict[str, str]) -> str:
        return text.get(lang) or next(iter(text.values()))

    return {
        name: [(o.code, pick(o.label)) for o in q.questions[name].options]
        for name in FILTER_QUESTIONS
        if name in q.questions
    }


def api_query(asked: Asked, parent: str | None, **more: Any) -> str:
    """The API query string for the documents of what the page shows."""
    from urllib.parse import urlencode

    f = asked.filters
    params: dict[str, Any] = {
        "level": asked.level,
        "parent": parent,
        "compare": asked.compare,
        "aggregate": asked.aggregate,
        **{k: getattr(f, k) for k in (*FILTER_QUESTIONS, "channel")},
        "date_from": f.date_from.isoformat() if f.date_from else None,
        "date_to": f.date_to.isoformat() if f.date_to else None,
        **more,
    }
    return urlencode({k: v for k, v in params.items() if v is not None})
