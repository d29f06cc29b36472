"""Use cases of the dispatch room; the only writer of `provider_health`."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.db import UnitOfWork
from herald.dispatch.circuit import Health
from herald.dispatch.models import ProviderHealth


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
