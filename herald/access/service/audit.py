"""The audit log: appended to, never changed. Each entry hashes the one before it (see `chain`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text

from herald.access import chain
from herald.access.actors import Actor
from herald.access.models import AuditEntry
from herald.db import UnitOfWork

AUDIT_LOCK = -4  # beside dispatch's advisory lock keys (negative numbers are jobs, positive are contacts)


def append(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    now: datetime,
    *,
    subject: str | None = None,
    outcome: str = "done",
    detail: dict[str, Any] | None = None,
    note: str | None = None,
) -> AuditEntry:
    """Add one entry at the head of the chain. On PostgreSQL the head is locked until the commit, so two
    transactions never chain onto the same entry; SQLite's writer lock already orders them."""
    if uow.session.get_bind().dialect.name == "postgresql":
        uow.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK})
    previous = uow.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1)) or chain.GENESIS
    fields = {
        "at": now,
        "actor": actor.label[:128],
        "actor_kind": actor.kind,
        "origin": actor.origin[:160],
        "action": action[:96],
        "subject": subject[:255] if subject else None,
        "outcome": outcome,
        "detail": _plain(detail or {}),
    }
    entry = AuditEntry(**fields, note=note, prev_hash=previous, hash=chain.entry_hash(previous, _hashed(fields)))
    uow.session.add(entry)
    uow.session.flush()
    return entry


@dataclass(frozen=True)
class Recorder:
    """The audit hook a unit of work calls before it commits a write: one entry per entry-point action,
    with what the services noted on the way."""

    actor: Actor
    action: str
    now: Callable[[], datetime]
    subject: str | None = None
    detail: dict[str, Any] | None = None

    def __call__(self, uow: UnitOfWork) -> None:
        detail = {**(self.detail or {}), **uow.notes}
        append(uow, self.actor, self.action, self.now(), subject=self.subject, detail=detail)


def entries(uow: UnitOfWork, after_id: int = 0, batch: int = 1000) -> Iterator[AuditEntry]:
    """Every entry in id order, read in batches."""
    while True:
        rows = uow.session.scalars(
            select(AuditEntry).where(AuditEntry.id > after_id).order_by(AuditEntry.id).limit(batch)
        ).all()
        yield from rows
        if len(rows) < batch:
            return
        after_id = rows[-1].id


def verify(uow: UnitOfWork) -> chain.Verified:
    """Walk the whole log and say whether every entry still fits the chain."""
    return chain.verify(_as_hashed(e) for e in entries(uow))


def _as_hashed(entry: AuditEntry) -> dict[str, Any]:
    fields = {f: getattr(entry, f) for f in chain.FIELDS}
    return {**_hashed(fields), "id": entry.id, "prev_hash": entry.prev_hash, "hash": entry.hash}


def _hashed(fields: dict[str, Any]) -> dict[str, Any]:
    # The time to the microsecond in UTC, as both databases give it back.
    return {**fields, "at": fields["at"].astimezone(UTC).isoformat(timespec="microseconds")}


def _plain(detail: dict[str, Any]) -> dict[str, Any]:
    """Detail as JSON keeps it: strings, whole numbers, booleans and lists of them (no floats, whose text
    a database may change)."""
    return {str(k): _plain_value(v) for k, v in detail.items() if v is not None}


def _plain_value(value: Any) -> Any:
    if isinstance(value, bool | int | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain_value(v) for v in value][:100]
    return str(value)
