"""Splitting user-sized lists so no statement carries more bind parameters than a
driver takes (PostgreSQL's protocol: 65,535; SQLite: 32,766)."""

from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, any_, bindparam
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

T = TypeVar("T")

# Far below both limits, and large enough that the round trips do not matter.
IN_CHUNK = 10_000


def chunked(values: Iterable[T], size: int = IN_CHUNK) -> Iterator[list[T]]:
    """`values` in lists of at most `size`, in order."""
    it = iter(values)
    while batch := list(islice(it, size)):
        yield batch


def one_of(session: Session, column: Any, values: Sequence[Any]) -> ColumnElement[bool]:
    """`column IN values` for one chunk of :func:`chunked`.

    On PostgreSQL the list travels as one array parameter (`= ANY(:values)`): the
    driver then never parses a statement with thousands of placeholders, which
    costs more than running it.
    """
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, list(values), type_=postgresql.ARRAY(column.type)))
    return column.in_(values)
