"""The dispatch room's tables: each provider account's health and pacing bucket, shared by every worker."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, UTCDateTime


class ProviderHealth(Base):
    __tablename__ = "provider_health"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # account faults in a row
    open_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the circuit is open until then
    reason: Mapped[str | None] = mapped_column(Text)  # the last fault
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PacingBucket(Base):
    __tablename__ = "pacing_buckets"

    key: Mapped[str] = mapped_column(String(96), primary_key=True)  # account:NAME (later sender:NAME)
    next_free: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the next unit may go
    day: Mapped[date | None] = mapped_column(Date)  # the UTC day `used` counts
    used: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # units granted that day
