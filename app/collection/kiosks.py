"""Kiosk tablets: counters that always run in kiosk mode, and enrolled devices.

A device is enrolled by opening a one-time link on it within KIOSK_ENROL_MINUTES;
that gives it a token of its own in a long-lived cookie, so the link itself is
worthless afterwards. Only SHA-256 hashes of the link's and the device's tokens
are stored.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from app.collection.schemas import BatchResult
from app.core.config import get_settings
from app.core.errors import AppError, Conflict, FieldError, Invalid, NotFound
from app.core.statements import Prepared
from app.units.models import Counter, KioskDevice, Unit

TOKEN_BYTES = 32
# The cookie an enrolled tablet carries; its offline queue posts to the API from the
# same browser, so pages and API both know the device without a header.
KIOSK_COOKIE = "sipas_kiosk"


@dataclass(frozen=True)
class Enrolled:
    device: KioskDevice
    counter_code: str
    # The one-time link's token: shown once, opened once, within KIOSK_ENROL_MINUTES.
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class Claimed:
    """A tablet that has just opened its link: the device, where it is, its cookie."""

    device: KioskDevice
    counter: Counter
    unit_name: str
    cookie: str


class EnrolLinkUsed(Conflict):
    """The link was already opened, on this tablet or on another browser."""

    kind = "enrol_used"


class EnrolLinkExpired(AppError):
    """The link was not opened within KIOSK_ENROL_MINUTES."""

    status_code = 410
    kind = "enrol_expired"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_hash(token: str) -> str:
    """How a token is stored (its SHA-256), to find the row it belongs to."""
    return _hash(token)


def get_counter(session: Session, code: str) -> Counter:
    counter = session.scalar(select(Counter).where(Counter.code == code))
    if counter is None:
        raise NotFound.of("counter_missing", code=code)
    return counter


def set_kiosk(session: Session, counter_code: str, kiosk: bool) -> Counter:
    """Turn kiosk mode on or off for everyone who opens a counter's link."""
    counter = get_counter(session, counter_code)
    counter.kiosk = kiosk
    session.flush()
    return counter


def _label(label: str) -> str:
    label = label.strip()
    if not label or len(label) > 100:
        raise Invalid.of("label_length", [FieldError.of("label", "chars_1_100")])
    return label


def enrol(session: Session, counter_code: str, label: str, now: datetime | None = None) -> Enrolled:
    """Register a tablet at a counter and make its one-time link (token shown once).

    The device is not in use until the link is opened (:func:`claim`), which gives
    it a cookie of its own: a copy of the link opened later enrols nothing.
    """
    label = _label(label)
    counter = get_counter(session, counter_code)
    now = now or datetime.now(UTC)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = now + timedelta(minutes=get_settings().KIOSK_ENROL_MINUTES)
    device = KioskDevice(
        counter_id=counter.id,
        label=label,
        # Until the link is opened the device has no usable token: this one is
        # random and never shown.
        token_hash=_hash(secrets.token_urlsafe(TOKEN_BYTES)),
        enrol_hash=_hash(token),
        enrol_expires_at=expires,
        created_at=now,
    )
    session.add(device)
    session.flush()
    return Enrolled(device, counter.code, token, expires)


def claim(session: Session, token: str, now: datetime | None = None) -> Claimed:
    """Open a one-time link: the first browser becomes the tablet, any other is refused.

    One conditional UPDATE decides, so two browsers opening the link at the same
    moment cannot both be enrolled (PostgreSQL makes the second wait for the first's
    row lock, then finds the condition false; SQLite serialises writers).
    """
    now = now or datetime.now(UTC)
    if not token or len(token) > 100:
        raise NotFound.of("enrol_link_unknown")
    cookie = secrets.token_urlsafe(TOKEN_BYTES)
    won = session.execute(
        update(KioskDevice)
        .where(
            KioskDevice.enrol_hash == _hash(token),
            KioskDevice.enrolled_at.is_(None),
            KioskDevice.revoked_at.is_(None),
            KioskDevice.enrol_expires_at > now,
        )
        .values(token_hash=_hash(cookie), enrolled_at=now)
        .execution_options(synchronize_session=False)
    )
    row = session.execute(
        select(KioskDevice, Counter, Unit.name)
        .join(Counter, Counter.id == KioskDevice.counter_id)
        .join(Unit, Unit.id == Counter.unit_id)
        .where(KioskDevice.enrol_hash == _hash(token))
        .execution_options(populate_existing=True)
    ).first()
    if row is None or (row[0].revoked_at is not None and row[0].enrolled_at is None):
        raise NotFound.of("enrol_link_unknown")
    device, counter, unit_name = row
    if not won.rowcount:  # type: ignore[attr-defined]
        if device.enrolled_at is not None:
            raise EnrolLinkUsed.of("enrol_link_used", label=device.label)
        raise EnrolLinkExpired.of("enrol_link_expired")
    return Claimed(device, counter, unit_name, cookie)


