"""The events table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, JSONType, UTCDateTime


class Event(Base):
    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    type: Mapped[str] = mapped_column(String(64))  # purchase, page_view, cart_abandoned, inquiry…
    properties: Mapped[dict] = mapped_column(JSONType, default=dict)  # amount, currency, product…
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    event_id: Mapped[str | None] = mapped_column(String(128), unique=True)  # the sender's id: sent twice, kept once
    source: Mapped[str] = mapped_column(String(32))  # api, import, python…
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Segments ask "did this contact do TYPE within N days, how often": contact first, then type and time.
Index("ix_events_contact_type_time", Event.contact_id, Event.type, Event.occurred_at)
Index("ix_events_type_time", Event.type, Event.occurred_at)
