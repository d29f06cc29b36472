"""Request and response shapes of the campaigns room, shared by the API and the CLI's --json."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from herald.campaigns.models import Campaign
from herald.shapes import Shape


class VariantIn(BaseModel):
    name: str
    weight: float
    templates: list[str] = Field(description="Template names or ids, in the order channels are tried.")


class CampaignIn(BaseModel):
    name: str
    segment: str | None = Field(None, description="Audience expression; or give contacts.")
    templates: list[str] = Field([], description="One variant: templates in fallback order.")
    variants: list[VariantIn] = []
    contacts: list[int] = Field([], description="A static audience of contact ids.")
    exclude_segment: str | None = None
    exclude_campaigns: list[str] = []
    holdout_percent: float = 0.0
    purpose: str = "marketing"
    preset: str = "default"
    overrides: dict[str, dict[str, Any]] = {}
    rollout: dict[str, Any] | None = None
    sender_pool: str | None = None  # send only from the accounts' senders in this pool
    ab_test: dict[str, Any] | None = Field(
        None,
        description="An A/B test phase: metric (delivered, read, click, conversion, revenue), test_percent, "
        "hold_minutes, min_sample, confidence (0.5-0.999), method (bayes or z; welch for revenue), "
        "if_no_winner (control, split, pause).",
    )


class ScheduleIn(BaseModel):
    at: str | None = Field(None, description="ISO-8601 moment with offset.")
    local_time: str | None = Field(None, description="HH:MM in each recipient's zone.")
    on: str | None = Field(None, description="With local_time: YYYY-MM-DD.")
    cron: str | None = None
    zone: str = "UTC"
    best_within: int | None = Field(None, description="Each recipient at their best time within these hours.")
    on_event: str | None = Field(
        None, description="Sent to each contact of the segment who does this event from now on (purchase, signup)."
    )
    delay: str | None = Field(None, description="With on_event: how long after it (30m, 2h, 3d).")
    once: bool = Field(False, description="With on_event: a contact gets it once, however often they do it.")
    of_campaign: str | None = Field(
        None, description="With a message.* on_event: only the events of that campaign's messages (id or name)."
    )


class Trigger(BaseModel):
    """What a campaign scheduled on an event is sent on."""

    event: str
    delay_minutes: int
    once: bool
    campaign: int | None = Field(None, description="Only the events of this campaign's messages.")
    campaign_name: str | None = None


def campaign_out(c: Campaign) -> dict[str, Any]:
    return {
        "id": c.id,
        "name": c.name,
        "status": c.status,
        "status_reason": c.status_reason,
        "segment": c.segment,
        "purpose": c.purpose,
        "preset": c.preset,
        "overrides": c.policy_overrides,
        "variants": c.variants,
        "holdout_percent": c.holdout_percent,
        "exclude_segment": c.exclude_segment,
        "exclude_campaigns": c.exclude_campaigns,
        "schedule": c.schedule,
        "next_run_at": c.next_run_at,
        "local_time": c.local_time,
        "best_within": c.best_within,
        "cron": c.cron,
        "cron_zone": c.cron_zone,
        "trigger": c.trigger,
        "runs": c.runs,
        "rollout": c.rollout,
        "ab_test": c.experiment,
        "audience": c.audience_size,
        "started_at": c.started_at,
        "finished_at": c.finished_at,
        "sender_pool": c.sender_pool,
    }


class CampaignOut(Shape):
    id: int
    name: str
    status: str
    status_reason: str | None
    segment: str | None
    purpose: str
    preset: str
    overrides: dict[str, Any]
    variants: list[Any]
    holdout_percent: float
    exclude_segment: str | None
    exclude_campaigns: list[Any]
    schedule: str | None
    next_run_at: datetime | None
    local_time: str | None
    best_within: int | None = None
    cron: str | None
    cron_zone: str | None
    trigger: Trigger | None = None
    runs: int
    rollout: dict[str, Any] | None
    ab_test: dict[str, Any] | None = None
    audience: int | None
    started_at: datetime | None
    finished_at: datetime | None
    sender_pool: str | None = None


class Touched(CampaignOut):
    messages: int = Field(description="Messages the action held, released or cancelled.")


class Planned(Shape):
    """What a start or a newcomers run decided: new rows by what happens to them."""

    campaign: int
    audience: int = 0
    new: int = 0
    already_planned: int = 0
    send_now: int = 0
    deferred: int = 0
    skipped: int = 0
    skipped_by: dict[str, int] = {}
    by_channel: dict[str, int] = {}
    by_variant: dict[str, int] = {}
    held_for_rollout: int = 0
    held_for_test: int = 0


class Started(Planned):
    changed: bool = Field(description="False when the campaign had started already: nothing was done.")
    status: str | None = None


class Newcomers(Planned):
    queued: bool = Field(description="False: only counted; confirm=true queues them.")


class Preflight(Shape):
    campaign: int
    name: str
    status: str
    preset: str
    blocking: list[str] = Field(description="What must be fixed before it may start; empty when ready.")
    templates: dict[str, Any]
    audience: int | None = None
    decisions: dict[str, int] | None = None
    skipped_by: dict[str, int] | None = None
    by_channel: dict[str, int] | None = None
    by_variant: dict[str, int] | None = None
    held_for_rollout: int | None = None
    held_for_test: int | None = None
    curve_utc: dict[str, int] | None = None
    curve_local: dict[str, int] | None = None
    samples: dict[str, list[dict[str, Any]]] | None = None
    cost: dict[str, Any] | None = None
    jurisdictions: list[dict[str, Any]] | None = Field(
        None,
        description="Presets other than the campaign's that speak for some recipients (by their numbers' "
        "countries and the channel): whom, the rules in which they differ, and what the templates break "
        "under their lint.",
    )


class NotSent(Shape):
    status: str
    reason: str | None
    count: int
    example: str | None


class Why(Shape):
    campaign: int
    by_status: dict[str, int]
    not_sent: list[NotSent]


class Report(Shape):
    campaign: dict[str, Any]
    audience: int
    planned: dict[str, int]
    status: dict[str, int]
    sent: int
    delivery: dict[str, int]  # how far the sent got, by their receipts: delivered, read, sent, undelivered …
    clicks: dict[str, Any] = {}  # people's clicks (total, unique, by device, forward coefficient), machines'
    opens: dict[str, int] = {}  # people's opens of marketing mail, and machines' (Mail Privacy Protection)
    replies: dict[str, int] = {}  # replies to the campaign by what they asked: stop, help, other …
    reply_sentiment: dict[str, int] = {}  # the replies by sentiment: positive, neutral, negative
    mail_reports: dict[str, int] = {}  # bounces (hard, soft) and abuse complaints mail servers sent back
    surveys: dict[str, Any] = {}  # answers to the question the messages asked: NPS, satisfaction, yes/no
    conversions: dict[str, Any] = {}  # orders credited to it: count, revenue by currency, by variant, by channel
    deferred: dict[str, Any]
    waiting_on_lease: dict[str, Any]
    skipped_by_reason: dict[str, int]
    failed_by_reason: dict[str, int]
    ab: dict[str, Any] = {}  # an A/B/n campaign's variants side by side, and the verdict of each rate
    ab_test: dict[str, Any] | None = None  # the A/B test phase: settings, state and verdict


class Explained(Shape):
    contact: int
    status: str
    action: str | None
    planned_action: str
    channel: str | None
    due_at: datetime | None
    sent_at: datetime | None
    reason: str | None
    trail: list[dict[str, Any]]
    text: str
