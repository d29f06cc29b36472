"""The scores room's tables: contact scores and send-time profiles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, JSONType, UTCDateTime


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


class SendProfileHour(Base):
    """A contact's engagements (a read 1, a click or a reply 2) in one hour of the week, Monday 00:00 in
    their own time zone being hour 0; only the hours they engaged in have a row."""

    __tablename__ = "send_profile_hours"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    hour: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    weight: Mapped[float] = mapped_column(Float)


class SendPrior(Base):
    """A crowd's pattern: the shares of the 168 hours of the week over everyone's profiles (scope `all`)
    or a region's (`region:NP`), which thin profiles are pulled toward."""

    __tablename__ = "send_priors"

    scope: Mapped[str] = mapped_column(String(16), primary_key=True)
    shares: Mapped[list] = mapped_column(JSONType)
    people: Mapped[int] = mapped_column(Integer)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
