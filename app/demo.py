"""A realistic demo: a province, its departments and communes, counters, an open
campaign over them with targets, last year's closed campaign to compare with, and
synthetic submissions whose satisfaction differs by unit and factor, a few of them
flagged (too fast, straight-lining) and some with citizens' comments; last year's
results published (the public results page), and an account for each role.

Ids are derived from the seed, so running the demo twice with the same seed adds
nothing, and a different seed adds a new batch. Rows go in with COPY on PostgreSQL
(10⁶ in about a minute) and executemany on SQLite.
"""

import hashlib
import json
import random
import secrets
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.models import Account
from app.access.service import Principal
from app.campaigns import comments, quotas, review
from app.campaigns.models import (
    Campaign,
    CampaignStatus,
    CampaignUnit,
    CounterCampaign,
    HiddenComment,
    ReportComment,
)
from app.campaigns.service import CampaignIn, create_campaign, questionnaire_of, set_status
from app.collection.models import Submission
from app.collection.service import CORE_COLUMNS, copy_insert
from app.counts import snapshots
from app.questionnaires.catalog import Catalog, Questionnaire
from app.reporting import editions
from app.units.models import Counter, Unit
from app.units.service import create_unit

PROVINCE = ("DEMO", "Tỉnh Minh Hòa (demo)")
DEPARTMENTS = [
    "Sở Nội vụ",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Xây dựng",
    "Sở Nông nghiệp và Môi trường",
    "Sở Công Thương",
    "Sở Y tế",
    "Sở Giáo dục và Đào tạo",
    "Sở Văn hóa, Thể thao và Du lịch",
    "Sở Khoa học và Công nghệ",
    "Sở Dân tộc và Tôn giáo",
    "Sở Ngoại vụ",
]
COMMUNES = [
    "Phường Đông Thành",
    "Phường Tây Sơn",
    "Phường Bắc Hà",
    "Phường Nam Định",
    "Xã An Phú",
    "Xã Bình Minh",
    "Xã Cẩm Lý",
    "Xã Đồng Tâm",
    "Xã Hòa Bình",
    "Xã Hưng Long",
    "Xã Kim Sơn",
    "Xã Long Hải",
    "Xã Minh Đức",
    "Xã Ngọc Lặc",
    "Xã Phú Lộc",
    "Xã Quang Trung",
    "Xã Sơn Thủy",
    "Xã Tân Lập",
    "Xã Thạch An",
    "Xã Vĩnh Phúc",
]
CAMPAIGN = "DEMO-2026"
PREVIOUS = "DEMO-2025"
# The household survey of the 2023 method (residents interviewed in the communes'
# villages, not users leaving a counter), over the communes, with its own counters.
HOUSEHOLD = "DEMO-H2026"
HOUSEHOLD_QUESTIONNAIRE = ("sipas-2023", 1)
HOUSEHOLD_TARGET = 120
CHUNK = 20_000
# Sample targets by kind of unit: the service centre serves most citizens.
TARGETS = {"service_centre": 400, "department": 150, "commune": 120}
# Dossiers a year by kind of unit (varied per unit below), so that the demo can show
# the figure weighted by dossiers (`aggregate=weighted`): the centre takes most
# responses but fewer than half of the province's dossiers.
DOSSIERS = {"service_centre": 30_000, "department": 2_400, "commune": 1_500}
# What citizens write in the last, optional question (a few are left for a
# coordinator to hide as abusive).
COMMENTS = [
    "Cán bộ hướng dẫn tận tình, cảm ơn.",
    "Thời gian chờ còn lâu, nên có thêm quầy vào buổi sáng.",
    "Nên cho nộp hồ sơ trực tuyến đầy đủ hơn, đỡ phải đi lại.",
    "Phòng chờ nóng, thiếu ghế ngồi cho người già.",
    "Hẹn trả kết quả đúng ngày, rất hài lòng.",
    "Mẫu tờ khai khó hiểu, cần hướng dẫn rõ hơn.",
    "Phải bổ sung giấy tờ nhiều lần vì mỗi lần được hướng dẫn một kiểu.",
    "Máy lấy số thứ tự hay bị lỗi.",
    "Thái độ phục vụ tốt, nhanh gọn.",
    "Phí, lệ phí cần được niêm yết rõ ràng hơn.",
    "Bãi gửi xe chật, nên mở rộng.",
    "Cán bộ ở quầy số 3 làm việc riêng, để dân chờ.",
    "Đồ ăn hại, làm việc như thế thì nghỉ đi!",  # abusive: for the hide action
]
PROCEDURES = [
    "Cấp bản sao trích lục khai sinh",
    "Đăng ký kinh doanh hộ cá thể",
    "Cấp giấy chứng nhận quyền sử dụng đất",
    "Chứng thực bản sao",
]


