"""A message no provider account may carry now: it waits while every account of its route that could carry
it is paused, and fails, saying why and where to look, when none could."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from herald import outbox
from herald.campaigns.prepared import BatchCounts
from herald.db import UnitOfWork
from herald.outbox import Claimed
from herald.providers import Routing

PAUSED_WAIT = timedelta(seconds=60)  # how soon a message whose accounts are all paused is tried again


@dataclass(frozen=True)
class Way:
    """Where a message would go: its channel and country, and the vendors whose approved template its
    version names."""

    channel: str
    region: str | None
    codes: frozenset[str]
    template: str
    pool: str | None = None  # the campaign's sender pool


def settle_unrouted(
    uow: UnitOfWork,
    item: Claimed,
    routing: Routing,
    way: Way,
    now: datetime,
    trail: list[Any],
    counts: BatchCounts,
) -> None:
    """Settle a message no account may carry now: it waits while every account of its route that could
    carry it is paused, and fails when none could (no route, or only accounts needing a vendor template)."""
    if routing.first(way.channel, way.region, codes=way.codes, pool=way.pool):
        why = f"every provider account that carries {way.channel} is paused after faults; trying again"
        counts.deferred += outbox.mark_retry(uow, item.id, item.token, now + PAUSED_WAIT, why, now, trail)
        return
    where = f" to {way.region}" if way.region else ""
    reason = f"no provider account carries {way.channel}{where}; see [routing] in docs/providers.md"
    if way.pool and routing.first(way.channel, way.region, codes=way.codes):
        names = ", ".join(routing.accounts_for(way.channel, way.region))
        reason = (
            f"no account of {way.channel}{where} ({names}) has a sender in pool {way.pool!r}; "
            "see senders in docs/providers.md"
        )
    elif routing.first(way.channel, way.region):
        names = ", ".join(routing.accounts_for(way.channel, way.region))
        reason = (
            f"{way.channel}{where} goes only through {names}, which send only templates their vendor approved, "
            f"and template {way.template} names none; see docs/providers.md"
        )
    counts.failed += outbox.mark_failed(uow, item.id, item.token, "unrouted", reason, now)
