"""Unit and counter imports at any size, and the limits they state instead of a
driver's message: more rows than a statement takes parameters, long cells, NUL,
over-long names, deep trees."""

import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.errors import Invalid
from app.units.models import Counter, Unit
from app.units.service import MAX_LEVELS, import_counters, import_units

# More rows than PostgreSQL's 65,535 bind parameters: any IN list over them fails.
MANY = 70_000


def count(session: Session, model: type[Unit] | type[Counter]) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


# About 30 s on PostgreSQL on a shared 2-core machine (4 statements per 5,000 units).
@pytest.mark.load
def test_seventy_thousand_units_and_counters_import_and_reimport(session: Session) -> None:
    units = "code,name,kind,parent\nP,Tỉnh P,province,\n" + "".join(
        f"X{i},Xã {i},commune,P\n" for i in range(MANY)
    )
    started = time.monotonic()
    assert import_units(session, units.encode()).created == MANY + 1
    again = import_units(session, units.replace("Xã 5,", "Xã năm,").encode())
    assert (again.created, again.updated) == (0, 1)
    counters = "code,name,unit\n" + "".join(f"k{i},Quầy {i},X{i}\n" for i in range(MANY))
    assert import_counters(session, counters.encode()).created == MANY
    assert import_counters(session, counters.encode()).created == 0
    assert count(session, Counter) == MANY
    assert time.monotonic() - started < 180


def test_a_chain_deeper_than_the_limit_is_refused_at_its_line(session: Session) -> None:
    rows = ["code,name,kind,parent", "U0,Gốc,country,"]
    rows += [f"U{i},Cấp {i},agency,U{i - 1}" for i in range(1, 3000)]
    with pytest.raises(Invalid) as exc:
        import_units(session, ("\n".join(rows) + "\n").encode(), "chain.csv")
    first = exc.value.fields[0]
    # U0 is level 1 on line 2, so the first unit past the limit is on line MAX_LEVELS + 2.
    assert first.loc == f"line {MAX_LEVELS + 2}, column parent"
    assert f"at most {MAX_LEVELS} levels" in first.msg
    assert count(session, Unit) == 0


def test_a_chain_at_the_limit_imports(session: Session) -> None:
    rows = ["code,name,kind,parent", "U0,Gốc,country,"]
    rows += [f"U{i},Cấp {i},agency,U{i - 1}" for i in range(1, MAX_LEVELS)]
    assert import_units(session, ("\n".join(rows) + "\n").encode()).created == MAX_LEVELS
    below = "code,name,kind,parent\nDEEP,Quá sâu,agency,U31\n"
    with pytest.raises(Invalid) as exc:
        import_units(session, below.encode())
    assert exc.value.fields[0].loc == "line 2, column parent"


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("A,Tỉnh\x00A,province,\n", "line 2, column name", "NUL character at position 4"),
        (
            "A," + "T" * 201 + ",province,\n",
            "line 2, column name",
            "201 characters long; at most 200",
        ),
        ('A,"' + "x" * 140_000 + '",province,\n', "line 2, column name", "longer than 131,072"),
        (
            'A,"never closed,province,\n' + "B,b,province,\n" * 20_000,
            "line 2, column name",
            "131,072",
        ),
    ],
)
def test_cells_no_database_takes_are_line_and_column_errors(
    session: Session, body: str, where: str, message: str
) -> None:
    with pytest.raises(Invalid) as exc:
        import_units(session, ("code,name,kind,parent\n" + body).encode(), "units.csv")
    assert exc.value.fields[0].loc == where
    assert message in exc.value.fields[0].msg
    assert count(session, Unit) == 0


def test_counter_names_and_nul_are_checked_too(session: Session) -> None:
    import_units(session, b"code,name,kind,parent\nP,P,province,\n")
    body = "code,name,unit\nk1," + "Q" * 300 + ",P\nk2,Qu\x00ay,P\n"
    with pytest.raises(Invalid) as exc:
        import_counters(session, body.encode())
    assert [f.loc for f in exc.value.fields] == ["line 2, column name", "line 3, column name"]
    assert count(session, Counter) == 0