# Who signs in to the demo: login, name, role, area (a unit code; None: everything).
ACCOUNTS = (
    ("quantri@demo", "Quản trị hệ thống (demo)", "admin", None),
    ("dieuphoi@demo", "Điều phối viên, Sở Nội vụ (demo)", "coordinator", PROVINCE[0]),
    ("sotuphap@demo", "Cán bộ Sở Tư pháp (demo)", "viewer", "DEMO-S02"),
)


@dataclass(frozen=True)
class DemoAccount:
    login: str
    password: str
    role: str
    area: str | None  # unit code; None: every unit
    area_name: str | None


def demo_accounts(session: Session) -> list[DemoAccount]:
    """The demo's accounts, one per role, each with a new random password (the demo
    prints them: a fixed password would be a known way into any server it ran on)."""
    made = []
    for login, name, role, area in ACCOUNTS:
        password = secrets.token_urlsafe(12)
        if session.scalar(select(Account.id).where(Account.login == login)) is None:
            accounts.create_account(session, login, name, password, role, area)
        else:
            accounts.reset_password(session, login, password)
        unit = session.scalar(select(Unit).where(Unit.code == area)) if area else None
        made.append(DemoAccount(login, password, role, area, unit.name if unit else None))
    return made


def publish_previous(session: Session, catalog: Catalog, previous: Campaign) -> int | None:
    """Publish last year's closed campaign once (the public results page shows it);
    its latest edition's number, or None while it has no responses."""
    done = editions.all_editions(session, previous)
    if done:
        return done[-1].number
    if not session.scalar(select(Submission.id).where(Submission.campaign_id == previous.id)):
        return None
    return editions.publish(session, catalog, demo_admin(session), previous).number


@dataclass(frozen=True)
class DemoResult:
    campaign: str
    counters: list[str]
    inserted: int
    total: int


def _get_or_create_unit(
    session: Session, code: str, name: str, kind: str, parent: Unit | None
) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    return unit or create_unit(session, code=code, name=name, kind=kind, parent=parent)


def build_tree(session: Session, catalog: Catalog) -> tuple[Campaign, list[tuple[Unit, Counter]]]:
    """Create (or find) the demo units, counters and open campaign."""
    province = _get_or_create_unit(session, PROVINCE[0], PROVINCE[1], "province", None)
    centre = _get_or_create_unit(
        session, "DEMO-TTHCC", "Trung tâm Phục vụ hành chính công tỉnh", "service_centre", province
    )
    places: list[Unit] = [centre]
    places += [
        _get_or_create_unit(session, f"DEMO-S{i + 1:02d}", name, "department", province)
        for i, name in enumerate(DEPARTMENTS)
    ]
    places += [
        _get_or_create_unit(session, f"DEMO-X{i + 1:02d}", name, "commune", province)
        for i, name in enumerate(COMMUNES)
    ]
    pairs = []
    for unit in places:
        code = f"{unit.code.lower()}-q1"
        counter = session.scalar(select(Counter).where(Counter.code == code))
        if counter is None:
            counter = Counter(code=code, name=f"Bộ phận Một cửa - {unit.name}", unit_id=unit.id)
            session.add(counter)
            session.flush()
        pairs.append((unit, counter))
    campaign = _campaign(session, catalog, CAMPAIGN, places, datetime.now(UTC).year)
    if campaign.status != CampaignStatus.open:
        campaign.status = CampaignStatus.open
    _targets(session, campaign, places)
    session.flush()
    snapshots.forget(session)  # the demo units appear in stored reports at once
    return campaign, pairs


