"""The administrative tree: creating units and counters, importing them from CSV."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.core.csvfile import Row, decode, read_rows, width_error
from app.core.errors import FieldError, Invalid, NotFound
from app.counts import snapshots
from app.counts.models import UnitAncestor
from app.units.models import CODE_PATTERN, UNIT_KINDS, Counter, Unit

CODE_RE = re.compile(CODE_PATTERN)
UNIT_COLUMNS = ("code", "name", "kind", "parent")
UNIT_OPTIONAL = ("valid_from", "valid_to")
COUNTER_COLUMNS = ("code", "name", "unit")


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def get_unit(session: Session, code: str) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.code == code))
    if unit is None:
        raise NotFound.of("unit_unknown", code=code)
    return unit


def find_unit(session: Session, code: str) -> Unit | None:
    return session.scalar(select(Unit).where(Unit.code == code))


def create_unit(
    session: Session,
    *,
    code: str,
    name: str,
    kind: str,
    parent: Unit | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Unit:
    """Add a unit under `parent` and give it its materialised path.

    Stored reports do not list it until they are rebuilt: callers adding units to a
    tree that has reports call `snapshots.forget` once when done (as `import_units` does).
    """
    unit = Unit(
        code=code,
        name=name,
        kind=kind,
        parent_id=parent.id if parent else None,
        path="",
        depth=parent.depth + 1 if parent else 0,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else ''}{unit.id}/"
    chain = ancestors_ids(unit)
    session.add_all(
        UnitAncestor(ancestor_id=a, unit_id=unit.id, distance=len(chain) - 1 - i)
        for i, a in enumerate(chain)
    )
    session.flush()
    return unit


def ancestors_ids(unit: Unit) -> list[int]:
    """The ids on the path from the root down to `unit`, inclusive."""
    return [int(p) for p in unit.path.split("/") if p]


def _parse_date(value: str, loc: str, problems: list[FieldError]) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(FieldError(loc, f"{value!r} is not a date (YYYY-MM-DD)", "date"))
        return None


# A checked file's rows by code: (line, values, valid_from, valid_to).
_Parsed = dict[str, tuple[int, dict[str, str], date | None, date | None]]


def import_units(session: Session, data: bytes, name: str = "file") -> ImportResult:
    """Import units from CSV (`code,name,kind,parent[,valid_from,valid_to]`).

    Parents may come later in the file or already exist. An existing code is
    updated (name, kind, validity) provided its parent is unchanged. Every problem
    is reported with its line and column, and nothing is written unless the whole
    file is good.
    """
    header, rows = read_rows(decode(data, name), name, UNIT_COLUMNS, UNIT_OPTIONAL)
    parsed, problems = _parse_units(header, rows)
    wanted = set(parsed) | {v["parent"] for _, v, _, _ in parsed.values() if v["parent"]}
    existing = {u.code: u for u in session.scalars(select(Unit).where(Unit.code.in_(wanted)))}
    problems += _parent_problems(session, parsed, existing)
    problems += _cycles(parsed)
    if problems:
        problems.sort(key=lambda p: int(p.loc.split()[1].rstrip(",")))
        raise Invalid(f"{name}: {len(problems)} problem(s); nothing was imported", problems)
    return _write_units(session, parsed, existing)


def _parse_units(header: list[str], rows: Iterable[Row]) -> tuple[_Parsed, list[FieldError]]:
    """Each row's own problems (code, name, kind, dates); the tree is checked later."""
    problems: list[FieldError] = []
    parsed: _Parsed = {}
    for row in rows:
        if (err := width_error(row, len(header))) is not None:
            problems.append(err)
            continue
        v, at = row.values, f"line {row.line}"
        code = v["code"]
        if not CODE_RE.match(code):
            problems.append(
                FieldError(
                    f"{at}, column code",
                    f"{code!r} is not a valid code (letters, digits, . _ -)",
                    "code",
                )
            )
        if code in parsed:
            problems.append(
                FieldError(
                    f"{at}, column code",
                    f"duplicate code {code!r} (first on line {parsed[code][0]})",
                    "duplicate",
                )
            )
            continue
        if not v["name"]:
            problems.append(FieldError(f"{at}, column name", "name is empty", "required"))
        if v["kind"] not in UNIT_KINDS:
            problems.append(
                FieldError(
                    f"{at}, column kind",
                    f"unknown kind {v['kind']!r}; one of {', '.join(UNIT_KINDS)}",
                    "kind",
                )
            )
        vf = _parse_date(v.get("valid_from", ""), f"{at}, column valid_from", problems)
        vt = _parse_date(v.get("valid_to", ""), f"{at}, column valid_to", problems)
        if vf and vt and vt < vf:
            problems.append(FieldError(f"{at}, column valid_to", "ends before valid_from", "date"))
        parsed[code] = (row.line, v, vf, vt)
    return parsed, problems


def _parent_problems(
    session: Session, parsed: _Parsed, existing: dict[str, Unit]
) -> list[FieldError]:
    """Parents that exist nowhere, units that would be their own parent or would move."""
    problems: list[FieldError] = []
    for code, (line, v, _, _) in parsed.items():
        parent = v["parent"]
        if parent and parent not in parsed and parent not in existing:
            problems.append(
                FieldError(
                    f"line {line}, column parent",
                    f"parent {parent!r} is neither in the file nor in the database",
                    "parent",
                )
            )
        if parent == code:
            problems.append(
                FieldError(
                    f"line {line}, column parent", "a unit cannot be its own parent", "parent"
                )
            )
        old = existing.get(code)
        if old is not None:
            old_parent = session.get(Unit, old.parent_id).code if old.parent_id else ""  # type: ignore[union-attr]
            if old_parent != parent:
                problems.append(
                    FieldError(
                        f"line {line}, column parent",
                        f"unit {code!r} already exists under {old_parent or 'no parent'!r}; "
                        "moving units by import is not supported",
                        "parent",
                    )
                )
    return problems


