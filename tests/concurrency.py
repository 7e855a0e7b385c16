"""Helpers for tests that need real commits seen by several threads at once."""

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import delete, select

from app.campaigns.models import Campaign
from app.collection.schemas import SubmissionIn
from app.collection.service import Recorded, record
from app.core.db import Base, session_factory, session_scope
from app.core.errors import Conflict
from app.questionnaires.catalog import Catalog
from app.units.models import Counter, Unit
from tests.factories import make_campaign, make_counter, make_unit


@contextmanager
def committed_place(engine: Any, catalog: Catalog) -> Iterator[str]:
    """A unit `U-<tag>`, its counter `k-<tag>` and open campaign `C-<tag>`, committed
    (the rolled-back test transaction is invisible to other threads), removed after."""
    tag = uuid.uuid4().hex[:8]
    with session_scope(engine) as s:
        unit = make_unit(s, f"U-{tag}")
        make_counter(s, f"k-{tag}", unit)
        make_campaign(s, catalog, f"C-{tag}", [unit])
    try:
        yield tag
    finally:
        with session_scope(engine) as s:
            campaign_id = s.scalar(select(Campaign.id).where(Campaign.code == f"C-{tag}"))
            # Every row the campaign owns, in every table that has one (the columnar
            # answer blocks were once left behind: SQLite gives the next test's campaign
            # the same id, and it found blocks it never wrote).
            for table in reversed(Base.metadata.sorted_tables):
                if "campaign_id" in table.c and table.name != "campaign":
                    s.execute(delete(table).where(table.c.campaign_id == campaign_id))
            s.execute(delete(Campaign).where(Campaign.id == campaign_id))
            s.execute(delete(Counter).where(Counter.code == f"k-{tag}"))
            s.execute(delete(Unit).where(Unit.code == f"U-{tag}"))


def race(engine: Any, catalog: Catalog, bodies: list[SubmissionIn]) -> list[Recorded | Conflict]:
    """Record every body at the same moment, each in its own thread and transaction;
    the outcome of each, in order (a Conflict, quota_full included, is returned)."""
    barrier = threading.Barrier(len(bodies))
    outcomes: list[Recorded | Conflict | None] = [None] * len(bodies)

    def worker(i: int) -> None:
        with session_factory(engine)() as s:
            barrier.wait()
            try:
                outcomes[i] = record(s, catalog, bodies[i])
                s.commit()
            except Conflict as exc:
                s.rollback()
                outcomes[i] = exc

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(bodies))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert all(o is not None for o in outcomes), "a thread did not finish"
    return [o for o in outcomes if o is not None]
