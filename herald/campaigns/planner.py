"""The planner: stream the audience in id order, gather facts per batch, decide, and enqueue one outbox
row per recipient — to send now, deferred, or skipped — each with its trail. Planning again inserts
nothing for recipients already planned (the idempotency key), so a re-plan only tops up newcomers."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select

from herald.campaigns.facts import load_recipients
from herald.campaigns.models import Campaign
from herald.contacts.models import Contact
from herald.db import UnitOfWork
from herald.outbox import service as outbox
from herald.rules import Decision, Defer, MessageIntent, Policy, Send, decide
from herald.rules.decision import trail_json
from herald.types import Channel, MessageStatus, Purpose

BATCH = 1000


@dataclass
class PlanStats:
    audience: int = 0
    new: int = 0
    already_planned: int = 0
    actions: Counter = field(default_factory=Counter)  # send | defer | skip, of the new rows
    skipped_by: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict[str, object]:
        return {"audience": self.audience, "new": self.new, "already_planned": self.already_planned,
                "send_now": self.actions["send"], "deferred": self.actions["defer"],
                "skipped": self.actions["skip"], "skipped_by": dict(self.skipped_by)}


def idempotency_key(campaign_id: int, contact_id: int) -> str:
    return f"campaign:{campaign_id}:contact:{contact_id}"


def intent_for(campaign: Campaign, template_category: str | None = None,
               template_status: str | None = None) -> MessageIntent:
    return MessageIntent(purpose=Purpose(campaign.purpose), channels=(Channel(campaign.channel),),
                         template_category=template_category, template_status=template_status)


def message_row(campaign: Campaign, contact_id: int, decision: Decision, recipient_addresses: dict,
                now: datetime) -> dict[str, object]:
    """The outbox row that records one planning decision."""
    channel = decision.channel if isinstance(decision, Send | Defer) else None
    return {
        "idempotency_key": idempotency_key(campaign.id, contact_id), "campaign_id": campaign.id,
        "contact_id": contact_id, "template_id": campaign.template_id, "purpose": campaign.purpose,
        "channel": channel and channel.value, "address": channel and recipient_addresses.get(channel),
        "status": MessageStatus.SKIPPED if decision.action == "skip" else MessageStatus.QUEUED,
        "planned_action": decision.action, "reason": getattr(decision, "reason", None),
        "due_at": decision.until if isinstance(decision, Defer) else now, "trail": trail_json(decision),
        "attempts": 0, "created_at": now, "updated_at": now,
    }


def plan(uow: UnitOfWork, campaign: Campaign, audience: Select, policy: Policy, now: datetime,
         progress: Callable[[int], None] | None = None, intent: MessageIntent | None = None) -> PlanStats:
    """Decide for every recipient of the audience and enqueue the results."""
    stats, intent, last = PlanStats(), intent or intent_for(campaign), 0
    while True:
        ids = list(uow.session.scalars(audience.where(Contact.id > last).limit(BATCH)))
        if not ids:
            return stats
        last = ids[-1]
        recipients = load_recipients(uow.session, ids, now)
        rows = []
        for contact_id in ids:
            decision = decide(recipients[contact_id], intent, policy, now)
            rows.append(message_row(campaign, contact_id, decision, recipients[contact_id].addresses, now))
        new = outbox.enqueue(uow, rows)
        stats.audience += len(ids)
        stats.new += new
        stats.already_planned += len(ids) - new
        if new == len(ids):  # exact attribution is only possible when nothing was already planned
            stats.actions.update(r["planned_action"] for r in rows)
            stats.skipped_by.update(r["reason"] for r in rows if r["reason"])
        if progress:
            progress(len(ids))
