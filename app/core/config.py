"""Settings read from the environment (and an optional `.env` file)."""

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]  # app/core/config.py -> the checkout
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
    # Kiosk mode: seconds without a touch before the "are you still there?" warning,
    # seconds of warning before the answers are cleared, and seconds the thank-you
    # screen stays before the kiosk returns to its start screen.
    KIOSK_IDLE_SECONDS: int = Field(default=90, ge=1)
    KIOSK_WARN_SECONDS: int = Field(default=20, ge=1)
    KIOSK_RESTART_SECONDS: int = Field(default=8, ge=1)
    # A response finished faster than this is flagged `speeding` (not rejected).
    SPEEDING_SECONDS: int = Field(default=60, ge=0)
    # The address printed on QR sheets (what a phone opens), without a trailing slash.
    PUBLIC_URL: str = "http://127.0.0.1:8000"
    # A TrueType font with Vietnamese letters for PNG and PDF QR sheets (optional:
    # common system fonts are found without it).
    SHEET_FONT: str | None = None
    # Sign-in cookies carry the Secure attribute when this is true; unset, it follows
    # PUBLIC_URL (https → secure). Browsers send Secure cookies to http://localhost too.
    COOKIE_SECURE: bool | None = None
    # Two responses from one kiosk device less than this apart are flagged `burst`.
    BURST_SECONDS: int = Field(default=20, ge=0)
    # An interviewer's form is flagged `interviewer_burst` when they finished this
    # many forms (it included) within INTERVIEWER_BURST_MINUTES of it: a household
    # interview takes a quarter of an hour or more (0: never).
    INTERVIEWER_BURST_COUNT: int = Field(default=4, ge=0)
    INTERVIEWER_BURST_MINUTES: int = Field(default=10, ge=1)
    # An interviewer's sign-in lasts the field day (other accounts: 12 hours).
    INTERVIEWER_SESSION_HOURS: int = Field(default=14, ge=1, le=24)
    # The access log writes client addresses only when this is set (design.md: IP
    # addresses are not kept); query values are never written (app/accesslog.py).
    ACCESS_LOG_CLIENT_IP: bool = False
    # /metrics: with a token, any client sending `Authorization: Bearer <token>`;
    # without one, only clients on this machine (127.0.0.1, ::1), else 404.
    METRICS_TOKEN: str = ""
    # `json`: one JSON object per log line (time, level, logger, message,
    # request_id; method, path, status for the access log); `text`: plain lines.
    LOG_FORMAT: Literal["text", "json"] = "text"
    # Responses a counter or kiosk device may send per minute before 429 (0: no limit).
    RATE_PER_MINUTE: int = Field(default=20, ge=0)
    # Forms one kiosk device (or, without one, one counter) is served a minute with a
    # form token; past it the form is served without one (it still works online).
    FORM_RATE_PER_MINUTE: int = Field(default=30, ge=0)
    # How long a served form's token admits a response that arrives late (a phone's
    # offline queue); enrolled kiosks replay their queue with their device cookie.
    FORM_TOKEN_HOURS: int = Field(default=72, ge=1)
    # Responses a minute one write-scoped API key may push (0: no limit).
    WRITE_KEY_RATE_PER_MINUTE: int = Field(default=600, ge=0)
    # More replayed (queued) responses than this from one device, or one counter
    # without a device, within REPLAY_MINUTES are flagged `replay_burst`.
    REPLAY_FLAG_COUNT: int = Field(default=60, ge=1)
    REPLAY_MINUTES: int = Field(default=10, ge=1)
    # Units are ranked on SIPAS rounded to this many decimals, as it is published
    # (the Ministry publishes two): equal published figures share a rank.
    RANK_PRECISION: int = Field(default=2, ge=0, le=9)
    # An indicator enters its median only when a unit's figure rests on at least
    # min(campaign min_sample, this) answers (two late cases say nothing of a rate).
    MEDIAN_MIN_N: int = Field(default=10, ge=1)
    # Bootstrap replicates behind each rank interval (methods.rank_interval): 1,000
    # puts the 2.5 % and 97.5 % rank quantiles within a place of their limit.
    RANK_REPLICATES: int = Field(default=1000, ge=100, le=100_000)
    # Days after a campaign closes during which responses finished while it was open
    # (an offline kiosk's queue) are still accepted, marked `late_sync`.
    LATE_SYNC_GRACE_DAYS: int = Field(default=7, ge=0)
    # Minutes a tablet's one-time enrolment link works before it must be made again.
    KIOSK_ENROL_MINUTES: int = Field(default=15, ge=1)
    # A published report may be served up to this many seconds behind the newest
    # responses, so a busy campaign rebuilds each report at most once per window
    # (0: always exact). Exclusions, edits and paper imports show at once regardless.
    REPORT_MAX_STALE_SECONDS: float = Field(default=5.0, ge=0)
    # Bounded waits, so a busy or frozen database turns into a fast 503 with
    # Retry-After rather than a hang (see "Under load" in the README).
    # Connections one process keeps to the database; it is also how many requests
    # may use the database at once, the rest queue without holding a thread.
    DB_POOL_SIZE: int = Field(default=10, ge=1)
    # How long a request waits for its turn at the database before 503.
    DB_QUEUE_SECONDS: float = Field(default=5.0, gt=0)
    # How long a statement waits for a row lock held by another request (PostgreSQL
    # lock_timeout; SQLite's busy timeout) before the request answers 503.
    DB_LOCK_TIMEOUT_SECONDS: float = Field(default=3.0, gt=0)
    # The longest any one statement may run (PostgreSQL statement_timeout).
    DB_STATEMENT_TIMEOUT_SECONDS: float = Field(default=120.0, gt=0)
    # How long opening a connection to the database may take.
    DB_CONNECT_TIMEOUT_SECONDS: int = Field(default=5, ge=1)
    # psycopg prepares a statement run five times on a connection. Behind PgBouncer in
    # transaction mode (scripts/cluster) the next transaction may get another server
    # connection that never saw it: set false there (docs/scaling.md).
    DB_PREPARED_STATEMENTS: bool = True
    # A streaming replica (PostgreSQL) that reports, exports and the dashboard's reads
    # may use; writes, and the reads of a reader who has just written, stay on
    # DATABASE_URL. Unset: everything uses DATABASE_URL.
    DATABASE_REPLICA_URL: str = ""
    # The replica is skipped while it replays more than this many seconds behind.
    REPLICA_MAX_LAG_SECONDS: float = Field(default=2.0, ge=0)
    # After a signed-in reader's write, their reads go to the primary for this long
    # (read-your-writes: the review list after an exclusion, progress after an import).
    REPLICA_STICKY_SECONDS: int = Field(default=10, ge=0)
    # After the replica fails to answer, each process leaves it alone this long.
    REPLICA_RETRY_SECONDS: float = Field(default=5.0, gt=0)

    @property
    def secure_cookies(self) -> bool:
        if self.COOKIE_SECURE is not None:
            return self.COOKIE_SECURE
        return self.PUBLIC_URL.startswith("https://")

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

    @property
    def replica_url(self) -> str:
        """DATABASE_REPLICA_URL with the psycopg 3 driver ('' when unset)."""
        return normalise_database_url(self.DATABASE_REPLICA_URL)


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
