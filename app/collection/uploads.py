"""Paper forms, units and counters uploaded from the dashboard: checked first, stored on
confirmation.

The check runs the very import the command line runs (the same readers, the same
rules), inside a savepoint that is rolled back, so the preview lists every problem
with its line and column and stores nothing. The file travels back with the
confirmation (compressed, in the form), so no upload waits on the server between
the two steps and any process can take the confirmation; it is checked again then,
and stored all or nothing.
"""

import base64
import binascii
import zlib
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.access import service as accounts
from app.access.service import Principal
from app.campaigns import coordination
from app.collection import paper
from app.core.errors import FieldError, Forbidden, Invalid
from app.questionnaires.catalog import Catalog
from app.units import service as units
from app.units.models import Counter, Unit

Kind = Literal["paper", "units", "counters"]
KINDS: tuple[Kind, ...] = ("paper", "units", "counters")
# The packed file rides in one form field, which the form parser caps at 1 MiB.
MAX_PACKED = 1_000_000


@dataclass(frozen=True)
class Outcome:
    created: int
    # Units and counters: updated; paper forms: already imported (the same answers).
    kept: int


def _area(session: Session, who: Principal) -> Unit | None:
    if not who.can_manage:
        raise Forbidden.of("role_read_only", role=who.role)
    return session.get(Unit, who.unit_id) if who.unit_id is not None else None


def _run(
    session: Session,
    catalog: Catalog,
    who: Principal,
    kind: Kind,
    data: bytes,
    name: str,
    campaign: str | None,
) -> Outcome:
    area = _area(session, who)
    if kind == "paper":
        if campaign is None:
            raise Invalid.of(
                "form_has_problems", [FieldError.of("campaign", "campaign_required", "required")]
            )
        c = coordination.visible_campaign(session, who, campaign)
        p = paper.import_paper(session, catalog, c.code, data, name, area)
        return Outcome(p.created, p.unchanged)
    result = (units.import_units if kind == "units" else units.import_counters)(
        session, data, name, area
    )
    return Outcome(result.created, result.updated)


def check(
    session: Session,
    catalog: Catalog,
    who: Principal,
    kind: Kind,
    data: bytes,
    name: str,
    campaign: str | None = None,
) -> Outcome:
    """What storing the file would do, or every problem with it; nothing is stored."""
    savepoint = session.begin_nested()
    try:
        return _run(session, catalog, who, kind, data, name, campaign)
    finally:
        savepoint.rollback()


def store(
    session: Session,
    catalog: Catalog,
    who: Principal,
    kind: Kind,
    data: bytes,
    name: str,
    campaign: str | None = None,
) -> Outcome:
    """Store the whole file, or nothing if any row has a problem."""
    with session.begin_nested():
        done = _run(session, catalog, who, kind, data, name, campaign)
        accounts.audit(
            session,
            who.actor,
            f"{kind}.import",
            campaign or kind,
            {"file": name, "created": done.created, "kept": done.kept},
        )
    return done


def pack(data: bytes) -> str | None:
    """The file for the confirmation form; None if it is too large to travel there."""
    packed = base64.b64encode(zlib.compress(data, 6)).decode("ascii")
    return packed if len(packed) <= MAX_PACKED else None


def unpack(packed: str) -> bytes:
    try:
        return zlib.decompress(base64.b64decode(packed, validate=True))
    except (binascii.Error, ValueError, zlib.error):
        raise Invalid.of("upload_again", [FieldError.of("file", "upload_again", "file")]) from None


@dataclass(frozen=True)
class CounterRow:
    code: str
    name: str
    unit: str
    unit_name: str


def counter_rows(session: Session, who: Principal) -> list[CounterRow]:
    """Every counter in the principal's area, with its unit, in code order."""
    area = accounts.subtree_ids(session, who)
    stmt = (
        select(Counter.code, Counter.name, Unit.code, Unit.name)
        .join(Unit, Unit.id == Counter.unit_id)
        .order_by(Counter.code)
    )
    if area is not None:
        stmt = stmt.where(Counter.unit_id.in_(area))
    return [CounterRow(*r) for r in session.execute(stmt).tuples()]
