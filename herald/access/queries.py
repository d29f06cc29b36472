"""Reading the audit log: filtered, newest first, and shaped for people and files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from herald.access.models import ApiKey, AuditEntry, User
from herald.access.schemas import KeyOut, UserOut
from herald.db import UnitOfWork


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None  # a prefix: "cli contacts", "api contacts.erase"
    subject: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    refused: bool = False  # only refusals

    def applied(self, stmt: Select[Any]) -> Select[Any]:
        if self.actor:
            stmt = stmt.where(AuditEntry.actor == self.actor)
        if self.action:
            stmt = stmt.where(AuditEntry.action.startswith(self.action, autoescape=True))
        if self.subject:
            stmt = stmt.where(AuditEntry.subject == self.subject)
        if self.since:
            stmt = stmt.where(AuditEntry.at >= self.since)
        if self.until:
            stmt = stmt.where(AuditEntry.at < self.until)
        if self.refused:
            stmt = stmt.where(AuditEntry.outcome == "refused")
        return stmt


def audit_entries(
    uow: UnitOfWork, where: AuditFilter, limit: int = 100, before_id: int | None = None
) -> list[AuditEntry]:
    """The newest entries matching, `limit` at most, older than `before_id` when paging."""
    stmt = where.applied(select(AuditEntry))
    if before_id is not None:
        stmt = stmt.where(AuditEntry.id < before_id)
    return list(uow.session.scalars(stmt.order_by(AuditEntry.id.desc()).limit(limit)))


AUDIT_COLUMNS = ("id", "at", "actor", "actor_kind", "origin", "action", "subject", "outcome", "note", "detail", "hash")


def entry_data(entry: AuditEntry) -> dict[str, Any]:
    """One entry as plain data (the export's row, the API's item)."""
    return {c: (entry.at.isoformat() if c == "at" else getattr(entry, c)) for c in AUDIT_COLUMNS}


def key_view(row: ApiKey, now: datetime) -> KeyOut:
    """A key as the API and the CLI show it (never its secret)."""
    expired = row.expires_at is not None and row.expires_at <= now
    return KeyOut(
        name=row.name,
        prefix=f"hk_{row.prefix}_…",
        scopes=row.scopes,
        status="revoked" if row.revoked_at else "expired" if expired else "active",
        created_by=row.created_by,
        created_at=row.created_at,
        expires_at=row.expires_at,
        last_used_at=row.last_used_at,
        last_used_from=row.last_used_from,
    )


def user_view(found: User) -> UserOut:
    """A user as the API and the CLI show them (never a password or second-factor secret)."""
    return UserOut(
        name=found.name,
        display_name=found.display_name,
        role=found.role,
        status="disabled" if found.disabled_at else "active",
        second_factor=found.totp_secret is not None,
        created_at=found.created_at,
        signed_in_at=found.signed_in_at,
    )
