"""The tracking room's tables: every receipt a vendor sent and every message a person sent in, once; the
answers owed to them; the complaints to handle."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column

from herald.access import kind_of, seal_addresses
from herald.db import IN_QUEUE, Base, JSONType, UTCDateTime


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
    price: Mapped[str | None] = mapped_column(String(32))  # what the vendor said the message cost
    currency: Mapped[str | None] = mapped_column(String(3))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))  # queued | applied | waiting | stale | unmatched


# A partial index's condition, which the queries over it say word for word (see `herald.db.claims`).
WAITING = text("outcome = 'waiting'")
Index("ix_receipts_waiting", ReceiptRecord.received_at, sqlite_where=WAITING, postgresql_where=WAITING)
# Kept by a callback's answer, to be applied by the worker in the order they came.
QUEUED_OUTCOME = "queued"
TO_APPLY = text("outcome = 'queued'")
Index("ix_receipts_queued", ReceiptRecord.id, sqlite_where=TO_APPLY, postgresql_where=TO_APPLY)


class InboundMessage(Base):
    """A message a person sent in — a reply, a STOP, a question — kept once by the vendor's identity of it,
    with what the classifier read in it and what Herald did. The conversation with a contact is these rows
    and the messages Herald sent them."""

    __tablename__ = "inbound_messages"
    __table_args__ = (UniqueConstraint("account", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    account: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(255))  # the vendor's identity of the message
    channel: Mapped[str] = mapped_column(String(16))
    contact_id: Mapped[int | None] = mapped_column(Integer)  # None: an address no contact has
    address: Mapped[str] = mapped_column(String(320))  # who sent it
    address_sealed: Mapped[str | None] = mapped_column(Text)  # with encryption at rest
    to: Mapped[str | None] = mapped_column(String(320))  # the number or id they wrote to
    text: Mapped[str] = mapped_column(Text)
    media: Mapped[list[str]] = mapped_column(JSONType, default=list)
    replied_to: Mapped[int | None] = mapped_column(Integer)  # Herald's message it answers, when known
    intent: Mapped[str] = mapped_column(String(16))  # stop | start | help | complaint | survey | other
    why: Mapped[str] = mapped_column(Text)  # the classifier's reason
    survey: Mapped[str | None] = mapped_column(String(16))  # the question it answers: nps | satisfaction | yes_no
    answer: Mapped[int | None] = mapped_column(Integer)  # a survey's answer
    sentiment: Mapped[str | None] = mapped_column(String(8))  # positive | neutral | negative
    sentiment_score: Mapped[float | None] = mapped_column(Float)  # −1 … 1
    reaction: Mapped[str | None] = mapped_column(Text)  # what Herald did, in words
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_inbound_messages_contact", InboundMessage.contact_id, InboundMessage.occurred_at)
Index("ix_inbound_messages_address", InboundMessage.address, InboundMessage.occurred_at)
Index("ix_inbound_messages_replied_to", InboundMessage.replied_to)  # a campaign's replies, in its results


class Reply(Base):
    """An answer Herald owes a person who wrote in: the STOP or START confirmation, the HELP text. Sent by
    the worker from the number they wrote to, however the rules stand (it answers them)."""

    __tablename__ = "replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    inbound_id: Mapped[int] = mapped_column(ForeignKey("inbound_messages.id", ondelete="CASCADE"), index=True)
    account: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    address_sealed: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(String(320))  # the number they wrote to
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # queued | sending | sent | failed
    provider_message_id: Mapped[str | None] = mapped_column(String(128))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when a worker took it to send
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


QUEUED = text("status IN ('queued', 'sending')")  # said word for word by the query over it, as WAITING
Index("ix_replies_queued", Reply.created_at, sqlite_where=QUEUED, postgresql_where=QUEUED)


class ComplaintCase(Base):
    """A complaint to handle within its deadline: from a reply the classifier read as one, or opened by a
    person. Assigned, answered and closed with a note."""

    __tablename__ = "complaint_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(Integer)
    inbound_id: Mapped[int | None] = mapped_column(ForeignKey("inbound_messages.id", ondelete="SET NULL"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(320))
    address_sealed: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16))  # reply | person
    status: Mapped[str] = mapped_column(String(16))  # open | answered | closed
    assignee: Mapped[str | None] = mapped_column(String(128))
    answer: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_complaint_cases_status_due", ComplaintCase.status, ComplaintCase.due_at)


class Link(Base):
    """A link in one message, as the short address it was sent as (`public_url/l/CODE`). Codes are random,
    never sequential: one tells nothing of another, and guessing finds nothing."""

    __tablename__ = "links"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    message_id: Mapped[int] = mapped_column(Integer, index=True)
    url: Mapped[str] = mapped_column(Text)  # where it leads
    position: Mapped[int] = mapped_column(Integer)  # its place among the message's links, from 0
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Click(Base):
    """A link followed: when, from what kind of device, and whether a person or a machine (a preview)."""

    __tablename__ = "clicks"

    id: Mapped[int] = mapped_column(primary_key=True)
    link_id: Mapped[int] = mapped_column(ForeignKey("links.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    human: Mapped[bool] = mapped_column()
    why: Mapped[str] = mapped_column(String(255))
    device: Mapped[str] = mapped_column(String(16))
    os: Mapped[str | None] = mapped_column(String(64))
    browser: Mapped[str | None] = mapped_column(String(64))
    # Who clicked, as a keyed digest of their address and agent: distinct devices per link (a forwarded
    # link is clicked by others), never the address itself.
    visitor: Mapped[str] = mapped_column(String(32))


Index("ix_clicks_message", Click.message_id, Click.at)
Index("ix_clicks_link_visitor", Click.link_id, Click.visitor)


class Open(Base):
    """A marketing mail's pixel loaded: by the person, or by a machine (Mail Privacy Protection, a proxy)."""

    __tablename__ = "opens"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    human: Mapped[bool] = mapped_column()
    why: Mapped[str] = mapped_column(String(255))
    device: Mapped[str] = mapped_column(String(16))