def device_for(session: Session, token: str | None) -> tuple[KioskDevice, str] | None:
    """The enrolled, unrevoked device holding `token`, with its counter's code."""
    if not token or len(token) > 100:
        return None
    row = session.execute(
        select(KioskDevice, Counter.code)
        .join(Counter, Counter.id == KioskDevice.counter_id)
        .where(
            KioskDevice.token_hash == _hash(token),
            KioskDevice.revoked_at.is_(None),
            KioskDevice.enrolled_at.is_not(None),
        )
    ).first()
    return (row[0], row[1]) if row else None


# Built once: the submission hot path runs these compiled, from SQLAlchemy's cache,
# on the connection (no ORM objects), one each per request.
_DEVICE = Prepared(
    select(
        KioskDevice.id,
        KioskDevice.counter_id,
        KioskDevice.queue_length,
        KioskDevice.queue_reported_at,
    )
    .where(
        KioskDevice.token_hash == bindparam("h"),
        KioskDevice.revoked_at.is_(None),
        KioskDevice.enrolled_at.is_not(None),
    )
    .limit(1)
)
_DEVICES = cast(Table, KioskDevice.__table__)
_QUEUE = (
    update(_DEVICES)
    .where(_DEVICES.c.id == bindparam("d"))
    .values(
        queue_length=bindparam("n"),
        queue_reported_at=bindparam("at", type_=_DEVICES.c.queue_reported_at.type),
    )
)


@dataclass(frozen=True)
class DeviceSeen:
    """An enrolled tablet as a submission finds it: where it is, what it last reported."""

    id: int
    counter_id: int
    queue_length: int | None = None
    queue_reported_at: datetime | None = None


def device_ids(session: Session, token: str | None) -> DeviceSeen | None:
    """The enrolled, unrevoked device holding `token`: :func:`device_for` without
    loading the device, for each submission."""
    if not token or len(token) > 100:
        return None
    row = _DEVICE.first(session.connection(), {"h": _hash(token)})
    return DeviceSeen(*row) if row else None


def device_id(session: Session, token: str | None) -> int | None:
    """The id of the enrolled device holding `token`, for bursts and rate limits."""
    found = device_for(session, token)
    return found[0].id if found else None


# What a kiosk keeps after a sync (app/static/sipas.js): everything but the stored
# items and those the server judged for good (invalid, conflicting).
DROPPED = {200, 201, 400, 409, 413, 422}


# A report equal to the one stored less than this long ago is not written again: a
# tablet sending a response a second would otherwise rewrite its row each time, one
# more statement per submission. The tablets page shows the time to the minute.
QUEUE_REPORT_REFRESH = timedelta(minutes=1)


def report_queue(
    session: Session,
    device_id: int | None,
    besides: int | None,
    results: list[BatchResult],
    seen: DeviceSeen | None = None,
) -> None:
    """Remember how many unsent responses an enrolled tablet holds after this sync.

    `seen` is the device as this request found it: when it reported the same count
    within QUEUE_REPORT_REFRESH, nothing is written."""
    if device_id is None or besides is None:
        return
    kept = sum(1 for r in results if r.status not in DROPPED or r.error == "late_sync_expired")
    n = min(besides, 1_000_000) + kept
    now = datetime.now(UTC)
    if (
        seen is not None
        and seen.id == device_id
        and seen.queue_length == n
        and seen.queue_reported_at is not None
        and now - seen.queue_reported_at < QUEUE_REPORT_REFRESH
    ):
        return
    session.connection().execute(_QUEUE, {"d": device_id, "n": n, "at": now})


def list_devices(
    session: Session, unit_ids: set[int] | None = None
) -> list[tuple[KioskDevice, str]]:
    """Tablets with their counter's code; only at counters of `unit_ids` when given."""
    stmt = (
        select(KioskDevice, Counter.code)
        .join(Counter, Counter.id == KioskDevice.counter_id)
        .order_by(Counter.code, KioskDevice.id)
    )
    if unit_ids is not None:
        stmt = stmt.where(Counter.unit_id.in_(unit_ids))
    return [(d, code) for d, code in session.execute(stmt).all()]


def rename(session: Session, device_id: int, label: str) -> KioskDevice:
    """Give a tablet another label (what its confirmation and the lists show)."""
    device = session.get(KioskDevice, device_id)
    if device is None:
        raise NotFound.of("device_missing", device_id=device_id)
    device.label = _label(label)
    session.flush()
    return device


def revoke(session: Session, device_id: int) -> KioskDevice:
    """Stop a device from running in kiosk mode (a lost or replaced tablet)."""
    device = session.get(KioskDevice, device_id)
    if device is None:
        raise NotFound.of("device_missing", device_id=device_id)
    if device.revoked_at is None:
        device.revoked_at = datetime.now(UTC)
        session.flush()
    return device
