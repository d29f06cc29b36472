"""What the tracking room asks of contacts when a person writes in: who wrote (by the address they wrote
from) and, on WhatsApp, that their customer-service window opened."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update

from herald.access import sealer_of
from herald.contacts.models import Contact
from herald.db import UnitOfWork
from herald.types import Channel


def contact_at(uow: UnitOfWork, channel: Channel, address: str) -> int | None:
    """The contact with this address on the channel (the oldest, should two share it), or None."""
    column = Contact.email if channel is Channel.EMAIL else Contact.phone
    key = sealer_of(uow.session).channel_key(channel.value, address)
    stmt = select(Contact.id).where(column == key, Contact.erased_at.is_(None)).order_by(Contact.id).limit(1)
    return uow.session.scalar(stmt)


def note_inbound(uow: UnitOfWork, contact_id: int, channel: Channel, at: datetime) -> None:
    """Record that the contact wrote in at `at`: on WhatsApp it opens the 24-hour window (never moved back
    by a message that arrives late)."""
    if channel is not Channel.WHATSAPP:
        return
    later = or_(Contact.whatsapp_inbound_at.is_(None), Contact.whatsapp_inbound_at < at)
    stmt = update(Contact).where(Contact.id == contact_id, later).values(whatsapp_inbound_at=at)
    uow.session.execute(stmt.execution_options(synchronize_session=False))
