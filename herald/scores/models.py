"""The contact_scores table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, UTCDateTime


class ContactScore(Base):
    __tablename__ = "contact_scores"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    last_purchase: Mapped[datetime | None] = mapped_column(UTCDateTime)
    purchases: Mapped[int] = mapped_column(Integer, default=0)
    spent: Mapped[float] = mapped_column(Float, default=0.0)
    r: Mapped[int | None] = mapped_column(Integer)  # 1 (longest ago) … 5 (most recent); None: never bought
    f: Mapped[int | None] = mapped_column(Integer)
    m: Mapped[int | None] = mapped_column(Integer)
    stage: Mapped[str] = mapped_column(String(16), index=True)  # new | active | dormant | churned | potential
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
