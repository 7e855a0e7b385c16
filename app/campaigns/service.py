"""Campaigns: create, open, close; a campaign covers its scope units and all below them."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO
from urllib.parse import urlsplit

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from analysis import sampling
from app.campaigns import quotas
from app.campaigns.models import (
    COMPLAINT_PHONE_LENGTH,
    COMPLAINT_URL_LENGTH,
    Aggregate,
    Campaign,
    CampaignQuota,
    CampaignStatus,
    CampaignUnit,
    QuotaPolicy,
)
from app.collection.models import Submission
from app.core import csvfile
from app.core.errors import Conflict, FieldError, Invalid, NotFound
from app.core.inputs import ascii_int
from app.counts import snapshots
from app.counts.models import UnitAncestor
from app.questionnaires.catalog import Catalog, Questionnaire
from app.units.models import CODE_PATTERN, Unit

CODE_RE = re.compile(CODE_PATTERN)
# Far above any real sample, far below what an INTEGER column holds.
MAX_SAMPLE = 1_000_000
MAX_TRANSACTIONS = 1_000_000_000


@dataclass(frozen=True)
class CampaignIn:
    code: str
    name: str
    starts_on: date
    ends_on: date
    questionnaire: str
    version: int
    units: list[str]
    min_sample: int = 30
    is_private: bool = False
    quota_policy: str = QuotaPolicy.accept
    aggregate: str = Aggregate.pooled
    complaint_phone: str | None = None
    complaint_url: str | None = None


def get_campaign(session: Session, code: str) -> Campaign:
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        raise unknown_campaign(session, code)
    return campaign


def unknown_campaign(session: Session, code: str, among: list[int] | None = None) -> NotFound:
    """The 404 for a campaign code nothing has, naming the campaigns whose code differs
    only in case (`demo-2026` for `DEMO-2026`): codes are matched exactly, and a
    client that typed the wrong case should not have to guess why. `among` limits the
    suggestions to the campaigns the caller may see (ids)."""
    stmt = select(Campaign.code).where(
        func.lower(Campaign.code) == code.lower(), Campaign.code != code
    )
    if among is not None:
        stmt = stmt.where(Campaign.id.in_(among))
    near = list(session.scalars(stmt.order_by(Campaign.code)))
    if not near:
        return NotFound.of("campaign_unknown", code=code)
    names = " or ".join(repr(c) for c in near)
    return NotFound.of(
        "campaign_unknown_case",
        [FieldError.of("campaign", "did_you_mean", "case", names=names)],
        code=code,
        names=names,
    )


def questionnaire_of(catalog: Catalog, campaign: Campaign) -> Questionnaire:
    q = catalog.get(campaign.questionnaire, campaign.questionnaire_version)
    if q is None:  # the file was removed after the campaign was created
        raise NotFound.of(
            "questionnaire_missing",
            slug=campaign.questionnaire,
            version=campaign.questionnaire_version,
            code=campaign.code,
        )
    return q


PHONE_RE = re.compile(r"\+?[0-9][0-9 .()-]*[0-9]")


def complaint_problems(phone: str | None, url: str | None) -> list[FieldError]:
    """A complaint hotline is digits (with spaces, dots, dashes, brackets, a leading +);
    a complaint link is an http(s) address a phone can open (never `javascript:`)."""
    problems = []
    if phone and (
        len(phone) > COMPLAINT_PHONE_LENGTH
        or not PHONE_RE.fullmatch(phone)
        or sum(c.isdigit() for c in phone) < 3
    ):
        problems.append(FieldError.of("complaint_phone", "phone_bad", "format", raw=phone))
    if url:
        parts = urlsplit(url)
        if len(url) > COMPLAINT_URL_LENGTH:
            problems.append(
                FieldError.of("complaint_url", "at_most_chars", "range", n=COMPLAINT_URL_LENGTH)
            )
        elif parts.scheme not in ("http", "https") or not parts.netloc or " " in url:
            problems.append(FieldError.of("complaint_url", "url_bad", "format", raw=url))
    return problems


def _clean(value: str | None) -> str | None:
    return value.strip() or None if value else None


def set_complaint_contact(
    session: Session, campaign: Campaign, phone: str | None, url: str | None
) -> Campaign:
    """Set (or, with empty values, clear) where citizens can complain."""
    phone, url = _clean(phone), _clean(url)
    if problems := complaint_problems(phone, url):
        raise Invalid.of("campaign_not_changed", problems)
    campaign.complaint_phone, campaign.complaint_url = phone, url
    session.flush()
    return campaign


def _check(
    session: Session, catalog: Catalog, data: CampaignIn, problems: list[FieldError]
) -> dict[str, Unit]:
    """Problems with the settings shared by create and edit; returns the scope units."""
    if not data.name.strip():
        problems.append(FieldError.of("name", "name_empty", "required"))
    if data.ends_on < data.starts_on:
        problems.append(FieldError.of("ends_on", "ends_before_start", "period"))
    if data.min_sample < 1:
        problems.append(FieldError.of("min_sample", "at_least_1", "range"))
    elif data.min_sample > MAX_SAMPLE:
        problems.append(FieldError.of("min_sample", "at_most", "range", n=MAX_SAMPLE))
    problems += complaint_problems(_clean(data.complaint_phone), _clean(data.complaint_url))
    chosen = catalog.get(data.questionnaire, data.version)
    if chosen is None:
        known = catalog.versions(data.questionnaire)
        installed = (
            ", ".join(map(str, known))
            if known
            else ", ".join(f"{q.slug} v{q.version}" for q in catalog)
        )
        problems.append(
            FieldError.of(
                "questionnaire",
                "questionnaire_unknown_version" if known else "questionnaire_unknown",
                "unknown",
                slug=data.questionnaire,
                version=data.version,
                installed=installed,
            )
        )
    if not data.units:
        problems.append(FieldError.of("units", "units_required", "required"))
    units = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(data.units)))}
    problems += [
        FieldError.of("units", "unit_unknown", "unknown", code=c)
        for c in data.units
        if c not in units
    ]
    problems += _overlaps(session, units)
    if data.quota_policy not in tuple(QuotaPolicy):
        problems.append(FieldError.of("quota_policy", "accept_or_stop", "unknown"))
    if data.aggregate not in tuple(Aggregate):
        problems.append(FieldError.of("aggregate", "aggregate_choice", "unknown"))
    return units


def _overlaps(session: Session, units: dict[str, Unit]) -> list[FieldError]:
    """A scope unit under another scope unit would count its responses twice (once for
    itself and once in its ancestor's totals) and rank a province against its own
    district: name each such pair."""
    by_id = {u.id: u for u in units.values()}
    ids = list(by_id)
    problems = []
    for start in range(0, len(ids), 10_000):  # far below any driver's parameter limit
        rows = session.execute(
            select(UnitAncestor.unit_id, UnitAncestor.ancestor_id)
            .where(UnitAncestor.unit_id.in_(ids[start : start + 10_000]))
            .where(UnitAncestor.distance > 0)
            .order_by(UnitAncestor.unit_id, UnitAncestor.distance)
        )
        for unit_id, ancestor_id in rows:
            if ancestor_id in by_id:
                below, above = by_id[unit_id], by_id[ancestor_id]
                problems.append(
                    FieldError.of(
                        "units", "scope_overlap", "overlap", below=below.code, above=above.code
                    )
                )
    return problems


def create_campaign(session: Session, catalog: Catalog, data: CampaignIn) -> Campaign:
    """Create a draft campaign over `data.units`; every problem is reported at once."""
    problems: list[FieldError] = []
    if not CODE_RE.match(data.code):
        problems.append(FieldError.of("code", "campaign_code_bad", code=data.code))
    elif session.scalar(select(Campaign.id).where(Campaign.code == data.code)) is not None:
        raise Conflict.of("campaign_exists", code=data.code)
    units = _check(session, catalog, data, problems)
    if problems:
        raise Invalid.of("campaign_not_created", problems)
    campaign = Campaign(
        code=data.code,
        name=data.name.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        questionnaire=data.questionnaire,
        questionnaire_version=data.version,
        min_sample=data.min_sample,
        status=CampaignStatus.draft,
        is_private=data.is_private,
        quota_policy=data.quota_policy,
        aggregate=data.aggregate,
        complaint_phone=_clean(data.complaint_phone),
        complaint_url=_clean(data.complaint_url),
        created_at=datetime.now(UTC),
    )
    session.add(campaign)
    session.flush()
    for unit in units.values():
        session.add(CampaignUnit(campaign_id=campaign.id, unit_id=unit.id))
    session.flush()
    return campaign


def set_status(session: Session, campaign: Campaign, status: CampaignStatus) -> Campaign:
    """Open or close a campaign; a closed campaign can be reopened, never returned to draft."""
    if status == CampaignStatus.draft and campaign.status != CampaignStatus.draft:
        raise Conflict.of("campaign_no_draft", code=campaign.code, status=campaign.status)
    if status == CampaignStatus.closed and campaign.status != CampaignStatus.closed:
        # Late syncs are measured from here (LATE_SYNC_GRACE_DAYS).
        campaign.closed_at = datetime.now(UTC)
    if status == CampaignStatus.open and campaign.status != CampaignStatus.open:
        campaign.opened_at = datetime.now(UTC)
    campaign.status = status
    session.flush()
    return campaign


def scope_unit_ids(session: Session, campaign: Campaign) -> set[int]:
    return set(
        session.scalars(select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign.id))
    )


def update_campaign(
    session: Session, catalog: Catalog, campaign: Campaign, data: CampaignIn
) -> list[str]:
    """Change a campaign's settings and scope (its code stays); returns what changed.

    The questionnaire can change only while no response is stored, since responses
    are judged and counted against it. Units can be added or removed at any time;
    the progress counts are recomputed for the new scope.
    """
    problems: list[FieldError] = []
    units = _check(session, catalog, data, problems)
    has_responses = (
        session.scalar(select(Submission.id).where(Submission.campaign_id == campaign.id).limit(1))
        is not None
    )
    new_q = (data.questionnaire, data.version)
    if has_responses and new_q != (campaign.questionnaire, campaign.questionnaire_version):
        problems.append(FieldError.of("questionnaire", "questionnaire_locked", "locked"))
    if problems:
        raise Invalid.of("campaign_not_changed", problems)
    changed = []
    for attr, value in (
        ("name", data.name.strip()),
        ("starts_on", data.starts_on),
        ("ends_on", data.ends_on),
        ("questionnaire", data.questionnaire),
        ("questionnaire_version", data.version),
        ("min_sample", data.min_sample),
        ("is_private", data.is_private),
        ("quota_policy", data.quota_policy),
        ("aggregate", data.aggregate),
        ("complaint_phone", _clean(data.complaint_phone)),
        ("complaint_url", _clean(data.complaint_url)),
    ):
        if getattr(campaign, attr) != value:
            setattr(campaign, attr, value)
            changed.append(attr)
    before = scope_unit_ids(session, campaign)
    after = {u.id for u in units.values()}
    if before != after:
        changed.append("units")
        session.execute(
            delete(CampaignUnit).where(
                CampaignUnit.campaign_id == campaign.id, CampaignUnit.unit_id.in_(before - after)
            )
        )
        for unit_id in sorted(after - before):
            session.add(CampaignUnit(campaign_id=campaign.id, unit_id=unit_id))
        session.flush()
        quotas.recount(session, campaign.id)
    if changed:
        snapshots.forget(session, campaign.id)  # its scope or min_sample shape its reports
    session.flush()
    return changed


@dataclass(frozen=True)
class ScopeUnit:
    unit: Unit
    target: int | None
    transactions: int | None
    collected: int


def scope(session: Session, campaign: Campaign) -> list[ScopeUnit]:
    """The campaign's scope units with their targets, in code order."""
    rows = session.execute(
        select(Unit, CampaignUnit)
        .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
        .where(CampaignUnit.campaign_id == campaign.id)
        .order_by(Unit.code)
        # `collected` is written by Core statements (app/campaigns/quotas.py), not through
        # these objects: read it from the row, not from an object loaded earlier.
        .execution_options(populate_existing=True)
    ).all()
    return [ScopeUnit(u, cu.target, cu.transactions, cu.collected) for u, cu in rows]


def set_targets(session: Session, campaign: Campaign, targets: Mapping[str, int | None]) -> int:
    """Set the sample target of scope units by code (None clears it); returns how many."""
    rows = {
        u.code: cu
        for u, cu in session.execute(
            select(Unit, CampaignUnit)
            .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .where(CampaignUnit.campaign_id == campaign.id)
        )
    }
    problems = [
        FieldError.of(f"targets.{code}", "not_in_scope", "scope", code=code)
        for code in targets
        if code not in rows
    ]
    problems += [
        FieldError.of(f"targets.{code}", "whole_number_min_1", "range")
        for code, n in targets.items()
        if n is not None and (isinstance(n, bool) or not isinstance(n, int) or n < 1)
    ]
    problems += [
        FieldError.of(f"targets.{code}", "at_most", "range", n=MAX_SAMPLE)
        for code, n in targets.items()
        if isinstance(n, int) and n > MAX_SAMPLE
    ]
    if problems:
        raise Invalid.of("targets_not_set", problems)
    for code, n in targets.items():
        rows[code].target = n
    session.flush()
    return len(targets)


# The Vietnamese column names the template offers (`name` is for the reader only).
TARGET_ALIASES = {
    "đơn vị": "unit",
    "mã đơn vị": "unit",
    "tên đơn vị": "name",
    "số hồ sơ": "transactions",
    "số giao dịch": "transactions",
}


@dataclass(frozen=True)
class TargetLine:
    unit: str
    transactions: int
    target: int


def targets_from_transactions(
    session: Session, campaign: Campaign, data: bytes | IO[bytes], margin: float, name: str = "file"
) -> list[TargetLine]:
    """Targets n = N / (1 + N·e²) from a CSV of `unit,transactions` (dossiers handled).

    The whole file is checked first; one bad line and nothing changes. A scope unit
    whose count is left empty (a row of the template not filled in) keeps its target.
    """
    if not 0 < margin < 1:
        raise Invalid.of("margin_range", [FieldError.of("margin", "margin_between", "range")])
    header, rows = csvfile.read_csv(data, name, ("unit", "transactions"), ("name",), TARGET_ALIASES)
    in_scope = {
        u.code: cu
        for u, cu in session.execute(
            select(Unit, CampaignUnit)
            .join(CampaignUnit, CampaignUnit.unit_id == Unit.id)
            .where(CampaignUnit.campaign_id == campaign.id)
        )
    }
    problems: list[FieldError] = []
    lines: list[TargetLine] = []
    seen: dict[str, int] = {}
    for row in rows:
        if bad := csvfile.row_problems(row, len(header)):
            problems += bad
            continue
        code, raw = row.values["unit"], row.values["transactions"]
        where = f"line {row.line}"
        if not raw and code in in_scope:
            continue  # a unit of the pre-filled template left empty: its target stays
        if code not in in_scope:
            problems.append(
                FieldError.of(f"{where}, column unit", "not_in_campaign", "scope", code=code)
            )
            continue
        if code in seen:
            problems.append(
                FieldError.of(
                    f"{where}, column unit", "also_on_line", "duplicate", code=code, line=seen[code]
                )
            )
            continue
        seen[code] = row.line
        digits = ascii_int(raw.replace(",", "").replace(".", "").replace(" ", ""))
        n_tx = -1 if digits is None or digits > MAX_TRANSACTIONS else digits
        if n_tx < 0:
            problems.append(
                FieldError.of(
                    f"{where}, column transactions", "not_whole_number", "number", raw=raw
                )
            )
            continue
        lines.append(TargetLine(code, n_tx, sampling.sample_size(n_tx, margin)))
    if not lines and not problems:
        problems.append(FieldError.of("line 2", "file_no_units", "empty"))
    if problems:
        raise Invalid.of("file_problems", problems, name=name, n=len(problems))
    for line in lines:
        cu = in_scope[line.unit]
        cu.transactions = line.transactions
        cu.target = line.target or None
    campaign.margin_of_error = margin
    session.flush()
    # A figure weighted by dossiers rests on these counts: no report built before stays.
    snapshots.campaign_changed(session, campaign)
    return lines


STRATA_QUESTIONS = ("gender", "age_band", "service_field", "respondent_type")


def set_quotas(
    session: Session, catalog: Catalog, campaign: Campaign, shares: Mapping[str, float]
) -> None:
    """Replace the stratum quotas: `{"gender=female": 45.0, ...}` (percent of each target)."""
    q = questionnaire_of(catalog, campaign)
    problems: list[FieldError] = []
    parsed: list[tuple[str, str, float]] = []
    totals: dict[str, float] = {}
    for key, share in shares.items():
        question, _, option = key.partition("=")
        where = f"quotas.{key}"
        if question not in STRATA_QUESTIONS or question not in q.questions:
            problems.append(
                FieldError.of(
                    where, "quota_questions", "unknown", questions=", ".join(STRATA_QUESTIONS)
                )
            )
            continue
        options = [o.code for o in q.questions[question].options]
        if option not in options:
            problems.append(
                FieldError.of(where, "quota_options", question=question, options=", ".join(options))
            )
            continue
        if isinstance(share, bool) or not isinstance(share, int | float) or not 0 < share <= 100:
            problems.append(FieldError.of(where, "quota_share"))
            continue
        totals[question] = totals.get(question, 0) + float(share)
        parsed.append((question, option, float(share)))
    problems += [
        FieldError.of(f"quotas.{question}", "quota_total", question=question, total=f"{total:g}")
        for question, total in totals.items()
        if total > 100 + 1e-9
    ]
    if problems:
        raise Invalid.of("quotas_not_set", problems)
    session.execute(delete(CampaignQuota).where(CampaignQuota.campaign_id == campaign.id))
    for question, option, share in parsed:
        session.add(
            CampaignQuota(campaign_id=campaign.id, question=question, option=option, share=share)
        )
    session.flush()
    quotas.recount(session, campaign.id)


def quota_shares(session: Session, campaign: Campaign) -> dict[str, float]:
    return {
        f"{q.question}={q.option}": q.share
        for q in session.scalars(
            select(CampaignQuota)
            .where(CampaignQuota.campaign_id == campaign.id)
            .order_by(CampaignQuota.question, CampaignQuota.option)
        )
    }


def visible_campaigns(session: Session, unit_id: int | None) -> list[Campaign]:
    """Campaigns touching the subtree of `unit_id` (None: all): a scope unit inside it,
    or a scope unit above it (a province-wide campaign is the district's too)."""
    stmt = select(Campaign).order_by(Campaign.starts_on.desc(), Campaign.code)
    if unit_id is not None:
        inside = (
            select(CampaignUnit.campaign_id)
            .join(UnitAncestor, UnitAncestor.unit_id == CampaignUnit.unit_id)
            .where(UnitAncestor.ancestor_id == unit_id)
        )
        covering = (
            select(CampaignUnit.campaign_id)
            .join(UnitAncestor, UnitAncestor.ancestor_id == CampaignUnit.unit_id)
            .where(UnitAncestor.unit_id == unit_id)
        )
        stmt = stmt.where(Campaign.id.in_(inside) | Campaign.id.in_(covering))
    return list(session.scalars(stmt))


def covering_scope(session: Session, campaign: Campaign, unit_id: int) -> bool:
    """Does a scope unit of the campaign lie strictly above `unit_id`?"""
    return (
        session.scalar(
            select(CampaignUnit.unit_id)
            .join(UnitAncestor, UnitAncestor.ancestor_id == CampaignUnit.unit_id)
            .where(
                CampaignUnit.campaign_id == campaign.id,
                UnitAncestor.unit_id == unit_id,
                UnitAncestor.distance > 0,
            )
            .limit(1)
        )
        is not None
    )


def responses_under(session: Session, campaign: Campaign, unit_id: int) -> int:
    """Counted (not excluded) responses of the campaign in a unit's subtree."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Submission)
            .join(UnitAncestor, UnitAncestor.unit_id == Submission.unit_id)
            .where(
                Submission.campaign_id == campaign.id,
                UnitAncestor.ancestor_id == unit_id,
                Submission.excluded_at.is_(None),
            )
        )
        or 0
    )
