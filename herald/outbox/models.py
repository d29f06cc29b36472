"""The messages table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, JSONType, UTCDateTime


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    template_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))  # None when skipped before a channel was chosen
    address: Mapped[str | None] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16))
    planned_action: Mapped[str] = mapped_column(String(8))  # send | defer | skip, as first decided
    reason: Mapped[str | None] = mapped_column(String(64))  # the rule that skipped, or the failure kind
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    trail: Mapped[list] = mapped_column(JSONType)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    variant: Mapped[str | None] = mapped_column(String(16))
    run: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # a recurring campaign's run
    buckets: Mapped[str | None] = mapped_column(String(64))  # shared allowances it uses, comma-joined
    held: Mapped[str | None] = mapped_column(String(16))  # why a held row waits: paused | rollout


Index("ix_messages_due", Message.status, Message.due_at)
Index("ix_messages_campaign_address", Message.campaign_id, Message.address)
