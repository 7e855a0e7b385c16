"""Hot-path statements run on psycopg's cursor behave as SQLAlchemy's would."""

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, exc, literal_column, select, text, update
from sqlalchemy.orm import Session

from app.collection import kiosks
from app.core.db import make_engine, unavailable
from app.core.statements import Prepared
from app.units.models import KioskDevice
from tests.dbutil import BACKEND
from tests.factories import make_counter, make_unit


def test_a_kiosk_is_found_with_its_last_report_as_sqlalchemy_would_read_it(
    session: Session,
) -> None:
    # The kiosk look-up runs Prepared: its timestamp comes back aware, in UTC.
    counter = make_counter(session, "k-prep", make_unit(session, "PREP"))
    kiosks.set_kiosk(session, counter.code, True)
    cookie = kiosks.claim(session, kiosks.enrol(session, counter.code, "t").token).cookie
    at = datetime(2026, 3, 1, 21, 30, tzinfo=timezone(timedelta(hours=7)))
    seen = kiosks.device_ids(session, cookie)
    assert seen is not None
    kiosks.report_queue(session, seen.id, 4, [])
    session.execute(
        update(KioskDevice).where(KioskDevice.id == seen.id).values(queue_reported_at=at)
    )
    found = kiosks.device_ids(session, cookie)
    assert found is not None
    assert (found.counter_id, found.queue_length) == (counter.id, 4)
    assert found.queue_reported_at == at
    assert found.queue_reported_at.utcoffset() == timedelta(0)
    assert kiosks.device_ids(session, cookie + "x") is None


@pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL driver path")
def test_a_lost_connection_is_a_busy_error_and_is_not_handed_out_again(engine: Engine) -> None:
    pool = make_engine(engine.url.render_as_string(hide_password=False), pool_size=1)
    pid_of = Prepared(select(literal_column("pg_backend_pid()")))
    try:
        with pool.connect() as c:
            ((pid,),) = pid_of.rows(c, {})
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
                other.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid})
            with pytest.raises(exc.OperationalError) as failed:
                pid_of.rows(c, {})
        busy = unavailable(failed.value)
        assert busy is not None
        assert busy.retry_after
        with pool.connect() as c:
            ((again,),) = pid_of.rows(c, {})
        assert again != pid
    finally:
        pool.dispose()
