"""What planning one run of a campaign needs (`Plan`) and what it counted (`PlanStats`); the idempotency key
that keeps each recipient planned once per run, and the message intent a variant makes."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from typing import Any

from herald.campaigns.models import Campaign
from herald.campaigns.planning.assign import Variant
from herald.rules import (
    Decider,
    MessageIntent,
    Usage,
)
from herald.scores import SendTimes
from herald.types import Channel, Purpose


@dataclass
class Plan:
    """What planning one run of a campaign needs; built by the campaigns service."""

    campaign: Campaign
    variants: tuple[Variant, ...]
    intents: dict[str, MessageIntent]  # per variant
    decider: Decider
    run: int = 0
    local_time: time | None = None
    local_day: date | None = None
    canary_percent: float | None = None  # the share queued first: a rollout's canary, an A/B test's share
    usage: Usage | None = None  # shared allowances, when the policy has capacity rules
    held_as: str = "rollout"  # why the rest is held: rollout | abtest
    best_within: int | None = None  # each recipient at their best time within these hours
    send_times: SendTimes | None = None  # the profiles and crowds' patterns the best times come from
    delay: timedelta | None = None  # a campaign sent on an event: each decided for this long after it came


@dataclass
class PlanStats:
    audience: int = 0
    new: int = 0
    already_planned: int = 0
    actions: Counter = field(default_factory=Counter)  # send | defer | skip, of the new rows
    skipped_by: Counter = field(default_factory=Counter)
    by_channel: Counter = field(default_factory=Counter)
    by_variant: Counter = field(default_factory=Counter)
    by_channel_region: Counter = field(default_factory=Counter)  # (channel, region) -> messages, for cost
    held_for_rollout: int = 0
    held_for_test: int = 0  # the rest of an A/B test's audience, until a winner is chosen
    curve_utc: Counter = field(default_factory=Counter)  # planned sends per UTC hour
    curve_local: Counter = field(default_factory=Counter)  # per hour of the day where the recipient is
    samples: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def as_dict(self) -> dict[str, Any]:
        return {
            "audience": self.audience,
            "new": self.new,
            "already_planned": self.already_planned,
            "send_now": self.actions["send"],
            "deferred": self.actions["defer"],
            "skipped": self.actions["skip"],
            "skipped_by": dict(self.skipped_by),
            "by_channel": dict(self.by_channel),
            "by_variant": dict(self.by_variant),
            "held_for_rollout": self.held_for_rollout,
            "held_for_test": self.held_for_test,
        }


def key_prefix(campaign_id: int, run: int = 0) -> str:
    """What a run's idempotency keys start with; the contact id follows."""
    return f"campaign:{campaign_id}:run:{run}:contact:" if run else f"campaign:{campaign_id}:contact:"


def idempotency_key(campaign_id: int, contact_id: int, run: int = 0) -> str:
    """The key that keeps a recipient planned once per run."""
    return f"{key_prefix(campaign_id, run)}{contact_id}"


def intent_for(
    campaign: Campaign,
    variant: Variant,
    template_category: str | None = None,
    template_status: str | None = None,
    usage: Usage | None = None,
) -> MessageIntent:
    return MessageIntent(
        purpose=Purpose(campaign.purpose),
        channels=tuple(Channel(c) for c in variant.channels),
        template_category=template_category,
        template_status=template_status,
        usage=usage,
    )
