"""Use cases of the dispatch room; the only writer of `provider_health` and `pacing_buckets`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from herald.db import UnitOfWork
from herald.dispatch.circuit import Health
from herald.dispatch.models import PacingBucket, ProviderHealth
from herald.dispatch.pacing import Bucket, Grant, Limits, reserve


def health_of(session: Session) -> dict[str, Health]:
    """Every account's health as the workers last recorded it (an account never recorded is healthy)."""
    return {
        h.account: Health(h.account, h.failures, h.open_until, h.reason)
        for h in session.scalars(select(ProviderHealth))
    }


def record_health(uow: UnitOfWork, health: Health, now: datetime) -> None:
    """Keep an account's health for every worker to see."""
    row = uow.session.get(ProviderHealth, health.account)
    if row is None:
        row = ProviderHealth(account=health.account)
        uow.session.add(row)
    row.failures, row.open_until, row.reason, row.updated_at = (
        health.failures,
        health.open_until,
        health.reason,
        now,
    )


def take(uow: UnitOfWork, key: str, limits: Limits, units: Sequence[int], now: datetime) -> Grant:
    """Reserve a batch's units from a shared pacing bucket: which messages may go now, and when the others
    may. The bucket's row is locked for the reservation, so workers on other machines wait their turn."""
    if not limits.paced:
        return reserve(limits, Bucket(key), units, now)
    insert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    uow.session.execute(insert(PacingBucket).values(key=key, used=0).on_conflict_do_nothing(index_elements=["key"]))
    row = uow.session.scalars(select(PacingBucket).where(PacingBucket.key == key).with_for_update()).one()
    grant = reserve(limits, Bucket(key, row.next_free, row.day, row.used), units, now)
    if grant.bucket is not None:
        row.next_free, row.day, row.used = grant.bucket.next_free, grant.bucket.day, grant.bucket.used
    return grant


def buckets(session: Session) -> dict[str, Bucket]:
    """Every pacing bucket as last recorded (for `herald providers status`)."""
    return {b.key: Bucket(b.key, b.next_free, b.day, b.used) for b in session.scalars(select(PacingBucket))}
