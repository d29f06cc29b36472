"""The dispatch room's tables: each provider account's health and pacing bucket, shared by every worker,
and each contact's sticky sender."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, UTCDateTime


class ProviderHealth(Base):
    __tablename__ = "provider_health"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # account faults in a row
    open_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the circuit is open until then
    reason: Mapped[str | None] = mapped_column(Text)  # the last fault
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The last thing the vendor said of the account itself (WhatsApp: the number's quality and messaging
    # limit), whether or not it stops sending: shown by `providers status`, read by alerts.
    notice: Mapped[str | None] = mapped_column(Text)
    notice_event: Mapped[str | None] = mapped_column(String(40))  # the vendor's name for it (FLAGGED…)
    notice_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PacingBucket(Base):
    __tablename__ = "pacing_buckets"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)  # account:NAME or sender:ACCOUNT/NAME
    next_free: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the next unit may go
    day: Mapped[date | None] = mapped_column(Date)  # the UTC day `used` counts
    used: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # units granted that day


class StickySender(Base):
    """The sender a contact hears from on an account, per pool of senders: chosen at its first message,
    kept for the rest."""

    __tablename__ = "sticky_senders"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    pool: Mapped[str] = mapped_column(String(64), primary_key=True)  # "" for the unnamed pool
    sender: Mapped[str] = mapped_column(String(255))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime)
