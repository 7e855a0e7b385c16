"""A realistic demo: a province, its departments and communes, counters, an open
campaign, and synthetic submissions whose satisfaction differs by unit and factor.

Ids are derived from the seed, so running the demo twice with the same seed adds
nothing, and a different seed adds a new batch. Rows go in with COPY on PostgreSQL
(10⁶ in about a minute) and executemany on SQLite.
"""

import hashlib
import json
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from app.campaigns import quotas
from app.campaigns.models import Campaign, CampaignStatus, CampaignUnit
from app.campaigns.service import CampaignIn, create_campaign, questionnaire_of
from app.collection.service import CORE_COLUMNS, copy_insert
from app.counts import snapshots
from app.questionnaires.catalog import Catalog, Questionnaire
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
CHUNK = 20_000


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
    campaign = session.scalar(select(Campaign).where(Campaign.code == CAMPAIGN))
    if campaign is None:
        year = datetime.now(UTC).year
        campaign = create_campaign(
            session,
            catalog,
            CampaignIn(
                code=CAMPAIGN,
                name=f"Khảo sát SIPAS {year} (demo)",
                starts_on=date(year, 1, 1),
                ends_on=date(year, 12, 31),
                questionnaire="sipas-2017",
                version=1,
                units=[PROVINCE[0]],
                min_sample=30,
            ),
        )
    if campaign.status != CampaignStatus.open:
        campaign.status = CampaignStatus.open
    scope = set(
        session.scalars(select(CampaignUnit.unit_id).where(CampaignUnit.campaign_id == campaign.id))
    )
    if province.id not in scope:
        session.add(CampaignUnit(campaign_id=campaign.id, unit_id=province.id))
    session.flush()
    snapshots.forget(session)  # the demo units appear in stored reports at once
    return campaign, pairs


class _Generator:
    """Draws answers whose level depends on the unit and the factor."""

    def __init__(self, q: Questionnaire, n_units: int, seed: int):
        self.q = q
        rng = np.random.default_rng(seed * 7919 + 17)
        # Fixed per-unit and per-factor effects (seeded apart from the batch seed so
        # every run describes the same province).
        fixed = np.random.default_rng(20251)
        self.unit_effect = fixed.normal(0.0, 0.45, n_units)
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
        cols["HL"] = likert(base, 0.5).tolist()

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


def _rows(
    campaign: Campaign, q: Questionnaire, pairs: list[tuple[Unit, Counter]], n: int, seed: int
) -> Iterator[list[tuple[Any, ...]]]:
    gen = _Generator(q, len(pairs), seed)
    ids = random.Random(f"sipas-demo-{seed}")
    rng = np.random.default_rng(seed)
    # Bigger agencies get more respondents, as in real campaigns.
    weights = np.random.default_rng(7).uniform(0.4, 1.6, len(pairs))
    weights /= weights.sum()
    start = datetime.combine(campaign.starts_on, datetime.min.time(), UTC) + timedelta(hours=1)
    span = (min(campaign.ends_on, datetime.now(UTC).date()) - campaign.starts_on).days or 1
    now = datetime.now(UTC)
    for lo in range(0, n, CHUNK):
        size = min(CHUNK, n - lo)
        units = rng.choice(len(pairs), size, p=weights)
        answers = gen.chunk(units)
        days = rng.integers(0, span, size)
        secs = rng.integers(7 * 3600, 17 * 3600, size)
        durations = rng.integers(70, 420, size)
        kiosk = rng.random(size) < 0.6
        batch = []
        for i in range(size):
            unit, counter = pairs[units[i]]
            submitted = start + timedelta(days=int(days[i]), seconds=int(secs[i]))
            body = json.dumps(answers[i], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            batch.append(
                (
                    uuid.UUID(int=ids.getrandbits(128), version=4),
                    campaign.id,
                    unit.id,
                    counter.id,
                    q.slug,
                    q.version,
                    "kiosk" if kiosk[i] else "web",
                    submitted - timedelta(seconds=int(durations[i])),
                    submitted,
                    now,
                    body,
                    hashlib.sha256(body.encode()).hexdigest(),
                    "[]",
                )
            )
        yield batch


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
) -> int:
    """Insert `n` synthetic submissions; returns how many were new."""
    q = questionnaire_of(catalog, campaign)
    conn = session.connection()
    insert = _insert_postgres if conn.dialect.name == "postgresql" else _insert_sqlite
    inserted = 0
    for batch in _rows(campaign, q, pairs, n, seed):
        inserted += insert(conn, batch)
        progress(len(batch))
    quotas.recount(session, campaign.id)
    snapshots.forget(session, campaign.id)  # a bulk load shows at once, window or not
    return inserted
