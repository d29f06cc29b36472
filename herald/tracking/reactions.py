"""What runs on events as they are stored — a reply, a click, a delivery, or a purchase the business
reports: the automatic tag rules, the campaigns sent on those events, and the deliveries to the webhooks
subscribed to their types. One place, so that every fact is seen the same way whichever room records it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald import autotag, campaigns
from herald.db import UnitOfWork
from herald.tracking.outbound import enqueue


def after_events(uow: UnitOfWork, rows: list[dict[str, Any]], now: datetime) -> None:
    """The automatic tag rules, the campaigns sent on them, and the webhook deliveries, of the events just
    stored."""
    autotag.on_events(uow, rows, now)
    campaigns.note_triggered(uow, rows, now)
    enqueue(uow, rows, now)
