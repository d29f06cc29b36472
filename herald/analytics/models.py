"""Tables of the analytics room: the workspace's own alert rules, the alerts they raised, and the e-mails
telling of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from herald.db import Base, JSONType, UTCDateTime


class AlertRuleRow(Base):
    """A rule saved by the workspace: one of its own, or a default (alerts.toml) replaced or switched off
    under the same name."""

    __tablename__ = "alert_rules"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    definition: Mapped[dict[str, Any]] = mapped_column(JSONType)  # the rule's table, as alerting reads it
    active: Mapped[bool] = mapped_column(Boolean, server_default=true())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Alert(Base):
    """A rule broken by one subject (a campaign, a provider account, the workspace): open until a person
    resolves it; seen again while open, it is updated, not raised twice."""

    __tablename__ = "alerts"

    id: Mapped[int] = mapped_column(primary_key=True)
    rule: Mapped[str] = mapped_column(String(64))
    metric: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(160))  # "campaign Spring sale (12)", "account gateway"
    subject_kind: Mapped[str] = mapped_column(String(16))  # campaign | account | workspace
    subject_ref: Mapped[str | None] = mapped_column(String(64))  # the campaign's id, the account's name
    value: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str] = mapped_column(Text)
    action: Mapped[str] = mapped_column(String(16))  # notify | pause_campaign | pause_account
    done: Mapped[str | None] = mapped_column(Text)  # what Herald did about it, in words
    status: Mapped[str] = mapped_column(String(16))  # open | acknowledged | resolved
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime)  # the last evaluation that found it broken
    times: Mapped[int] = mapped_column(Integer, default=1)
    acknowledged_by: Mapped[str | None] = mapped_column(String(128))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by: Mapped[str | None] = mapped_column(String(128))
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str | None] = mapped_column(Text)
    notices: Mapped[list[AlertNotice]] = relationship(lazy="selectin", order_by="AlertNotice.id")


Index("ix_alerts_open", Alert.rule, Alert.subject_kind, Alert.subject_ref, Alert.status)


class AlertNotice(Base):
    """An alert to e-mail to one address: sent by the worker through the e-mail route, tried again a few
    times when the provider could not take it."""

    __tablename__ = "alert_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(320))
    status: Mapped[str] = mapped_column(String(16))  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime] = mapped_column(UTCDateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_alert_notices_due", AlertNotice.status, AlertNotice.next_at)


class TallyGroup(Base):
    """A campaign's figures for one combination of the keys its results break down by (channel, variant,
    region, carrier, sender, UTC hour sent, account, zones, cost currency), kept as messages change so
    that results read a few thousand of these instead of grouping every message (see `tallies`)."""

    __tablename__ = "tally_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str | None] = mapped_column(String(16))
    variant: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(2))
    carrier: Mapped[str | None] = mapped_column(String(128))
    sender: Mapped[str | None] = mapped_column(String(255))
    utc_hour: Mapped[str | None] = mapped_column(String(13))  # "2026-03-10 14"; None: not sent
    provider: Mapped[str | None] = mapped_column(String(32))
    timezone: Mapped[str | None] = mapped_column(String(64))
    phone_timezones: Mapped[str | None] = mapped_column(Text)
    cost_currency: Mapped[str | None] = mapped_column(String(3))
    messages: Mapped[int] = mapped_column(Integer, default=0)
    planned: Mapped[int] = mapped_column(Integer, default=0)
    sent: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[int] = mapped_column(Integer, default=0)
    read: Mapped[int] = mapped_column(Integer, default=0)
    clicked: Mapped[int] = mapped_column(Integer, default=0)
    converted: Mapped[int] = mapped_column(Integer, default=0)
    units: Mapped[int] = mapped_column(Integer, default=0)  # billed: SMS segments, else 1 per message sent
    reported_units: Mapped[int] = mapped_column(Integer, default=0)  # of which the vendor reported the cost
    reported: Mapped[str] = mapped_column(String(32), default="0")  # what they reported, exact decimal text


class Tallied(Base):
    """What one message adds to its campaign's tally now: its group and the stages it reached, kept so
    that when the message changes its old part is taken away exactly before its new one is added."""

    __tablename__ = "tallied"

    message_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    group_id: Mapped[int] = mapped_column(ForeignKey("tally_groups.id", ondelete="CASCADE"), index=True)
    stages: Mapped[int] = mapped_column(Integer)  # planned 1, sent 2, delivered 4, read 8, clicked 16, converted 32
    units: Mapped[int] = mapped_column(Integer)
    reported_units: Mapped[int] = mapped_column(Integer)
    reported: Mapped[str | None] = mapped_column(String(32))


class TallyMark(Base):
    """How far a campaign's tally has been folded: the last pass began at `folded_at`, when the newest
    click and conversion had the ids kept here. Passes read again from a little before (see `folding`)."""

    __tablename__ = "tally_marks"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    folded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # None until the first pass ends
    clicks_upto: Mapped[int] = mapped_column(Integer, default=0)
    conversions_upto: Mapped[int] = mapped_column(Integer, default=0)
    whole_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last pass over every message
