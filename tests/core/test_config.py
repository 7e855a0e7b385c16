"""Settings refuse to run production with a placeholder secret."""

import pytest
from pydantic import ValidationError

from app.core.config import Settings, normalise_database_url


def test_production_needs_a_real_secret() -> None:
    with pytest.raises(ValidationError, match="SECRET_KEY must be set"):
        Settings(ENVIRONMENT="production")
    with pytest.raises(ValidationError, match="at least 32 characters"):
        Settings(ENVIRONMENT="production", SECRET_KEY="short")
    ok = Settings(ENVIRONMENT="production", SECRET_KEY="x" * 40)
    assert ok.SECRET_KEY == "x" * 40


def test_development_defaults_to_sqlite_under_var() -> None:
    s = Settings(_env_file=None, DATABASE_URL=Settings.model_fields["DATABASE_URL"].default)
    assert s.database_url.startswith("sqlite:///")
    assert s.database_url.endswith("var/sipas.db")


def test_postgres_urls_use_psycopg3() -> None:
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
