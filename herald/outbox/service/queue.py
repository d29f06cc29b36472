"""Putting messages in the queue and taking a campaign's or a contact's out of it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, case, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from herald.db import UnitOfWork, rowcount, upsert_insert
from herald.db.bulk import insert_rows
from herald.outbox.models import Message, Trail
from herald.types import MessageStatus as S


def enqueue(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> int:
    """Insert message rows; rows whose idempotency key exists already are left alone. Returns new rows.
    A row names its planning trail by `trail_id` (see `trail_ids`)."""
    if not rows:
        return 0
    if uow.session.get_bind().dialect.name == "sqlite":
        return _enqueue_sqlite(uow, rows)
    # PostgreSQL batches RETURNING well; conflicting rows return nothing, so the ids count the new rows.
    table = Message.__table__
    stmt = pg_insert(table).on_conflict_do_nothing(index_elements=["idempotency_key"]).returning(table.c.id)
    return len(uow.session.connection().execute(stmt, [{**ROW_BASE, **r} for r in rows]).all())


def enqueue_select(uow: UnitOfWork, columns: Sequence[str], rows: Select[Any]) -> int:
    """Insert the message rows a SELECT yields, in `columns` (the set-based planner's: its rows never pass
    through Python); rows whose idempotency key exists already are left alone. Returns the new rows."""
    into = upsert_insert(uow.session, Message)
    stmt = (
        into.from_select(list(columns), rows)
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
        .execution_options(preserve_rowcount=True)
    )
    return rowcount(uow.session.connection().execute(stmt))


def trail_ids(uow: UnitOfWork, texts: Iterable[str]) -> dict[str, int]:
    """The id of each trail (JSON text), stored once by its digest; new ones are added."""
    wanted = {hashlib.sha256(t.encode()).hexdigest(): t for t in set(texts)}
    if not wanted:
        return {}
    conn = uow.session.connection()
    table = Trail.__table__
    conn.execute(
        upsert_insert(uow.session, table).on_conflict_do_nothing(index_elements=["digest"]),
        [{"digest": d, "body": json.loads(t)} for d, t in wanted.items()],
    )
    found = conn.execute(select(table.c.digest, table.c.id).where(table.c.digest.in_(wanted))).all()
    return {wanted[d]: i for d, i in found}


# The columns of a message row as a planner writes it (both planners; see `enqueue_select`).
ROW_COLUMNS = (
    "idempotency_key",
    "campaign_id",
    "contact_id",
    "template_id",
    "purpose",
    "channel",
    "address",
    "status",
    "planned_action",
    "reason",
    "due_at",
    "trail_id",
    "attempts",
    "created_at",
    "updated_at",
    "variant",
    "run",
    "held",
    "buckets",
)
ROW_BASE = {
    "template_id": None,
    "reason": None,
    "attempts": 0,
    "variant": None,
    "run": 0,
    "held": None,
    "buckets": None,
    "trail_id": None,
}


def _enqueue_sqlite(uow: UnitOfWork, rows: Sequence[dict[str, Any]]) -> int:
    # sqlite3's executemany reports the rows it really inserted; conflicts count as none.
    return insert_rows(
        uow, Message.__table__, [{**ROW_BASE, **r} for r in rows], ROW_COLUMNS, skip_conflicts_on="idempotency_key"
    )


def hold(uow: UnitOfWork, campaign_id: int, why: str, now: datetime, rows: Sequence[int] | None = None) -> int:
    """Hold a campaign's queued messages (a pause), or some of them; claimed ones are held by the worker."""
    stmt = update(Message).where(Message.campaign_id == campaign_id, Message.status == S.QUEUED)
    if rows is not None:
        stmt = stmt.where(Message.id.in_(rows))
    stmt = stmt.values(status=S.HELD, held=why, updated_at=now).execution_options(synchronize_session=False)
    return rowcount(uow.session.execute(stmt))


def release(uow: UnitOfWork, campaign_id: int, why: str, now: datetime) -> int:
    """Queue again the campaign's messages held for `why`; each keeps its planned moment."""
    stmt = (
        update(Message)
        .where(Message.campaign_id == campaign_id, Message.status == S.HELD, Message.held == why)
        .values(status=S.QUEUED, held=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(uow.session.execute(stmt))


def release_as(
    uow: UnitOfWork, campaign_id: int, why: str, variant: str, templates: Sequence[tuple[str, int]], now: datetime
) -> int:
    """Queue again the messages held for `why` as `variant`: each takes the variant's template for its
    planned channel (else its first); the worker re-decides the channel among the variant's at send time."""
    first = templates[0][1]
    template = case(*((Message.channel == ch, t) for ch, t in templates), else_=first)
    stmt = (
        update(Message)
        .where(Message.campaign_id == campaign_id, Message.status == S.HELD, Message.held == why)
        .values(status=S.QUEUED, held=None, variant=variant, template_id=template, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(uow.session.execute(stmt))


def cancel(uow: UnitOfWork, campaign_id: int, now: datetime) -> int:
    """Cancel every message of the campaign that has not been handed to a provider."""
    stmt = (
        update(Message)
        .where(Message.campaign_id == campaign_id, Message.status.in_((S.QUEUED, S.HELD)))
        .values(status=S.CANCELLED, reason="cancelled", held=None, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    return rowcount(uow.session.execute(stmt))


def forget_contact(uow: UnitOfWork, contact_id: int, now: datetime) -> int:
    """A person was erased: their messages keep their counts but lose the address and any provider text,
    and what had not gone yet is cancelled. A message a worker holds in flight may still go."""
    waiting = (S.QUEUED, S.HELD)
    uow.session.execute(
        update(Message)
        .where(Message.contact_id == contact_id, Message.status.in_(waiting))
        .values(status=S.CANCELLED, reason="erased", updated_at=now)
    )
    stmt = update(Message).where(Message.contact_id == contact_id)
    return rowcount(uow.session.execute(stmt.values(address=None, error=None, provider_message_id=None)))


def move_contact(uow: UnitOfWork, from_id: int, to_id: int) -> int:
    """Contacts were merged: the ledger's messages of one become the other's (their keys stay as they were,
    so nothing is planned twice under the old key)."""
    return rowcount(uow.session.execute(update(Message).where(Message.contact_id == from_id).values(contact_id=to_id)))
