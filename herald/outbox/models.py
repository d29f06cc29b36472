"""The messages table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from herald.access import kind_of, seal_addresses
from herald.db import Base, JSONType, UTCDateTime


class Trail(Base):
    """A decision's trail, stored once however many messages share it: a million recipients of a
    campaign have a few thousand distinct trails."""

    __tablename__ = "trails"

    id: Mapped[int] = mapped_column(primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the JSON text
    body: Mapped[list[Any]] = mapped_column(JSONType)


class Message(Base):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(128), unique=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    template_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))  # None when skipped before a channel was chosen
    address: Mapped[str | None] = mapped_column(String(320))
    address_sealed: Mapped[str | None] = mapped_column(Text)  # with encryption at rest
    status: Mapped[str] = mapped_column(String(16))
    planned_action: Mapped[str] = mapped_column(String(8))  # send | defer | skip, as first decided
    reason: Mapped[str | None] = mapped_column(String(64))  # the rule that skipped, or the failure kind
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # The planning decision's trail, shared; the send-time re-decision's trail, when there is one, per row.
    trail_id: Mapped[int | None] = mapped_column(ForeignKey("trails.id"))
    send_trail: Mapped[list[Any] | None] = mapped_column("trail", JSONType)
    planned_trail: Mapped[Trail | None] = relationship(lazy="joined")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_token: Mapped[str | None] = mapped_column(String(36))
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider: Mapped[str | None] = mapped_column(String(32))
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    error_code: Mapped[str | None] = mapped_column(String(32))  # the vendor's own code for a failure
    avoid: Mapped[str | None] = mapped_column(String(64))  # channels that could not reach the person, comma-joined
    sender: Mapped[str | None] = mapped_column(String(255))  # the account's sender it went from, when it lists any
    # What the vendor reported after it took the message: sent | delivered | read | undelivered | failed.
    delivery: Mapped[str | None] = mapped_column(String(16))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the worker gave it to the provider: an opt-out recorded before this moment stops it; one recorded
    # after finds it already on its way.
    given_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    variant: Mapped[str | None] = mapped_column(String(16))
    run: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # a recurring campaign's run
    buckets: Mapped[str | None] = mapped_column(String(64))  # shared allowances it uses, comma-joined
    held: Mapped[str | None] = mapped_column(String(16))  # why a held row waits: paused | rollout
    units: Mapped[int | None] = mapped_column(Integer)  # what it is billed in: SMS segments, else 1 message
    # What its vendor said it cost (decimal text; "0" when not billed), else None: the price table estimates it.
    cost: Mapped[str | None] = mapped_column(String(32))
    cost_currency: Mapped[str | None] = mapped_column(String(3))
    # After a provider could not take it: when it stops being worth sending (set at its first retry).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def trail(self) -> list[Any]:
        """The latest decision's trail: the one made at send time, else the planner's."""
        if self.send_trail is not None:
            return self.send_trail
        return self.planned_trail.body if self.planned_trail is not None else []


Index("ix_messages_due", Message.status, Message.due_at)
Index("ix_messages_campaign_address", Message.campaign_id, Message.address)
# A campaign's messages in id order, a page after a given id: a whole pass of its tally reads it so, a
# thousand at a time, never holding a million ids (SQLite keeps row ids in every index; PostgreSQL needs
# the column named).
Index("ix_messages_campaign_message", Message.campaign_id, Message.id)
# A contact's messages by status and send time: a plan reads each recipient's sends the rules count (in
# flight, or sent lately) from this index alone, never the rows of every campaign that skipped them.
Index("ix_messages_contact", Message.contact_id, Message.status, Message.sent_at)
# Partial: what the senders' usage reads (sends and failures since a moment), without the queued rows.
_SENT, _FAILED = text("sent_at IS NOT NULL"), text("status = 'failed'")
Index("ix_messages_sent_at", Message.sent_at, sqlite_where=_SENT, postgresql_where=_SENT)
Index("ix_messages_failed", Message.status, Message.updated_at, sqlite_where=_FAILED, postgresql_where=_FAILED)
# A campaign's messages changed since a moment: what its kept figures (analytics' tallies) fold in next.
Index("ix_messages_campaign_changed", Message.campaign_id, Message.updated_at)
# Receipts name a message by the vendor's id when they carry no reference of Herald's.
Index("ix_messages_provider_message_id", Message.provider, Message.provider_message_id)


# A message's address is its contact's, sealed at rest as the contact's is (access.sealing.columns).
seal_addresses(Message, {"address": lambda m: m.channel and kind_of(m.channel)})
