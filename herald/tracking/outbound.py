"""Outbound webhooks: a business subscribes an endpoint to event types (`message.clicked`,
`message.opted_out`, `purchase`, `*` for all), and every such event is delivered to it as JSON, signed
the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,…` over
`id.timestamp.body` with the subscription's secret). The worker delivers; an endpoint that fails (no
answer, or anything but 2xx) is tried again after 1, 2, 4 … minutes (at most 6 hours apart), ten times in
all, then the delivery is failed — and every attempt's outcome stays visible."""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from herald.db import UnitOfWork, take_due
from herald.errors import Invalid, NotFound
from herald.tracking.models import WebhookDelivery, WebhookSubscription

TYPE = re.compile(r"\*|[a-z][a-z0-9_.:-]{0,63}")
ATTEMPTS = 10
LONGEST_WAIT = timedelta(hours=6)
STUCK = timedelta(minutes=10)  # a delivery taken by a worker that died is taken again after this


@dataclass(frozen=True)
class Due:
    """A delivery to make now."""

    id: int
    url: str
    secret: str
    payload: dict[str, Any]


def add_webhook(
    uow: UnitOfWork, url: str, events: Sequence[str], now: datetime, description: str | None = None
) -> WebhookSubscription:
    """A new subscription, with its secret (shown this once: keep it to check the signatures)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid(f"expected an http(s) address, got {url!r}", where="url")
    wanted = sorted({e.strip() for e in events if e.strip()})
    if not wanted:
        raise Invalid("name the event types to deliver (message.clicked, …), or * for all", where="events")
    for event in wanted:
        if not TYPE.fullmatch(event):
            raise Invalid(f"{event!r} is not an event type", where="events")
    secret = "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()
    found = WebhookSubscription(url=url, events=wanted, secret=secret, description=description, created_at=now)
    uow.session.add(found)
    uow.flush()
    return found


def remove_webhook(uow: UnitOfWork, subscription_id: int) -> None:
    """Remove a subscription and its deliveries."""
    found = uow.session.get(WebhookSubscription, subscription_id)
    if found is None:
        raise NotFound(f"no webhook subscription {subscription_id}")
    uow.session.delete(found)


def list_webhooks(uow: UnitOfWork) -> list[WebhookSubscription]:
    """Every subscription, oldest first."""
    return list(uow.session.scalars(select(WebhookSubscription).order_by(WebhookSubscription.id)))


def enqueue(uow: UnitOfWork, rows: Sequence[dict[str, Any]], now: datetime) -> int:
    """A delivery of each event to each active subscription that wants its type; how many."""
    wanting = [s for s in list_webhooks(uow) if s.active]
    deliveries = [
        {
            "subscription_id": s.id,
            "event_type": row["type"],
            "payload": _payload(row),
            "status": "pending",
            "attempts": 0,
            "next_at": now,
            "created_at": now,
        }
        for row in rows
        for s in wanting
        if "*" in s.events or row["type"] in s.events
    ]
    if deliveries:
        uow.session.execute(WebhookDelivery.__table__.insert(), deliveries)
    return len(deliveries)


def _payload(row: dict[str, Any]) -> dict[str, Any]:
    at = row["occurred_at"]
    data = {"contact_id": row["contact_id"], "event_id": row.get("event_id"), "properties": row.get("properties") or {}}
    return {"type": row["type"], "timestamp": at.isoformat() if isinstance(at, datetime) else str(at), "data": data}


def deliveries_due(uow: UnitOfWork, now: datetime, limit: int = 100) -> list[Due]:
    """Take the deliveries due now, each by one worker alone (marked `sending` as it is read)."""
    d = WebhookDelivery
    rows = take_due(uow, d, now, STUCK, limit, d.id, d.subscription_id, d.payload)
    subs = {s.id: s for s in list_webhooks(uow)}
    return sorted((Due(i, subs[s].url, subs[s].secret, p) for i, s, p in rows if s in subs), key=lambda d: d.id)


def delivered(uow: UnitOfWork, delivery_id: int, status: int, now: datetime) -> None:
    """The endpoint took it (2xx)."""
    found = uow.session.get(WebhookDelivery, delivery_id)
    if found is not None:
        found.status, found.last_status, found.delivered_at, found.last_error = "delivered", status, now, None
        found.attempts += 1


def not_delivered(uow: UnitOfWork, delivery_id: int, status: int | None, error: str, now: datetime) -> None:
    """The endpoint did not take it: tried again after a growing wait, failed after ATTEMPTS."""
    found = uow.session.get(WebhookDelivery, delivery_id)
    if found is None:
        return
    found.attempts += 1
    found.last_status, found.last_error = status, error[:500]
    if found.attempts >= ATTEMPTS:
        found.status = "failed"
        return
    found.status, found.next_at = "pending", now + min(timedelta(minutes=2 ** (found.attempts - 1)), LONGEST_WAIT)


def list_deliveries(
    uow: UnitOfWork, status: str | None = None, subscription_id: int | None = None, limit: int = 100
) -> list[WebhookDelivery]:
    """The latest deliveries, newest first: by state (pending, delivered, failed), by subscription."""
    stmt: Any = select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(limit)
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if subscription_id is not None:
        stmt = stmt.where(WebhookDelivery.subscription_id == subscription_id)
    return list(uow.session.scalars(stmt))