def _write_units(session: Session, parsed: _Parsed, existing: dict[str, Unit]) -> ImportResult:
    """Create or update every unit of a checked file, parents before children."""
    created = updated = 0
    done: dict[str, Unit] = dict(existing)

    def ensure(code: str) -> Unit:
        nonlocal created, updated
        _, v, vf, vt = parsed[code]
        unit = done.get(code)
        if unit is not None and code in existing:
            if (unit.name, unit.kind, unit.valid_from, unit.valid_to) != (
                v["name"],
                v["kind"],
                vf,
                vt,
            ):
                unit.name, unit.kind, unit.valid_from, unit.valid_to = v["name"], v["kind"], vf, vt
                updated += 1
            existing.pop(code)  # handled
            return unit
        if unit is not None:
            return unit
        parent = None
        if v["parent"]:
            parent = ensure(v["parent"]) if v["parent"] in parsed else done[v["parent"]]
        unit = create_unit(
            session,
            code=code,
            name=v["name"],
            kind=v["kind"],
            parent=parent,
            valid_from=vf,
            valid_to=vt,
        )
        done[code] = unit
        created += 1
        return unit

    for code in parsed:
        ensure(code)
    session.flush()
    if created or updated:
        snapshots.forget(session)  # new, renamed or moved units show in reports at once
    return ImportResult(created, updated)


def _cycles(parsed: _Parsed) -> list[FieldError]:
    problems = []
    for code, (line, _, _, _) in parsed.items():
        seen, cur = {code}, parsed[code][1]["parent"]
        while cur in parsed:
            if cur in seen:
                problems.append(
                    FieldError(
                        f"line {line}, column parent", f"parents of {code!r} form a cycle", "cycle"
                    )
                )
                break
            seen.add(cur)
            cur = parsed[cur][1]["parent"]
    return problems


def import_counters(session: Session, data: bytes, name: str = "file") -> ImportResult:
    """Import counters from CSV (`code,name,unit`); an existing code is updated."""
    header, rows = read_rows(decode(data, name), name, COUNTER_COLUMNS)
    problems: list[FieldError] = []
    parsed: dict[str, tuple[int, dict[str, str]]] = {}
    for row in rows:
        if (err := width_error(row, len(header))) is not None:
            problems.append(err)
            continue
        v, at = row.values, f"line {row.line}"
        if not CODE_RE.match(v["code"]):
            problems.append(
                FieldError(f"{at}, column code", f"{v['code']!r} is not a valid code", "code")
            )
        elif v["code"] in parsed:
            problems.append(
                FieldError(
                    f"{at}, column code",
                    f"duplicate code {v['code']!r} (first on line {parsed[v['code']][0]})",
                    "duplicate",
                )
            )
            continue
        if not v["name"]:
            problems.append(FieldError(f"{at}, column name", "name is empty", "required"))
        parsed[v["code"]] = (row.line, v)
    units = {
        u.code: u
        for u in session.scalars(
            select(Unit).where(Unit.code.in_({v["unit"] for _, v in parsed.values()}))
        )
    }
    for line, v in parsed.values():
        if v["unit"] not in units:
            problems.append(
                FieldError(
                    f"line {line}, column unit", f"unit {v['unit']!r} does not exist", "unit"
                )
            )
    if problems:
        raise Invalid(f"{name}: {len(problems)} problem(s); nothing was imported", problems)
    existing = {c.code: c for c in session.scalars(select(Counter).where(Counter.code.in_(parsed)))}
    created = updated = 0
    for code, (_, v) in parsed.items():
        unit = units[v["unit"]]
        if (c := existing.get(code)) is not None:
            if (c.name, c.unit_id) != (v["name"], unit.id):
                c.name, c.unit_id = v["name"], unit.id
                updated += 1
        else:
            session.add(Counter(code=code, name=v["name"], unit_id=unit.id))
            created += 1
    session.flush()
    return ImportResult(created, updated)


def units_in(
    session: Session, root_id: int | None, parents_only: bool = False, kind: str | None = None
) -> list[Unit]:
    """Units in a subtree (None: all), in code order; `parents_only`: those with units below."""
    stmt = select(Unit).order_by(Unit.depth, Unit.code)
    if root_id is not None:
        stmt = stmt.where(
            Unit.id.in_(select(UnitAncestor.unit_id).where(UnitAncestor.ancestor_id == root_id))
        )
    if parents_only:
        stmt = stmt.where(Unit.id.in_(select(Unit.parent_id).where(Unit.parent_id.is_not(None))))
    if kind is not None:
        stmt = stmt.where(Unit.kind == kind)
    return list(session.scalars(stmt))


def units_of_kind_under(session: Session, parent: Unit, kind: str) -> list[Unit]:
    """Every unit of `kind` below `parent` ("all departments of this province")."""
    return list(
        session.scalars(
            select(Unit)
            .join(UnitAncestor, UnitAncestor.unit_id == Unit.id)
            .where(UnitAncestor.ancestor_id == parent.id, Unit.kind == kind)
            .order_by(Unit.code)
        )
    )
