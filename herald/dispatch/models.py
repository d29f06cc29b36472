"""The dispatch room's table: each provider account's health, shared by every worker."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, UTCDateTime


class ProviderHealth(Base):
    __tablename__ = "provider_health"

    account: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0, nullable=False)  # account faults in a row
    open_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the circuit is open until then
    reason: Mapped[str | None] = mapped_column(Text)  # the last fault
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