def _campaign(
    session: Session,
    catalog: Catalog,
    code: str,
    places: list[Unit],
    year: int,
    questionnaire: tuple[str, int] = ("sipas-2017", 1),
    name: str = "Khảo sát SIPAS {year} (demo)",
) -> Campaign:
    """The demo campaign of a year over the demo's service centre, departments and
    communes (found if it exists; one made by an older demo over the province keeps
    its scope)."""
    campaign = session.scalar(select(Campaign).where(Campaign.code == code))
    if campaign is None:
        campaign = create_campaign(
            session,
            catalog,
            CampaignIn(
                code=code,
                name=name.format(year=year),
                starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
                questionnaire=questionnaire[0],
                version=questionnaire[1],
                units=[u.code for u in places],
                min_sample=30,
            ),
        )
    if not session.scalar(
        select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign.id).limit(1)
    ):
        session.add_all(CampaignUnit(campaign_id=campaign.id, unit_id=u.id) for u in places)
    session.flush()
    return campaign


def _targets(session: Session, campaign: Campaign, places: list[Unit]) -> None:
    """Sample targets and dossier counts for the scope units that have none yet."""
    kinds = {u.id: u.kind for u in places}
    for i, cu in enumerate(
        session.scalars(
            select(CampaignUnit)
            .where(CampaignUnit.campaign_id == campaign.id, CampaignUnit.transactions.is_(None))
            .order_by(CampaignUnit.unit_id)
        )
    ):
        base = DOSSIERS.get(kinds.get(cu.unit_id, ""))
        if base is not None:
            cu.transactions = base + (i * 379) % (base // 2)
    for cu in session.scalars(
        select(CampaignUnit).where(
            CampaignUnit.campaign_id == campaign.id, CampaignUnit.target.is_(None)
        )
    ):
        if cu.unit_id in kinds:
            cu.target = TARGETS.get(kinds[cu.unit_id])


def build_previous(
    session: Session, catalog: Catalog, pairs: list[tuple[Unit, Counter]]
) -> Campaign:
    """Last year's campaign over the same units, closed: what the dashboard compares with."""
    year = datetime.now(UTC).year - 1
    campaign = _campaign(session, catalog, PREVIOUS, [u for u, _ in pairs], year)
    campaign.status = CampaignStatus.closed
    session.flush()
    return campaign


def build_household(
    session: Session, catalog: Catalog, pairs: list[tuple[Unit, Counter]]
) -> tuple[Campaign, list[tuple[Unit, Counter]]]:
    """This year's household campaign on the 2023 questionnaire over the demo's communes,
    open, each commune with an interviewers' counter that feeds it (the communes'
    one-stop counters keep feeding the counter survey)."""
    communes = [u for u, _ in pairs if u.kind == "commune"]
    year = datetime.now(UTC).year
    campaign = _campaign(
        session,
        catalog,
        HOUSEHOLD,
        communes,
        year,
        HOUSEHOLD_QUESTIONNAIRE,
        "Khảo sát SIPAS hộ gia đình {year} (demo)",
    )
    if campaign.status != CampaignStatus.open:
        set_status(session, campaign, CampaignStatus.open)
    out = []
    for unit in communes:
        code = f"{unit.code.lower()}-hgd"
        counter = session.scalar(select(Counter).where(Counter.code == code))
        if counter is None:
            counter = Counter(
                code=code, name=f"Điều tra hộ gia đình - {unit.name}", unit_id=unit.id
            )
            session.add(counter)
            session.flush()
            session.add(
                CounterCampaign(
                    counter_id=counter.id, campaign_id=campaign.id, assigned_at=datetime.now(UTC)
                )
            )
        out.append((unit, counter))
    for cu in session.scalars(
        select(CampaignUnit).where(
            CampaignUnit.campaign_id == campaign.id, CampaignUnit.target.is_(None)
        )
    ):
        cu.target = HOUSEHOLD_TARGET
    session.flush()
    snapshots.forget(session)
    return campaign, out


class _Generator:
    """Draws answers whose level depends on the unit and the factor."""

    def __init__(self, q: Questionnaire, n_units: int, seed: int, previous: bool = False):
        self.q = q
        rng = np.random.default_rng(seed * 7919 + 17)
        # Fixed per-unit and per-factor effects (seeded apart from the batch seed so
        # every run describes the same province).
        fixed = np.random.default_rng(20251)
        self.unit_effect = fixed.normal(0.0, 0.45, n_units)
        if previous:
            # Last year: a little lower on the whole, and not every unit moved alike,
            # so points and ranks change between the two campaigns.
            self.unit_effect = self.unit_effect + np.random.default_rng(2024).normal(
                -0.12, 0.2, n_units
            )
        self.factor_effect = {f.code: fixed.normal(0.0, 0.25) for f in q.factors}
        self.late_rate = fixed.uniform(0.02, 0.15, n_units)
        self.rng = rng

    def chunk(self, unit_idx: np.ndarray) -> list[dict[str, Any]]:
        """Answers for one respondent per entry of `unit_idx`, drawn column by column."""
        q, rng, n = self.q, self.rng, len(unit_idx)
        base = 3.95 + self.unit_effect[unit_idx] + rng.normal(0.0, 0.55, n)
        cols: dict[str, list[Any]] = {}

        def likert(level: np.ndarray, noise: float) -> np.ndarray:
            return np.clip(np.rint(level + rng.normal(0.0, noise, n)), 1, 5).astype(int)

        for f in q.factors:
            level = base + self.factor_effect[f.code]
            for code in f.items:
                v = likert(level, 0.6)
                v[rng.random(n) < 0.03] = 0  # "not applicable"
                cols[code] = v.tolist()
            if f.overall_item:
                cols[f.overall_item] = likert(level, 0.5).tolist()
        if q.model.scoring.overall_item:
            cols[q.model.scoring.overall_item] = likert(base, 0.5).tolist()

        def pick(code: str, p: list[float] | None = None) -> list[str]:
            return rng.choice(q.questions[code].option_codes, n, p=p).tolist()

        cols["respondent_type"] = pick("respondent_type", [0.88, 0.12])
        cols["service_field"] = pick("service_field")
        cols["submission_place"] = pick("submission_place", [0.62, 0.3, 0.08])
        cols["trips"] = pick("trips", [0.7, 0.2, 0.07, 0.03])
        cols["harassment"] = np.where(rng.random(n) < 0.06, "yes", "no").tolist()
        cols["extra_payment"] = np.where(rng.random(n) < 0.04, "yes", "no").tolist()
        cols["gender"] = pick("gender")
        cols["age_band"] = pick("age_band", [0.12, 0.26, 0.32, 0.18, 0.12])
        cols["ethnicity"] = pick("ethnicity", [0.85, 0.15])
        cols["education"] = pick("education")
        cols["occupation"] = pick("occupation")
        late = (rng.random(n) < self.late_rate[unit_idx]).tolist()
        early = (rng.random(n) < 0.08).tolist()
        notified = (rng.random(n) < 0.35).tolist()
        apology = (rng.random(n) < 0.2).tolist()
        channel_codes = q.questions["info_channels"].option_codes
        channels = (rng.random((n, len(channel_codes))) < [0.7, 0.15, 0.15, 0.05, 0.01]).tolist()
        wish_codes = q.questions["expectations"].option_codes
        wishes = np.argsort(rng.random((n, len(wish_codes))), axis=1)[:, :3].tolist()
        n_wishes = rng.integers(0, 4, n).tolist()

        out = []
        for i in range(n):
            a: dict[str, Any] = {code: col[i] for code, col in cols.items()}
            a["info_channels"] = [
                c for c, hit in zip(channel_codes, channels[i], strict=True) if hit
            ] or ["commune_authority"]
            a["expectations"] = [wish_codes[j] for j in wishes[i][: n_wishes[i]]]
            if late[i]:
                a["timeliness"] = "late"
                a["late_notified"] = "yes" if notified[i] else "no"
                a["late_apology"] = "yes" if apology[i] else "no"
            else:
                a["timeliness"] = "early" if early[i] else "on_time"
            out.append(a)
        return out


class _TreeGenerator:
    """Draws the answers of a questionnaire with a declared index tree (the household
    form) from its questions alone, whatever their codes: each group of the tree has
    its level, per unit; residents who dealt with no administrative procedure answer
    "don't know" (the scale's not-applicable) to every item of the root's last part,
    the one only users of a service can rate; rating questions on the other (4-level)
    scales lean to their upper levels; yes/no questions say yes more often for those
    who used a service."""

    def __init__(self, q: Questionnaire, n_units: int, seed: int):
        self.q = q
        self.rng = np.random.default_rng(seed * 7919 + 23)
        fixed = np.random.default_rng(20261)
        self.unit_effect = fixed.normal(0.0, 0.4, n_units)
        tree = q.tree
        self.group_of = {
            item: g.code for g in q.groups if g.items for item in g.items
        }  # each item's own group
        self.group_effect = {g.code: fixed.normal(0.0, 0.3) for g in q.groups if g.items}
        parts = tree.nodes[tree.root].children
        self.users_only = frozenset(tree.leaves(parts[-1])) if len(parts) > 1 else frozenset()
        self.use_rate = fixed.uniform(0.35, 0.7, n_units)

    def chunk(self, unit_idx: np.ndarray) -> list[dict[str, Any]]:
        """Answers for one resident per entry of `unit_idx`."""
        q, rng, n = self.q, self.rng, len(unit_idx)
        base = 3.9 + self.unit_effect[unit_idx] + rng.normal(0.0, 0.5, n)
        used = rng.random(n) < self.use_rate[unit_idx]
        na = q.not_applicable
        cols: dict[str, list[Any]] = {}
        for code, question in q.questions.items():
            if question.kind == "scale" and code in self.group_of:
                level = base + self.group_effect[self.group_of[code]]
                v = np.clip(np.rint(level + rng.normal(0.0, 0.6, n)), 1, 5).astype(int)
                v[rng.random(n) < 0.04] = na
                if code in self.users_only:
                    v[~used] = na
                cols[code] = v.tolist()
            elif question.kind == "scale":
                values = [o.code for o in q.scale_of(code)[0]]
                tilt = np.linspace(1.0, 2.2, len(values))
                cols[code] = rng.choice(values, n, p=tilt / tilt.sum()).tolist()
            elif question.kind == "single":
                options = question.option_codes
                if question.ends_form:  # everyone interviewed is eligible
                    options = [o for o in options if o not in question.ends_form.when]
                if sorted(options) == ["no", "yes"]:
                    yes = rng.random(n) < np.where(used, 0.75, 0.2)
                    cols[code] = np.where(yes, "yes", "no").tolist()
                else:
                    cols[code] = rng.choice(options, n).tolist()
        multi = [c for c, question in q.questions.items() if question.kind == "multi"]
        out = []
        for i in range(n):
            a: dict[str, Any] = {code: col[i] for code, col in cols.items()}
            for code in multi:
                options = q.questions[code].option_codes
                a[code] = [o for o in options if rng.random() < 0.35] or [options[0]]
            out.append(a)
        return out


def _rows(
    campaign: Campaign,
    q: Questionnaire,
    pairs: list[tuple[Unit, Counter]],
    n: int,
    seed: int,
    extras: bool = False,
) -> Iterator[list[tuple[Any, ...]]]:
    gen: _Generator | _TreeGenerator = (
        _TreeGenerator(q, len(pairs), seed)
        if q.declares_tree
        else _Generator(q, len(pairs), seed, previous=campaign.code == PREVIOUS)
    )
    # What a straight-liner rates 5: the 5-level items (not a 4-level question).
    scale_items = q.criteria if q.declares_tree else q.scale_items
    # The current campaign's ids as they always were; last year's apart from them.
    ids = random.Random(
        f"sipas-demo-{campaign.code}-{seed}" if campaign.code != CAMPAIGN else f"sipas-demo-{seed}"
    )
    rng = np.random.default_rng(seed)
    # Bigger agencies get more respondents, as in real campaigns.
    weights = np.random.default_rng(7).uniform(0.4, 1.6, len(pairs))
    weights /= weights.sum()
    start = datetime.combine(campaign.starts_on, datetime.min.time(), UTC) + timedelta(hours=1)
    span = (min(campaign.ends_on, datetime.now(UTC).date()) - campaign.starts_on).days or 1
    now = datetime.now(UTC)
    channel = "interview" if campaign.code == HOUSEHOLD else None  # read out at home
    for lo in range(0, n, CHUNK):
        size = min(CHUNK, n - lo)
        units = rng.choice(len(pairs), size, p=weights)
        answers = gen.chunk(units)
        days = rng.integers(0, span, size)
        secs = rng.integers(7 * 3600, 17 * 3600, size)
        durations = rng.integers(70, 420, size)
        kiosk = rng.random(size) < 0.6
        # Extras (the demo's, not the benchmarks'): a few responses too fast or
        # straight-lined, flagged for review as the quality checks would; comments.
        odd = rng.random(size) if extras else np.ones(size)
        said = rng.random(size) if extras else np.ones(size)
        picks = rng.integers(0, len(COMMENTS), size)
        batch = []
        for i in range(size):
            unit, counter = pairs[units[i]]
            submitted = start + timedelta(days=int(days[i]), seconds=int(secs[i]))
            flags = "[]"
            duration = int(durations[i])
            if odd[i] < 0.03:
                flags, duration = '["speeding"]', 20 + int(secs[i]) % 30
            elif odd[i] < 0.04:
                flags = '["straight_lining"]'
                answers[i].update(dict.fromkeys(scale_items, 5))
            if said[i] < 0.06:
                answers[i]["comment"] = COMMENTS[int(picks[i])]
            elif said[i] < 0.08 and "procedure_name" in q.questions:
                answers[i]["procedure_name"] = PROCEDURES[int(picks[i]) % len(PROCEDURES)]
            body = json.dumps(answers[i], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            batch.append(
                (
                    uuid.UUID(int=ids.getrandbits(128), version=4),
                    campaign.id,
                    unit.id,
                    counter.id,
                    q.slug,
                    q.version,
                    channel or ("kiosk" if kiosk[i] else "web"),
                    submitted - timedelta(seconds=duration),
                    submitted,
                    now,
                    body,
                    hashlib.sha256(body.encode()).hexdigest(),
                    flags,
                )
            )
        if extras and lo == 0 and campaign.code == CAMPAIGN and size >= 4:
            # Two responses sent twice (a double tap on the kiosk): the same answers from
            # the same counter 40 seconds later, for the coordinator to exclude.
            for j in (1, 3):
                first = batch[j - 1]
                again = (first[7] + DOUBLE, first[8] + DOUBLE)
                batch[j] = (batch[j][0], *first[1:7], *again, *first[9:])
        yield batch


# A double-sent response arrives this long after the first.
DOUBLE = timedelta(seconds=40)
DUPLICATE_REASON = "Phiếu gửi hai lần (trùng lặp)"
ABUSIVE = COMMENTS[-1]
CHOSEN = 3


def demo_admin(session: Session) -> Principal:
    """The demo's admin account as a principal (what the demo does is audited as it,
    and the editions it publishes name it); made with a random password if missing."""
    login, name, role, area = ACCOUNTS[0]
    account = session.scalar(select(Account).where(Account.login == login))
    if account is None:
        accounts.create_account(session, login, name, secrets.token_urlsafe(12), role, area)
        account = session.scalars(select(Account).where(Account.login == login)).one()
    return Principal(login, role, None, account_id=account.id)


@dataclass(frozen=True)
class Reviewed:
    chosen: int
    hidden: int
    excluded: int


def _marked(
    session: Session, mark: type[ReportComment] | type[HiddenComment], campaign: Campaign
) -> bool:
    """Whether any comment of the campaign already carries this mark (chosen, hidden):
    the demo reviews once, so a second run changes nothing."""
    first = (
        select(mark.submission_id)
        .join(Submission, Submission.id == mark.submission_id)
        .where(Submission.campaign_id == campaign.id)
        .limit(1)
    )
    return session.scalar(first) is not None


def review_demo(session: Session, catalog: Catalog, campaign: Campaign) -> Reviewed:
    """What a coordinator does with the campaign, once (a rerun changes nothing): chooses
    three comments for the report, hides an abusive one and excludes the responses sent
    twice, with a reason, through the services, audited as the demo's admin."""
    who = demo_admin(session)
    chosen = hidden = excluded = 0
    first = (
        select(Submission.unit_id, Submission.body_hash, func.min(Submission.submitted_at))
        .where(Submission.campaign_id == campaign.id)
        .group_by(Submission.unit_id, Submission.body_hash)
        .having(func.count() > 1)
    )
    for unit_id, body_hash, earliest in session.execute(first).all():
        later = session.scalars(
            select(Submission.id).where(
                Submission.campaign_id == campaign.id,
                Submission.unit_id == unit_id,
                Submission.body_hash == body_hash,
                Submission.submitted_at > earliest,
                Submission.excluded_at.is_(None),
            )
        ).all()
        for sid in later:
            review.exclude(session, catalog, who, campaign, sid, DUPLICATE_REASON, "duplicate")
            excluded += 1
    if not _marked(session, ReportComment, campaign):
        rows = comments.list_comments(session, who, campaign, comments.Query(), 1).rows
        texts: set[str] = set()
        for c in rows:
            if c.text != ABUSIVE and c.text not in texts and len(texts) < CHOSEN:
                comments.review_comment(session, who, campaign, c.id, c.question, "choose")
                texts.add(c.text)
                chosen += 1
    if not _marked(session, HiddenComment, campaign):
        rude = comments.list_comments(
            session, who, campaign, comments.Query(search=ABUSIVE.split(",")[0]), 1
        ).rows
        if rude:
            reason = "Lời lẽ xúc phạm cán bộ"
            comments.review_comment(
                session, who, campaign, rude[0].id, rude[0].question, "hide", reason
            )
            hidden += 1
    return Reviewed(chosen, hidden, excluded)


# The generator's tuples follow the submission table's column order.
COLUMNS = ", ".join(CORE_COLUMNS)


def _insert_postgres(conn: Connection, batch: list[tuple[Any, ...]]) -> int:
    return len(copy_insert(conn, batch, CORE_COLUMNS))


def _insert_sqlite(conn: Connection, batch: list[tuple[Any, ...]]) -> int:
    rows = [
        (r[0].hex, *r[1:7], *(t.strftime("%Y-%m-%d %H:%M:%S.%f") for t in r[7:10]), *r[10:])
        for r in batch
    ]
    marks = ", ".join("?" * 13)
    done = conn.exec_driver_sql(
        f"INSERT OR IGNORE INTO submission ({COLUMNS}) VALUES ({marks})", rows
    )
    # The rows this statement inserted (sqlite3 sums changes() over the batch, which
    # leaves out the fold-queue rows its trigger adds; total_changes() would not).
    return int(done.rowcount)


def load_submissions(
    session: Session,
    catalog: Catalog,
    campaign: Campaign,
    pairs: list[tuple[Unit, Counter]],
    n: int,
    seed: int,
    progress: Callable[[int], None] = lambda _: None,
    extras: bool = False,
) -> int:
    """Insert `n` synthetic submissions; returns how many were new. With `extras`
    (the demo), a few are flagged for review and some carry comments."""
    q = questionnaire_of(catalog, campaign)
    conn = session.connection()
    insert = _insert_postgres if conn.dialect.name == "postgresql" else _insert_sqlite
    inserted = 0
    for batch in _rows(campaign, q, pairs, n, seed, extras):
        inserted += insert(conn, batch)
        progress(len(batch))
    quotas.recount(session, campaign.id)
    snapshots.forget(session, campaign.id)  # a bulk load shows at once, window or not
    return inserted
