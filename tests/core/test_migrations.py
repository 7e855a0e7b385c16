"""The schema exists only through migrations, which go up and down cleanly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app.core import migrate
from app.core.db import Base
from tests.dbutil import fresh_database

TABLES = {"unit", "counter", "campaign", "campaign_unit", "submission"}


def test_upgrade_matches_models_and_downgrade_removes_everything() -> None:
    with fresh_database() as url:
        engine = create_engine(url)
        try:
            migrate.upgrade(url)
            assert TABLES <= set(inspect(engine).get_table_names())
            with engine.connect() as conn:
                ctx = MigrationContext.configure(conn, opts={"compare_type": True})
                assert compare_metadata(ctx, Base.metadata) == []
            migrate.downgrade("base", url)
            assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
            migrate.upgrade(url)
            assert TABLES <= set(inspect(engine).get_table_names())
        finally:
            engine.dispose()


def test_0005_gives_folded_responses_the_same_day_and_flag_counts_the_fold_gives() -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import select

    from app.campaigns.service import get_campaign
    from app.collection import admission
    from app.collection import service as submissions
    from app.collection.schemas import SubmissionIn
    from app.core.db import make_engine, session_scope
    from app.counts import tally
    from app.counts.models import Tally
    from app.questionnaires.catalog import get_catalog
    from tests.answers import body, valid_answers
    from tests.factories import make_campaign, make_counter, make_unit

    catalog = get_catalog()
    with fresh_database() as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with session_scope(engine) as s:
                unit = make_unit(s, "M")
                make_counter(s, "m-1", unit)
                make_campaign(s, catalog, "M-1", [unit])
            now = datetime.now(UTC)
            for i, level in enumerate([5, 5, 3, 1]):
                b = body(
                    catalog,
                    counter="m-1",
                    started_at=(now - timedelta(days=i, seconds=30 + 20 * i)).isoformat(),
                    submitted_at=(now - timedelta(days=i)).isoformat(),
                    answers=valid_answers(catalog, level=level, TC1=4),
                )
                with session_scope(engine) as s:
                    # Old-dated on purpose: recorded by the process itself, no token.
                    submissions.record(
                        s, catalog, SubmissionIn.model_validate(b), who=admission.INTERNAL
                    )
            with session_scope(engine) as s:
                c = get_campaign(s, "M-1")
                tally.fold_campaign(s, c, catalog.get("sipas-2017", 1))  # type: ignore[arg-type]

            def keys() -> dict[str, int]:
                with session_scope(engine) as s:
                    rows = s.execute(select(Tally.key, Tally.n)).tuples()
                    return {k: n for k, n in rows if k.startswith(("day=", "flag="))}

            folded = keys()
            assert folded["flag=speeding"] == 2  # 30 and 50 seconds; 70 and 90 are not
            assert len([k for k in folded if k.startswith("day=")]) == 4
            migrate.downgrade("0004", url)
            assert keys() == {}
            migrate.upgrade(url, "0015")  # 0016 empties the tallies for a re-fold
            assert keys() == folded
        finally:
            engine.dispose()


def test_0016_refolds_old_tallies_into_the_same_counts_with_the_composite_moments() -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import func, select, update

    from app.campaigns.service import get_campaign
    from app.collection import admission
    from app.collection import service as submissions
    from app.collection.models import Submission
    from app.collection.schemas import SubmissionIn
    from app.core.db import make_engine, session_scope
    from app.counts import tally
    from app.counts.models import FoldQueue, Tally, TallyMoments
    from app.questionnaires.catalog import get_catalog
    from tests.answers import body, valid_answers
    from tests.factories import make_campaign, make_counter, make_unit

    catalog = get_catalog()
    q = catalog.get("sipas-2017", 1)
    assert q is not None
    with fresh_database() as url:
        migrate.upgrade(url)
        engine = make_engine(url)
        try:
            with session_scope(engine) as s:
                unit = make_unit(s, "M")
                make_counter(s, "m-1", unit)
                make_campaign(s, catalog, "M-1", [unit])
            now = datetime.now(UTC)
            for i, level in enumerate([5, 4, 3, 1]):
                b = body(
                    catalog,
                    counter="m-1",
                    started_at=(now - timedelta(minutes=5 + i)).isoformat(),
                    submitted_at=(now - timedelta(minutes=i)).isoformat(),
                    answers=valid_answers(catalog, level=level, TC1=0 if i == 1 else 4),
                )
                with session_scope(engine) as s:
                    submissions.record(
                        s, catalog, SubmissionIn.model_validate(b), who=admission.INTERNAL
                    )
            with session_scope(engine) as s:
                # One response excluded before it was counted (as review.exclude does).
                gone = s.scalars(select(Submission.id).limit(1)).one()
                s.execute(update(Submission).values(excluded_at=now).where(Submission.id == gone))
                tally.dequeue(s, gone)
                tally.fold_campaign(s, get_campaign(s, "M-1"), q)

            def tallies() -> dict[str, int]:
                with session_scope(engine) as s:
                    return dict(s.execute(select(Tally.key, Tally.n)).tuples().all())

            def vectors() -> list[list[int]]:
                with session_scope(engine) as s:
                    rows = s.execute(select(TallyMoments.data)).scalars().all()
                    return [tally.moment_layout(q).decode(d).tolist() for d in rows]

            folded, moments = tallies(), vectors()
            assert folded["n"] == 3
            layout = tally.moment_layout(q)
            assert [v[layout.contributors(None)] for v in moments] == [3]
            migrate.downgrade("0015", url)  # the tallies of the code before 0016
            assert tallies() == folded
            migrate.upgrade(url)
            assert tallies() == {}
            assert vectors() == []
            with session_scope(engine) as s:
                assert s.scalar(select(func.count()).select_from(FoldQueue)) == 3
                tally.fold_campaign(s, get_campaign(s, "M-1"), q)
            assert tallies() == folded
            assert vectors() == moments
        finally:
            engine.dispose()