Index("ix_opens_message", Open.message_id, Open.at)


class Conversion(Base):
    """An order or a coupon redeemed, and the message it is credited to: the one that issued the coupon,
    else the contact's last click within the window, else none. Kept once per order id (or coupon)."""

    __tablename__ = "conversions"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int | None] = mapped_column(Integer, index=True)
    order_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    coupon: Mapped[str | None] = mapped_column(String(128))
    # Exact decimal text ("129.90"): summed as decimals, never as floating point.
    amount: Mapped[str | None] = mapped_column(String(32))
    currency: Mapped[str | None] = mapped_column(String(3))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    message_id: Mapped[int | None] = mapped_column(Integer, index=True)
    campaign_id: Mapped[int | None] = mapped_column(Integer, index=True)
    variant: Mapped[str | None] = mapped_column(String(16))
    channel: Mapped[str | None] = mapped_column(String(16))
    attribution: Mapped[str] = mapped_column(String(8))  # coupon | click | none
    source: Mapped[str] = mapped_column(String(16))  # api | event
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_conversions_coupon", Conversion.coupon)


class MailReport(Base):
    """A report a mail server sent back — a bounce or an abuse complaint — kept once, with what it did."""

    __tablename__ = "mail_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)  # the same report, delivered twice
    kind: Mapped[str] = mapped_column(String(16))  # hard | soft | complaint | delivered | unknown
    address: Mapped[str | None] = mapped_column(String(320), index=True)
    address_sealed: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str | None] = mapped_column(String(16))  # 5.1.1
    detail: Mapped[str | None] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(Integer)
    outcome: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookSubscription(Base):
    """A business's endpoint for events: what it wants (event types, `*` for all) and the secret its
    deliveries are signed with (Standard Webhooks)."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(Text)
    events: Mapped[list[str]] = mapped_column(JSONType)
    secret: Mapped[str] = mapped_column(String(80))  # whsec_…, shown once when made
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebhookDelivery(Base):
    """One event for one subscription: sent, retried with growing waits, and kept with its last failure."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"))
    event_type: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict] = mapped_column(JSONType)
    status: Mapped[str] = mapped_column(String(16))  # pending | sending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)  # the endpoint's HTTP status
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


Index("ix_webhook_deliveries_due", WebhookDelivery.next_at, sqlite_where=IN_QUEUE, postgresql_where=IN_QUEUE)
Index("ix_webhook_deliveries_subscription", WebhookDelivery.subscription_id, WebhookDelivery.id)


# Who wrote in, who is answered, who complained, whose mail bounced: sealed at rest (access.sealing.columns).
for _model in (InboundMessage, Reply, ComplaintCase):
    seal_addresses(_model, {"address": lambda row: row.channel and kind_of(row.channel)})
seal_addresses(MailReport, {"address": lambda row: "email"})
