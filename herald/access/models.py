"""The access room's tables: users, their sign-in sessions, API keys, and the append-only audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, JSONType, UTCDateTime


class User(Base):
    """A person who signs in. The password is kept only as an argon2 hash; the TOTP secret, when a second
    factor is on, is never shown again after it is set up."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)  # the sign-in name, lower case
    display_name: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str] = mapped_column(String(16), default="en")
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_pending: Mapped[str | None] = mapped_column(String(64))  # set up, not yet confirmed with a code
    totp_last_step: Mapped[int | None] = mapped_column(Integer)  # a code once used is not taken again
    failures: Mapped[int] = mapped_column(Integer, default=0)  # wrong passwords in a row
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    signed_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Workspace(Base):
    """A brand or client whose data no other workspace sees: its own SQLite file or PostgreSQL schema. The
    installation's own database is the workspace `default`; the list lives there (the control store)."""

    __tablename__ = "workspaces"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32), unique=True)
    label: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(128))


class Membership(Base):
    """A user's role in a workspace other than `default` (there, their own role is theirs)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "workspace"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    workspace: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))


class WebSession(Base):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is kept, so a copy of the
    database signs no one in."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str | None] = mapped_column(String(128))  # the address it signed in from
    user_agent: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiKey(Base):
    """A key a program uses: `hk_<prefix>_<secret>`. The prefix finds the row; only the secret's SHA-256
    is kept (keys are long and random, so a fast hash suffices and costs a request nothing)."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    workspace: Mapped[str] = mapped_column(String(32), default="default", server_default="default")
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSONType)
    created_by: Mapped[str] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_from: Mapped[str | None] = mapped_column(String(128))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AuditEntry(Base):
    """One write, or one refusal, through the UI, the API or the CLI: who, when, what, on what, from where.
    Rows are only ever added; each carries the hash of the one before it (see `chain`)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(128), index=True)
    actor_kind: Mapped[str] = mapped_column(String(16))  # user | key | system | public
    origin: Mapped[str] = mapped_column(String(160))  # an IP address, or "cli user@host"
    action: Mapped[str] = mapped_column(String(96), index=True)
    subject: Mapped[str | None] = mapped_column(String(255))
    outcome: Mapped[str] = mapped_column(String(16))  # done | refused
    detail: Mapped[dict[str, Any]] = mapped_column(JSONType, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    note: Mapped[str | None] = mapped_column(Text)  # a refusal's reason


class SealingMark(Base):
    """Whether a workspace's personal data is sealed, and by which lookup key: a keyed hash of a fixed text,
    so a start without the key file, or with another lookup key, is refused before it reads a key as an
    address or hashes new addresses unlike the stored ones."""

    __tablename__ = "sealing"

    id: Mapped[int] = mapped_column(primary_key=True)
    lookup_check: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
