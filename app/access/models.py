"""Who may sign in or call the API, and what they did: accounts, sessions, API keys, audit."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, UTCDateTime

# An interviewer only fills forms in the villages of their unit (no reports, no review).
ROLES = ("admin", "coordinator", "viewer", "interviewer")
JSONVariant = JSON().with_variant(JSONB(), "postgresql")


class Account(Base):
    """A person who signs in: a role over one unit's subtree (no unit: the whole tree)."""

    __tablename__ = "account"
    __table_args__ = (
        CheckConstraint("role IN ('admin', 'coordinator', 'viewer', 'interviewer')", name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # Stored lower-case: "Lan@Sonv.gov.vn" and "lan@sonv.gov.vn" are one person.
    login: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(12))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginSession(Base):
    """A signed-in browser; the cookie holds a random token, the table only its SHA-256.

    Server-side rows (rather than signed cookies) make sign-out and disabling an
    account take effect at once.
    """

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ApiKey(Base):
    """An API consumer's key, scoped to one unit's subtree (or all).

    `read` keys read (indices, campaigns); `write` keys only submit responses, for
    trusted integrations such as a province's one-stop-shop software.
    """

    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint("scope IN ('read', 'write')", name="scope"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    # The first characters of the key, shown in listings so a key can be recognised.
    prefix: Mapped[str] = mapped_column(String(12))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scope: Mapped[str] = mapped_column(String(10), default="read", server_default="read")


class AuditEvent(Base):
    """One coordinator action: who, what, on what, when. Rows are only ever added."""

    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_at", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    # "alice@sonv.gov.vn", "cli" or "key:ab12cd34"; kept as text so the record
    # survives the account being removed.
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    target: Mapped[str] = mapped_column(String(200))
    detail: Mapped[dict[str, Any]] = mapped_column(JSONVariant, default=dict)


class PasswordReset(Base):
    """A one-time link an admin made for an account's new password: the link holds a
    random token, the table only its SHA-256; it works once, until `expires_at`."""

    __tablename__ = "password_reset"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
