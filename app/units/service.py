"""The administrative tree: creating units and counters, importing them from CSV."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any, cast

from sqlalchemy import String, Table, literal, select, union_all
from sqlalchemy import cast as cast_
from sqlalchemy.orm import Session

from app.core.chunks import chunked, one_of
from app.core.csvfile import Row, read_csv, row_problems, too_long
from app.core.errors import FieldError, Invalid, NotFound
from app.counts import snapshots
from app.counts.models import UnitAncestor
from app.units.models import CODE_PATTERN, RESERVED_COUNTER_CODES, UNIT_KINDS, Counter, Unit

CODE_RE = re.compile(CODE_PATTERN)
UNIT_COLUMNS = ("code", "name", "kind", "parent")
UNIT_OPTIONAL = ("valid_from", "valid_to")
COUNTER_COLUMNS = ("code", "name", "unit")
# The Vietnamese column names the templates offer.
UNIT_ALIASES = {
    "mã": "code",
    "mã đơn vị": "code",
    "tên": "name",
    "tên đơn vị": "name",
    "loại": "kind",
    "loại đơn vị": "kind",
    "cấp trên": "parent",
    "mã cấp trên": "parent",
    "đơn vị cấp trên": "parent",
    "hiệu lực từ": "valid_from",
    "hiệu lực đến": "valid_to",
}
COUNTER_ALIASES = {
    "mã": "code",
    "mã quầy": "code",
    "tên": "name",
    "tên quầy": "name",
    "đơn vị": "unit",
    "mã đơn vị": "unit",
}
# Levels a tree may have (a commune under a district under a province under a
# ministry under the country is five). The limit keeps the materialised path
# (ids of up to 10 digits and a slash each: 352 characters) inside its
# 400-character column and the closure table at most 32 rows per unit.
MAX_LEVELS = 32
NAME_LENGTH = Unit.__table__.c.name.type.length  # type: ignore[attr-defined]


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
    if parent is not None and parent.depth + 1 >= MAX_LEVELS:
        raise Invalid.of(
            "unit_too_deep",
            [FieldError.of("parent", "tree_levels", "depth", n=MAX_LEVELS)],
            code=code,
            level=parent.depth + 2,
            n=MAX_LEVELS,
        )
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
        problems.append(FieldError.of(loc, "not_a_date", "date", raw=value))
        return None


# A checked file's rows by code: (line, values, valid_from, valid_to).
_Parsed = dict[str, tuple[int, dict[str, str], date | None, date | None]]


def import_units(
    session: Session, data: bytes | IO[bytes], name: str = "file", area: Unit | None = None
) -> ImportResult:
    """Import units from CSV (`code,name,kind,parent[,valid_from,valid_to]`).

    Parents may come later in the file or already exist. An existing code is
    updated (name, kind, validity) provided its parent is unchanged. Every problem
    is reported with its line and column, and nothing is written unless the whole
    file is good. With `area` (a coordinator's unit), every unit must go under it.
    """
    header, rows = read_csv(data, name, UNIT_COLUMNS, UNIT_OPTIONAL, UNIT_ALIASES)
    parsed, problems = _parse_units(header, rows)
    wanted = set(parsed) | {v["parent"] for _, v, _, _ in parsed.values() if v["parent"]}
    existing = _by_code(session, Unit, wanted)
    problems += _parent_problems(session, parsed, existing)
    problems += _cycles_and_depth(parsed, existing)
    if area is not None:
        problems += _outside_area(parsed, existing, area)
    if problems:
        problems.sort(key=lambda p: int(p.loc.split()[1].rstrip(",")))
        raise Invalid.of("import_problems", problems, name=name, n=len(problems))
    return _write_units(session, parsed, existing)


def _parse_units(header: list[str], rows: Iterable[Row]) -> tuple[_Parsed, list[FieldError]]:
    """Each row's own problems (code, name, kind, dates); the tree is checked later."""
    problems: list[FieldError] = []
    parsed: _Parsed = {}
    for row in rows:
        if own := row_problems(row, len(header)):
            problems += own
            continue
        v, at = row.values, f"line {row.line}"
        code = v["code"]
        if (long := too_long(row, "name", NAME_LENGTH)) is not None:
            problems.append(long)
        if not CODE_RE.match(code):
            problems.append(FieldError.of(f"{at}, column code", "unit_code_bad", "code", code=code))
        if code in parsed:
            problems.append(
                FieldError.of(
                    f"{at}, column code",
                    "code_twice",
                    "duplicate",
                    code=code,
                    first=parsed[code][0],
                )
            )
            continue
        if not v["name"]:
            problems.append(FieldError.of(f"{at}, column name", "name_empty", "required"))
        if v["kind"] not in UNIT_KINDS:
            problems.append(
                FieldError.of(
                    f"{at}, column kind",
                    "kind_unknown",
                    "kind",
                    kind=v["kind"],
                    kinds=", ".join(UNIT_KINDS),
                )
            )
        vf = _parse_date(v.get("valid_from", ""), f"{at}, column valid_from", problems)
        vt = _parse_date(v.get("valid_to", ""), f"{at}, column valid_to", problems)
        if vf and vt and vt < vf:
            problems.append(FieldError.of(f"{at}, column valid_to", "valid_to_early", "date"))
        parsed[code] = (row.line, v, vf, vt)
    return parsed, problems


def in_area(unit: Unit, area: Unit | None) -> bool:
    """Whether `unit` is `area` or below it (no area: everywhere)."""
    return area is None or area.id in ancestors_ids(unit)


def _outside_area(parsed: _Parsed, existing: dict[str, Unit], area: Unit) -> list[FieldError]:
    """Rows whose parent does not lead, through the file, to a unit in `area`."""
    known: dict[str, bool] = {}

    def inside(code: str) -> bool:
        seen: list[str] = []
        while code not in known:
            seen.append(code)
            parent = parsed[code][1]["parent"] if code in parsed else ""
            if parent in existing:
                known[code] = in_area(existing[parent], area)
            elif parent in parsed and parent not in seen:
                code = parent
                continue
            else:
                known[code] = False
        answer = known[code]
        known.update(dict.fromkeys(seen, answer))
        return answer

    return [
        FieldError.of(
            f"line {line}, column parent", "import_outside_area", "area", unit=code, area=area.code
        )
        for code, (line, _, _, _) in parsed.items()
        if not inside(code)
    ]


def _parent_problems(
    session: Session, parsed: _Parsed, existing: dict[str, Unit]
) -> list[FieldError]:
    """Parents that exist nowhere, units that would be their own parent or would move."""
    problems: list[FieldError] = []
    parent_ids = {u.parent_id for u in existing.values() if u.parent_id is not None}
    parent_codes: dict[int, str] = {}
    for ids in chunked(sorted(parent_ids)):
        parent_codes.update(
            session.execute(select(Unit.id, Unit.code).where(one_of(session, Unit.id, ids)))
            .tuples()
            .all()
        )
    for code, (line, v, _, _) in parsed.items():
        parent = v["parent"]
        if parent and parent not in parsed and parent not in existing:
            problems.append(
                FieldError.of(
                    f"line {line}, column parent", "parent_nowhere", "parent", parent=parent
                )
            )
        if parent == code:
            problems.append(FieldError.of(f"line {line}, column parent", "own_parent", "parent"))
        if v["kind"] == "village":
            # Thôn and tổ dân phố are parts of a commune (xã, phường, đặc khu).
            above = parsed[parent][1]["kind"] if parent in parsed else None
            if above is None and parent in existing:
                above = existing[parent].kind
            if above is not None and above != "commune":
                problems.append(
                    FieldError.of(
                        f"line {line}, column parent",
                        "village_under_commune",
                        "parent",
                        parent=parent,
                        kind=above,
                    )
                )
        old = existing.get(code)
        if old is not None:
            old_parent = parent_codes.get(old.parent_id, "") if old.parent_id else ""
            if old_parent != parent:
                at = f"line {line}, column parent"
                problems.append(
                    FieldError.of(at, "unit_would_move", "parent", code=code, parent=old_parent)
                    if old_parent
                    else FieldError.of(at, "unit_would_move_root", "parent", code=code)
                )
    return problems


def _write_units(session: Session, parsed: _Parsed, existing: dict[str, Unit]) -> ImportResult:
    """Create or update every unit of a checked file, a level at a time, parents first.

    New units go in as a few multi-row statements per level (their paths and
    closure rows follow from the ids the database returns), so a file of 70,000
    units is a few dozen statements, not 140,000 flushes.
    """
    updated = 0
    for code, unit in existing.items():
        if code not in parsed:
            continue
        _, v, vf, vt = parsed[code]
        if (unit.name, unit.kind, unit.valid_from, unit.valid_to) != (v["name"], v["kind"], vf, vt):
            unit.name, unit.kind, unit.valid_from, unit.valid_to = v["name"], v["kind"], vf, vt
            updated += 1
    session.flush()
    placed = {code: (u.id, u.path, u.depth) for code, u in existing.items()}
    levels: dict[int, list[str]] = {}
    depth: dict[str, int] = {}
    for code in parsed:
        chain, cur = [], code
        while cur and cur not in placed and cur not in depth:
            chain.append(cur)
            cur = parsed[cur][1]["parent"]
        base = placed[cur][2] if cur in placed else depth.get(cur, -1)
        for c in reversed(chain):
            base += 1
            depth[c] = base
            levels.setdefault(base, []).append(c)
    for level in sorted(levels):
        for chunk in chunked(levels[level], 5_000):
            _insert_level(session, parsed, placed, chunk, level)
    created = len(depth)
    if created or updated:
        snapshots.forget(session)  # new, renamed or moved units show in reports at once
    return ImportResult(created, updated)


_UNITS = cast(Table, Unit.__table__)
_CLOSURE = cast(Table, UnitAncestor.__table__)
_COUNTERS = cast(Table, Counter.__table__)


def _insert_level(
    session: Session,
    parsed: _Parsed,
    placed: dict[str, tuple[int, str, int]],
    codes: list[str],
    level: int,
) -> None:
    """Insert units of one level whose parents are in `placed`; add them to it."""
    rows = []
    for code in codes:
        _, v, vf, vt = parsed[code]
        parent = placed.get(v["parent"]) if v["parent"] else None
        rows.append(
            {
                "code": code,
                "name": v["name"],
                "kind": v["kind"],
                "parent_id": parent[0] if parent else None,
                "path": "",
                "depth": level,
                "valid_from": vf,
                "valid_to": vt,
            }
        )
    session.execute(_UNITS.insert(), rows)
    # Paths and closure rows follow from the parents' in two set-based statements.
    new = one_of(session, _UNITS.c.code, codes)
    above = _UNITS.alias("above")
    own_id = cast_(_UNITS.c.id, String)
    if level == 0:
        session.execute(_UNITS.update().where(new).values(path=own_id + "/"))
    else:
        session.execute(
            _UNITS.update()
            .where(new, above.c.id == _UNITS.c.parent_id)
            .values(path=above.c.path + own_id + "/")
        )
    up = _CLOSURE.alias("up")
    session.execute(
        _CLOSURE.insert().from_select(
            ["ancestor_id", "unit_id", "distance"],
            union_all(
                select(_UNITS.c.id, _UNITS.c.id, literal(0)).where(new),
                select(up.c.ancestor_id, _UNITS.c.id, up.c.distance + 1)
                .join(up, up.c.unit_id == _UNITS.c.parent_id)
                .where(new),
            ),
        )
    )
    for code, uid, path in session.execute(
        select(_UNITS.c.code, _UNITS.c.id, _UNITS.c.path).where(new)
    ).tuples():
        placed[code] = (uid, path, level)


def _cycles_and_depth(parsed: _Parsed, existing: dict[str, Unit]) -> list[FieldError]:
    """Units whose parents form a cycle or whose tree would exceed MAX_LEVELS.

    Each unit's level is computed once (memoised), so a long chain costs one pass.
    """
    problems = []
    level: dict[str, int | None] = {}  # None: on a cycle or too deep
    for code in parsed:
        chain: list[str] = []
        cur: str = code
        while cur in parsed and cur not in level:
            if cur in chain:
                break
            chain.append(cur)
            cur = parsed[cur][1]["parent"]
        if cur in parsed and cur not in level:  # came back to a code on the chain
            loop = chain[chain.index(cur) :]
            for c in loop:
                level[c] = None
                problems.append(
                    FieldError.of(
                        f"line {parsed[c][0]}, column parent", "parent_cycle", "cycle", code=c
                    )
                )
            chain = chain[: chain.index(cur)]
        if cur in level:
            base = level[cur]
        elif cur in existing:
            base = existing[cur].depth + 1
        else:
            base = 0  # a root, or a missing parent reported elsewhere
        for c in reversed(chain):
            if base is None or base > MAX_LEVELS:
                level[c] = None
                continue
            level[c] = base + 1
            if base + 1 > MAX_LEVELS:
                problems.append(
                    FieldError.of(
                        f"line {parsed[c][0]}, column parent",
                        "unit_level_too_deep",
                        "depth",
                        code=c,
                        level=base + 1,
                        n=MAX_LEVELS,
                    )
                )
                level[c] = None
            base = level[c]
    return problems


def _by_code(session: Session, model: Any, codes: Iterable[str]) -> Any:
    """{code: row} of the rows with these codes, asked in chunks (any number of codes)."""
    found: dict[str, Any] = {}
    for chunk in chunked(sorted(codes)):
        found.update(
            (r.code, r)
            for r in session.scalars(select(model).where(one_of(session, model.code, chunk)))
        )
    return found


def _by_id(session: Session, ids: Iterable[int]) -> list[Unit]:
    found: list[Unit] = []
    for chunk in chunked(sorted(ids)):
        found += session.scalars(select(Unit).where(one_of(session, Unit.id, chunk)))
    return found


def import_counters(
    session: Session, data: bytes | IO[bytes], name: str = "file", area: Unit | None = None
) -> ImportResult:
    """Import counters from CSV (`code,name,unit`); an existing code is updated. With
    `area` (a coordinator's unit), every counter must be, and stay, under it."""
    header, rows = read_csv(data, name, COUNTER_COLUMNS, aliases=COUNTER_ALIASES)
    problems: list[FieldError] = []
    parsed: dict[str, tuple[int, dict[str, str]]] = {}
    for row in rows:
        if own := row_problems(row, len(header)):
            problems += own
            continue
        v, at = row.values, f"line {row.line}"
        if (long := too_long(row, "name", NAME_LENGTH)) is not None:
            problems.append(long)
        if not CODE_RE.match(v["code"]):
            problems.append(
                FieldError.of(f"{at}, column code", "counter_code_bad", "code", code=v["code"])
            )
        elif v["code"].lower() in RESERVED_COUNTER_CODES:
            problems.append(
                FieldError.of(
                    f"{at}, column code",
                    "counter_code_reserved",
                    "reserved",
                    code=v["code"],
                    words=", ".join(sorted(RESERVED_COUNTER_CODES)),
                )
            )
        elif v["code"] in parsed:
            problems.append(
                FieldError.of(
                    f"{at}, column code",
                    "code_twice",
                    "duplicate",
                    code=v["code"],
                    first=parsed[v["code"]][0],
                )
            )
            continue
        if not v["name"]:
            problems.append(FieldError.of(f"{at}, column name", "name_empty", "required"))
        parsed[v["code"]] = (row.line, v)
    units: dict[str, Unit] = _by_code(session, Unit, {v["unit"] for _, v in parsed.values()})
    for line, v in parsed.values():
        if v["unit"] not in units:
            problems.append(
                FieldError.of(f"line {line}, column unit", "unit_missing", "unit", code=v["unit"])
            )
    existing: dict[str, Counter] = _by_code(session, Counter, parsed)
    if area is not None:
        held = {u.id: u for u in _by_id(session, {c.unit_id for c in existing.values()})}
        for code, (line, v) in parsed.items():
            unit = units.get(v["unit"])
            old = existing.get(code)
            if (unit is not None and not in_area(unit, area)) or (
                old is not None and not in_area(held[old.unit_id], area)
            ):
                problems.append(
                    FieldError.of(
                        f"line {line}, column {'unit' if old is None else 'code'}",
                        "counter_outside_area",
                        "area",
                        counter=code,
                        area=area.code,
                    )
                )
    if problems:
        problems.sort(key=lambda p: int(p.loc.split()[1].rstrip(",")))
        raise Invalid.of("import_problems", problems, name=name, n=len(problems))
    updated = 0
    new = []
    for code, (_, v) in parsed.items():
        unit = units[v["unit"]]
        if (c := existing.get(code)) is not None:
            if (c.name, c.unit_id) != (v["name"], unit.id):
                c.name, c.unit_id = v["name"], unit.id
                updated += 1
        else:
            new.append({"code": code, "name": v["name"], "unit_id": unit.id})
    session.flush()
    for chunk in chunked(new, 5_000):
        session.execute(_COUNTERS.insert(), chunk)
    created = len(new)
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
