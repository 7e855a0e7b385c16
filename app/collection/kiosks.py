"""Kiosk tablets: counters that always run in kiosk mode, and enrolled devices.

A device is enrolled once by opening a one-time link on it; the link's token then
lives in a long-lived cookie. Only the token's SHA-256 is stored.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.errors import FieldError, Invalid, NotFound
from app.units.models import Counter, KioskDevice

TOKEN_BYTES = 32
# The cookie an enrolled tablet carries; its offline queue posts to the API from the
# same browser, so pages and API both know the device without a header.
KIOSK_COOKIE = "sipas_kiosk"


@dataclass(frozen=True)
class Enrolled:
    device: KioskDevice
    counter_code: str
    token: str


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def get_counter(session: Session, code: str) -> Counter:
    counter = session.scalar(select(Counter).where(Counter.code == code))
    if counter is None:
        raise NotFound(f"counter {code!r} does not exist")
    return counter


def set_kiosk(session: Session, counter_code: str, kiosk: bool) -> Counter:
    """Turn kiosk mode on or off for everyone who opens a counter's link."""
    counter = get_counter(session, counter_code)
    counter.kiosk = kiosk
    session.flush()
    return counter


def enrol(session: Session, counter_code: str, label: str) -> Enrolled:
    """Register a tablet at a counter; the token is shown once and never stored."""
    label = label.strip()
    if not label or len(label) > 100:
        raise Invalid("label must be 1–100 characters", [FieldError("label", "1–100 characters")])
    counter = get_counter(session, counter_code)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    device = KioskDevice(
        counter_id=counter.id,
        label=label,
        token_hash=_hash(token),
        created_at=datetime.now(UTC),
    )
    session.add(device)
    session.flush()
    return Enrolled(device, counter.code, token)


def device_for(session: Session, token: str | None) -> tuple[KioskDevice, str] | None:
    """The enrolled, unrevoked device holding `token`, with its counter's code."""
    if not token or len(token) > 100:
        return None
    row = session.execute(
        select(KioskDevice, Counter.code)
        .join(Counter, Counter.id == KioskDevice.counter_id)
        .where(KioskDevice.token_hash == _hash(token), KioskDevice.revoked_at.is_(None))
    ).first()
    return (row[0], row[1]) if row else None


def device_id(session: Session, token: str | None) -> int | None:
    """The id of the enrolled device holding `token`, for bursts and rate limits."""
    found = device_for(session, token)
    return found[0].id if found else None


def list_devices(session: Session) -> list[tuple[KioskDevice, str]]:
    rows = session.execute(
        select(KioskDevice, Counter.code)
        .join(Counter, Counter.id == KioskDevice.counter_id)
        .order_by(Counter.code, KioskDevice.id)
    ).all()
    return [(d, code) for d, code in rows]


def revoke(session: Session, device_id: int) -> KioskDevice:
    """Stop a device from running in kiosk mode (a lost or replaced tablet)."""
    device = session.get(KioskDevice, device_id)
    if device is None:
        raise NotFound(f"kiosk device {device_id} does not exist")
    if device.revoked_at is None:
        device.revoked_at = datetime.now(UTC)
        session.flush()
    return device
