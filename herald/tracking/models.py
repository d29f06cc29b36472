"""The tracking room's tables: every receipt a vendor sent, once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, UTCDateTime


class ReceiptRecord(Base):
    """A vendor's report of one message's delivery, kept once by the vendor's identity of the event (vendors
    retry for days and may send an event twice), with what applying it did."""

    __tablename__ = "receipts"
    __table_args__ = (UniqueConstraint("account", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(255))  # the vendor's identity of this event
    message_id: Mapped[int | None] = mapped_column(Integer)  # Herald's reference, when the vendor carried it
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    stage: Mapped[str] = mapped_column(String(16))  # sent | delivered | read | undelivered | failed
    code: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    fallback: Mapped[bool] = mapped_column(default=False, server_default=false())  # the channel cannot reach them
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # applied | waiting | stale | unmatched


_WAITING = text("outcome = 'waiting'")
Index("ix_receipts_waiting", ReceiptRecord.received_at, sqlite_where=_WAITING, postgresql_where=_WAITING)
