"""Settings read from the environment (and an optional `.env` file)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
PLACEHOLDER_SECRET = "dev-insecure-change-me"


class Settings(BaseSettings):
    """Everything the service reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    ENVIRONMENT: Literal["development", "test", "production"] = "development"
    DATABASE_URL: str = f"sqlite:///{ROOT / 'var' / 'sipas.db'}"
    SECRET_KEY: str = PLACEHOLDER_SECRET
    QUESTIONNAIRE_DIR: Path = ROOT / "questionnaires"
    # Largest JSON body accepted on the submission endpoints; a SIPAS form is ~2 KB.
    MAX_BODY_BYTES: int = Field(default=64 * 1024, ge=1024)
    MAX_BATCH_BODY_BYTES: int = Field(default=8 * 1024 * 1024, ge=1024)

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> "Settings":
        # A forgotten SECRET_KEY in production would let anyone forge sessions and
        # dossier hashes; fail at start-up rather than run insecurely.
        if self.ENVIRONMENT == "production" and (
            self.SECRET_KEY == PLACEHOLDER_SECRET or len(self.SECRET_KEY) < 32
        ):
            raise ValueError(
                "SECRET_KEY must be set to a random value of at least 32 characters "
                "when ENVIRONMENT=production (e.g. `python -c 'import secrets; "
                "print(secrets.token_urlsafe(48))'`)"
            )
        return self

    @property
    def database_url(self) -> str:
        """The URL with the psycopg 3 driver for plain `postgresql://` URLs."""
        return normalise_database_url(self.DATABASE_URL)


def normalise_database_url(url: str) -> str:
    """Map `postgres://` and `postgresql://` to SQLAlchemy's psycopg 3 dialect."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
