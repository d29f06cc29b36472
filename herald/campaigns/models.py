"""Tables of the campaigns room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column

from herald.db import Base, JSONType, UTCDateTime


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128), unique=True)
    segment: Mapped[str] = mapped_column(Text)
    template_id: Mapped[int] = mapped_column(ForeignKey("templates.id"), index=True)  # variant A's first channel
    channel: Mapped[str] = mapped_column(String(16))  # the first channel tried
    purpose: Mapped[str] = mapped_column(String(16))
    preset: Mapped[str] = mapped_column(String(64))
    policy_overrides: Mapped[dict] = mapped_column(JSONType, default=dict)
    # draft | scheduled | running | paused | completed | cancelled
    status: Mapped[str] = mapped_column(String(16))
    status_reason: Mapped[str | None] = mapped_column(Text)
    audience_size: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"name": "A", "weight": 50, "templates": [["whatsapp", 3], ["sms", 4]]}], channels in the order tried.
    # Pairs, not an object: PostgreSQL's JSONB does not keep the order of an object's keys.
    variants: Mapped[list] = mapped_column(JSONType, default=list, server_default=text("'[]'"))
    holdout_percent: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    exclude_segment: Mapped[str | None] = mapped_column(Text)
    # Their recipients are left out.
    exclude_campaigns: Mapped[list] = mapped_column(JSONType, default=list, server_default=text("'[]'"))
    # The audience is campaign_members, not the segment.
    static_list: Mapped[bool] = mapped_column(default=False, server_default=false())
    # now | at | local | cron | best (each recipient at their best time within best_within hours) | event
    schedule: Mapped[str] = mapped_column(String(8), default="now", server_default="now")
    start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    local_time: Mapped[str | None] = mapped_column(String(5))  # HH:MM in each recipient's zone
    best_within: Mapped[int | None] = mapped_column(Integer)  # schedule best: hours within which each gets it
    cron: Mapped[str | None] = mapped_column(String(128))
    cron_zone: Mapped[str | None] = mapped_column(String(64))
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    runs: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Schedule event: {"event": "purchase", "delay_minutes": 60, "once": false}; who did it waits in
    # campaign_triggers for the scheduler's next beat.
    trigger: Mapped[dict | None] = mapped_column(JSONType)
    # {"canary_percent": 10, "hold_minutes": 60, "max_failure_rate": 0.05, "max_optout_rate": 0.01}
    rollout: Mapped[dict | None] = mapped_column(JSONType)
    rollout_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An A/B test phase: {"metric": "click", "test_percent": 20, "hold_minutes": 240, ..., "state": "testing"};
    # when decided, also its winner, the reason and the figures it was judged on (campaigns.abtests.experiment).
    experiment: Mapped[dict | None] = mapped_column(JSONType)
    experiment_check_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cloned_from: Mapped[int | None] = mapped_column(Integer)
    sender_pool: Mapped[str | None] = mapped_column(String(64))  # its messages go only from senders in this pool


class CampaignMember(Base):
    """A static audience: the contacts listed when the campaign was made."""

    __tablename__ = "campaign_members"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True)


class CampaignTrigger(Base):
    """A contact who did the event a campaign is sent on, written in the same transaction as the event, and
    taken (then deleted) by the scheduler's next beat. Rows, not a high-water mark of event ids: on
    PostgreSQL an event with a lower id can commit after one with a higher, and would be passed over."""

    __tablename__ = "campaign_triggers"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    run: Mapped[int | None] = mapped_column(Integer)  # the run that took it, until that run is planned


Index("ix_campaign_triggers_campaign_id", CampaignTrigger.campaign_id, CampaignTrigger.id)
