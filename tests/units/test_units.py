"""Importing the administrative tree and counters from CSV."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.core.config import ROOT
from app.core.errors import Invalid
from app.counts.models import UnitAncestor
from app.units.models import RESERVED_COUNTER_CODES, Counter, Unit
from app.units.service import get_unit, import_counters, import_units

HEADER = "code,name,kind,parent\n"


def count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Unit)) or 0


def test_the_34_provinces_import(session: Session) -> None:
    data = (ROOT / "data" / "provinces-2025.csv").read_bytes()
    result = import_units(session, data, "provinces-2025.csv")
    assert (result.created, result.updated) == (34, 0)
    assert get_unit(session, "79").name == "Thành phố Hồ Chí Minh"
    again = import_units(session, data, "provinces-2025.csv")
    assert (again.created, again.updated) == (0, 0)


def test_parents_may_come_later_and_paths_describe_the_tree(session: Session) -> None:
    csv = HEADER + "X1,Xã Một,commune,P\nS1,Sở Nội vụ,department,P\nP,Tỉnh P,province,\n"
    assert import_units(session, csv.encode()).created == 3
    province = get_unit(session, "P")
    below = set(
        session.scalars(
            select(Unit.code)
            .join(UnitAncestor, UnitAncestor.unit_id == Unit.id)
            .where(UnitAncestor.ancestor_id == province.id)
        )
    )
    assert below == {"P", "X1", "S1"}
    assert get_unit(session, "X1").depth == 1


@pytest.mark.parametrize(
    ("body", "where", "message"),
    [
        ("A,Tỉnh A,province,\nB,Xã B,commune,NOPE\n", "line 4, column parent", "parent 'NOPE'"),
        ("A,Tỉnh A,province,\nA,Tỉnh A2,province,\n", "line 4, column code", "duplicate code 'A'"),
        ("A,Tỉnh A,planet,\n", "line 3, column kind", "unknown kind 'planet'"),
        ("A,,province,\n", "line 3, column name", "name is empty"),
        ("A,B,province\n", "line 3", "has 3 fields"),
        ("A,Tỉnh A,commune,B\nB,Tỉnh B,commune,A\n", "line 3, column parent", "cycle"),
    ],
)
def test_a_bad_row_is_reported_and_nothing_is_imported(
    session: Session, body: str, where: str, message: str
) -> None:
    before = count(session)
    with pytest.raises(Invalid) as exc:
        import_units(session, (HEADER + "OK1,Tỉnh tốt,province,\n" + body).encode(), "units.csv")
    assert "nothing was imported" in exc.value.detail
    assert any(f.loc == where and message in f.msg for f in exc.value.fields), exc.value.fields
    assert count(session) == before


def test_errors_carry_exact_line_numbers(session: Session) -> None:
    body = HEADER + "A,Tỉnh A,province,\nB,Xã B,commune,NOPE\nA,dup,province,\n"
    with pytest.raises(Invalid) as exc:
        import_units(session, body.encode(), "units.csv")
    locs = {(f.loc, f.code) for f in exc.value.fields}
    assert locs == {("line 3, column parent", "parent"), ("line 4, column code", "duplicate")}


def test_bad_encoding_and_bad_header(session: Session) -> None:
    with pytest.raises(Invalid, match="not UTF-8") as exc:
        import_units(session, (HEADER + "A,Bình,province,\n").encode("latin-1"), "u.csv")
    assert exc.value.fields[0].loc == "line 2"
    with pytest.raises(Invalid, match="bad header") as exc:
        import_units(session, b"code,title,kind,parent\n", "u.csv")
    assert {f.msg for f in exc.value.fields} == {"missing column 'name'", "unknown column 'title'"}
    assert count(session) == 0


def test_moving_a_unit_by_import_is_refused(session: Session) -> None:
    import_units(session, (HEADER + "P,P,province,\nQ,Q,province,\nX,X,commune,P\n").encode())
    with pytest.raises(Invalid, match="nothing was imported") as exc:
        import_units(session, (HEADER + "X,X,commune,Q\n").encode())
    assert "moving units by import is not supported" in exc.value.fields[0].msg


def test_counters_import(session: Session) -> None:
    import_units(session, (HEADER + "P,P,province,\n").encode())
    ok = import_counters(session, b"code,name,unit\nq-1,Quay 1,P\nq-2,Quay 2,P\n")
    assert ok.created == 2
    with pytest.raises(Invalid) as exc:
        import_counters(session, b"code,name,unit\nq-3,Quay 3,P\nq-4,Quay 4,NOPE\n")
    assert [f.loc for f in exc.value.fields] == ["line 3, column unit"]
    assert session.scalar(select(func.count()).select_from(Counter)) == 2


def test_a_counter_may_not_take_a_word_the_survey_pages_use(session: Session) -> None:
    # /s/<counter> is a counter's page: a counter coded like one of the pages' own
    # words (/s/village/…, /s/interview) would never be reached.
    import_units(session, (HEADER + "P,P,province,\n").encode())
    with pytest.raises(Invalid) as exc:
        import_counters(session, b"code,name,unit\nq-1,Quay 1,P\nInterview,Quay 2,P\n")
    (field,) = exc.value.fields
    assert field.loc == "line 3, column code"
    assert "'Interview' is a word the survey pages use themselves" in field.msg
    assert session.scalar(select(func.count()).select_from(Counter)) == 0


def test_every_word_the_survey_pages_take_after_s_is_reserved() -> None:
    from app.main import create_app

    def paths(routes: Any) -> Iterator[str]:
        for r in routes:
            if hasattr(r, "original_router"):  # an included router
                yield from paths(r.original_router.routes)
            else:
                yield getattr(r, "path", "")

    words = {
        p.split("/")[2]
        for p in paths(create_app().routes)
        if p.startswith("/s/") and not p.split("/")[2].startswith("{")
    }
    assert "village" in words  # the walk finds the pages' own routes
    assert words <= RESERVED_COUNTER_CODES, words - RESERVED_COUNTER_CODES
