"""Reading the audit log: filtered, newest first, and shaped for people and files."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from herald.access.models import ApiKey, AuditEntry, User
from herald.access.schemas import KeyOut, UserOut
from herald.db import UnitOfWork
from herald.errors import Invalid
from herald.types import safe_cell


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


def matching(units: Callable[[], UnitOfWork], where: AuditFilter, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry matching, oldest first, a batch per unit of work: an export of any size in bounded
    memory, and writers wait for one batch at most, never for the whole export."""
    after = 0
    while True:
        stmt = where.applied(select(AuditEntry)).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(batch)
        with units() as uow:
            rows = list(uow.session.scalars(stmt))
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1].id


def export_lines(fmt: str, entries: Iterable[AuditEntry]) -> Iterator[str]:
    """The export's text, line by line: CSV (no cell a spreadsheet runs as a formula) or JSON lines."""
    if fmt not in ("csv", "jsonl"):
        raise Invalid(f"{fmt!r}: choose csv or jsonl", where="format")
    if fmt == "csv":
        yield _csv_line(AUDIT_COLUMNS)
    for entry in entries:
        row = entry_data(entry)
        if fmt == "csv":
            yield _csv_line([_cell(c, v) for c, v in row.items()])
        else:
            yield json.dumps(row, ensure_ascii=False) + "\n"


def _csv_line(cells: Iterable[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(cells)
    return buffer.getvalue()


def _cell(column: str, value: Any) -> str:
    return safe_cell(json.dumps(value, ensure_ascii=False) if column == "detail" else value)


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
