"""Rows of the ledger written straight, for the results tests: a message that went (or failed) at a moment,
and a conversion."""

from __future__ import annotations

from datetime import datetime

from herald.outbox.models import Message
from herald.tracking.models import Conversion


def message(uow, key: str, contact: int, address: str, at: datetime, status: str = "sent", **more) -> Message:
    """A marketing SMS of `contact` to `address` that went (status sent) or failed at `at`."""
    fields = {
        "purpose": "marketing",
        "channel": "sms",
        "planned_action": "send",
        "attempts": 1,
        "provider": "gateway",
        **more,
    }
    row = Message(
        idempotency_key=key,
        contact_id=contact,
        address=address,
        status=status,
        due_at=at,
        created_at=at,
        updated_at=at,
        sent_at=at if status == "sent" else None,
        **fields,
    )
    uow.session.add(row)
    return row


def conversion(uow, contact: int, order: str, at: datetime, amount: str = "10", **more) -> Conversion:
    """An order of `contact` at `at` (credited to a message when `message_id` is given)."""
    fields = {"currency": "NPR", "attribution": "none", "source": "api", **more}
    row = Conversion(contact_id=contact, order_id=order, amount=amount, occurred_at=at, received_at=at, **fields)
    uow.session.add(row)
    return row
