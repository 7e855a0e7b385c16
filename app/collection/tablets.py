"""Kiosk tablets as a coordinator manages them: listed, enrolled, renamed, revoked.

Role-scoped like every dashboard action: a coordinator sees and changes only the
tablets at counters under their own unit, a viewer only reads, and every change
is audited.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.service import Principal
from app.collection import kiosks
from app.core.errors import Forbidden, NotFound
from app.units.models import Counter, KioskDevice, Unit


@dataclass(frozen=True)
class Tablet:
    id: int
    label: str
    counter: str
    counter_name: str
    unit: str
    state: str  # "pending" (link not opened), "active", "revoked"
    created_at: datetime
    enrolled_at: datetime | None
    queue_length: int | None
    queue_reported_at: datetime | None


def _state(device: KioskDevice) -> str:
    if device.revoked_at is not None:
        return "revoked"
    return "active" if device.enrolled_at is not None else "pending"


def tablets(session: Session, who: Principal) -> list[Tablet]:
    """The tablets at counters in the principal's area, by counter."""
    area = accounts.subtree_ids(session, who)
    stmt = (
        select(KioskDevice, Counter, Unit.code)
        .join(Counter, Counter.id == KioskDevice.counter_id)
        .join(Unit, Unit.id == Counter.unit_id)
        .order_by(Counter.code, KioskDevice.id)
    )
    if area is not None:
        stmt = stmt.where(Counter.unit_id.in_(area))
    return [
        Tablet(
            d.id,
            d.label,
            c.code,
            c.name,
            unit,
            _state(d),
            d.created_at,
            d.enrolled_at,
            d.queue_length,
            d.queue_reported_at,
        )
        for d, c, unit in session.execute(stmt).all()
    ]


def holding(session: Session, who: Principal) -> list[Tablet]:
    """Active tablets that said, at their last sync, that they hold unsent responses."""
    return [t for t in tablets(session, who) if t.state == "active" and t.queue_length]


def counters(session: Session, who: Principal) -> list[tuple[str, str]]:
    """Counters in the principal's area (code, name), to enrol a tablet at."""
    area = accounts.subtree_ids(session, who)
    stmt = select(Counter.code, Counter.name).order_by(Counter.code)
    if area is not None:
        stmt = stmt.where(Counter.unit_id.in_(area))
    return [(code, name) for code, name in session.execute(stmt).all()]


def _check_counter(session: Session, who: Principal, counter_id: int) -> None:
    if not who.can_manage:
        raise Forbidden.of("role_read_only", role=who.role)
    counter = session.get(Counter, counter_id)
    if counter is None or not accounts.in_scope(session, who, counter.unit_id):
        raise Forbidden.of("counter_outside_yours")


def _device(session: Session, who: Principal, device_id: int) -> KioskDevice:
    device = session.get(KioskDevice, device_id)
    area = accounts.subtree_ids(session, who)
    counter = session.get(Counter, device.counter_id) if device else None
    if device is None or counter is None or (area is not None and counter.unit_id not in area):
        raise NotFound.of("tablet_missing", device_id=device_id)
    _check_counter(session, who, device.counter_id)
    return device


def enrol(session: Session, who: Principal, counter: str, label: str) -> kiosks.Enrolled:
    """A one-time enrolment link for a tablet at a counter in the principal's area."""
    found = session.scalar(select(Counter).where(Counter.code == counter))
    if found is None:
        raise NotFound.of("counter_missing", code=counter)
    _check_counter(session, who, found.id)
    done = kiosks.enrol(session, counter, label)
    accounts.audit(
        session, who.actor, "kiosk.enrol", str(done.device.id), {"counter": counter, "label": label}
    )
    return done


def rename(session: Session, who: Principal, device_id: int, label: str) -> KioskDevice:
    before = _device(session, who, device_id).label
    device = kiosks.rename(session, device_id, label)
    accounts.audit(
        session, who.actor, "kiosk.rename", str(device_id), {"from": before, "to": device.label}
    )
    return device


def revoke(session: Session, who: Principal, device_id: int) -> KioskDevice:
    """A lost or replaced tablet: its cookie stops working, replays included."""
    _device(session, who, device_id)
    device = kiosks.revoke(session, device_id)
    accounts.audit(session, who.actor, "kiosk.revoke", str(device_id))
    return device
