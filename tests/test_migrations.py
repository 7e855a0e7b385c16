"""The schema exists only through migrations, which go up and down cleanly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from app import migrate
from app.db import Base
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
