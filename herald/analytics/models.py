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
