"""The planner: stream the audience in id order, gather facts per batch, decide, and enqueue one outbox
row per recipient — to send now or later, held for the rollout, or skipped — each with its variant and
trail. Planning again inserts nothing for recipients already planned (the idempotency key), so a re-plan
only tops up newcomers. Preflight runs the same loop without writing (`write=False`)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from sqlalchemy import Select

from herald.campaigns import assign
from herald.campaigns.assign import Variant
from herald.campaigns.facts import Interner, load_recipients
from herald.campaigns.models import Campaign
from herald.campaigns.schedule import next_local
from herald.contacts.models import Contact
from herald.db import UnitOfWork
from herald.outbox import queries as outbox_queries
from herald.outbox import service as outbox
from herald.rules import Decision, Defer, MessageIntent, Recipient, RuleOutcome, Send, Skip, Verdict
from herald.rules.builtin.common import zone
from herald.rules.decision import trail_json
from herald.rules.memo import Decider
from herald.rules.usage import Usage
from herald.types import Channel, MessageStatus, Purpose

BATCH = 2000
SAMPLES = 3


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
    canary_percent: float | None = None
    usage: Usage | None = None  # shared allowances, when the policy has capacity rules


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
    curve_utc: Counter = field(default_factory=Counter)  # planned sends per UTC hour
    curve_local: Counter = field(default_factory=Counter)  # per hour of the day where the recipient is
    samples: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))

    def as_dict(self) -> dict[str, object]:
        return {"audience": self.audience, "new": self.new, "already_planned": self.already_planned,
                "send_now": self.actions["send"], "deferred": self.actions["defer"],
                "skipped": self.actions["skip"], "skipped_by": dict(self.skipped_by),
                "by_channel": dict(self.by_channel), "by_variant": dict(self.by_variant),
                "held_for_rollout": self.held_for_rollout}


def idempotency_key(campaign_id: int, contact_id: int, run: int = 0) -> str:
    if run:
        return f"campaign:{campaign_id}:run:{run}:contact:{contact_id}"
    return f"campaign:{campaign_id}:contact:{contact_id}"


def intent_for(campaign: Campaign, variant: Variant, template_category: str | None = None,
               template_status: str | None = None, usage: Usage | None = None) -> MessageIntent:
    return MessageIntent(purpose=Purpose(campaign.purpose), channels=tuple(Channel(c) for c in variant.channels),
                         template_category=template_category, template_status=template_status, usage=usage)


HOLDOUT = (RuleOutcome("holdout", Channel.SMS, Verdict.SKIP, "in the campaign's hold-out control group: "
                       "kept back on purpose to measure the campaign's effect"),)


class Trails:
    """Each distinct decision's trail, serialized once and stored once (see `outbox.trail_ids`)."""

    def __init__(self, uow: UnitOfWork, write: bool) -> None:
        self.uow, self.write = uow, write
        self.texts: dict[int, tuple[Decision, str]] = {}
        self.ids: dict[str, int] = {}

    def text(self, decision: Decision) -> str:
        found = self.texts.get(id(decision))
        if found is None:
            if len(self.texts) > 5_000:
                self.texts.clear()
            # The decision is kept with its text so that its id is not reused while cached.
            found = self.texts[id(decision)] = (decision, json.dumps(trail_json(decision), ensure_ascii=False))
        return found[1]

    def ids_for(self, texts: list[str]) -> list[int | None]:
        """Trail ids for a batch's trails, storing the ones not seen before."""
        if not self.write:
            return [None] * len(texts)
        if len(self.ids) > 5_000:
            self.ids.clear()
        missing = {t for t in texts if t not in self.ids}
        if missing:
            self.ids.update(outbox.trail_ids(self.uow, missing))
        return [self.ids[t] for t in texts]


def plan(uow: UnitOfWork, p: Plan, audience: Select, now: datetime, progress: Callable[[int], None] | None = None,
         write: bool = True) -> PlanStats:
    """Decide for every recipient of the audience and enqueue the results (or only count them)."""
    stats, last, intern, trails = PlanStats(), 0, Interner(), Trails(uow, write)
    while True:
        ids = list(uow.session.scalars(audience.where(Contact.id > last).limit(BATCH)))
        if not ids:
            return stats
        last = ids[-1]
        recipients = load_recipients(uow.session, ids, now, intern)
        decided = [(cid, *_decide(p, recipients[cid], now)) for cid in ids]
        rows = _rows(uow, p, decided, recipients, now, trails)
        new = outbox.enqueue(uow, rows) if write else len(rows)
        stats.audience += len(ids)
        stats.new += new
        stats.already_planned += len(ids) - new
        if new == len(ids):  # exact attribution is only possible when nothing was already planned
            _count(stats, rows, decided, recipients)
        if progress:
            progress(len(ids))


def _decide(p: Plan, r: Recipient, now: datetime) -> tuple[Variant | None, Decision]:
    campaign = p.campaign
    if campaign.holdout_percent and assign.within(campaign.holdout_percent, campaign.id, r.contact_id, assign.HOLDOUT):
        return None, Skip("holdout", HOLDOUT)
    variant = p.variants[0] if len(p.variants) == 1 else assign.pick(p.variants, campaign.id, r.contact_id)
    at = next_local(now, p.local_time, r.timezones, p.local_day) if p.local_time else now
    decision = p.decider(r, p.intents[variant.name], at)
    if p.usage is not None and not isinstance(decision, Skip):
        # The next recipient must see the allowance this one takes. (A row later skipped as a duplicate
        # address keeps its share: the plan errs on the side of sending less.)
        _record_usage(p.usage, decision)
    return variant, decision


def _rows(uow: UnitOfWork, p: Plan, decided: Sequence, recipients: dict[int, Recipient], now: datetime,
          trails: Trails) -> list[dict]:
    """One outbox row per decision; a second contact at an address already planned is skipped."""
    wanted = [recipients[cid].addresses[d.channel] for cid, _, d in decided if not isinstance(d, Skip)]
    taken = outbox_queries.addresses_taken(uow.session, p.campaign.id, p.run, wanted)
    rows = []
    for cid, variant, decision in decided:
        address = None if isinstance(decision, Skip) else recipients[cid].addresses[decision.channel]
        owner = taken.setdefault(address, cid) if address else cid
        if owner != cid:
            decision = _duplicate(decision, owner)
            address = None
        rows.append(_row(p, cid, variant, decision, address, now, trails))
    for row, trail_id in zip(rows, trails.ids_for([r.pop("trail") for r in rows]), strict=True):
        row["trail_id"] = trail_id
    return rows


def _duplicate(decision: Send | Defer, owner: int) -> Skip:
    outcome = RuleOutcome("dedupe", decision.channel, Verdict.SKIP,
                          f"contact {owner} gets this campaign at the same {decision.channel} address")
    return Skip("dedupe", (*decision.trail, outcome))


def _record_usage(usage: Usage, decision: Send | Defer) -> None:
    """Later recipients of this plan must see the allowance this one takes."""
    when = decision.at if isinstance(decision, Send) else decision.until
    for bucket in decision.buckets:
        usage.record(bucket, when)


def _row(p: Plan, cid: int, variant: Variant | None, decision: Decision, address: str | None, now: datetime,
         trails: Trails) -> dict[str, object]:
    c = p.campaign
    channel = None if isinstance(decision, Skip) else decision.channel.value
    status, held = MessageStatus.QUEUED, None
    if isinstance(decision, Skip):
        status = MessageStatus.SKIPPED
    elif p.canary_percent is not None and not assign.within(p.canary_percent, c.id, cid, assign.CANARY):
        status, held = MessageStatus.HELD, "rollout"
    template = variant.template_for(channel) if variant and channel else (variant or p.variants[0]).templates[0][1]
    return {
        "idempotency_key": idempotency_key(c.id, cid, p.run), "campaign_id": c.id, "contact_id": cid,
        "template_id": template, "purpose": c.purpose, "channel": channel, "address": address, "status": status,
        "planned_action": decision.action, "reason": getattr(decision, "reason", None),
        "due_at": decision.until if isinstance(decision, Defer) else getattr(decision, "at", now),
        "trail": trails.text(decision), "attempts": 0, "created_at": now, "updated_at": now,
        "variant": variant.name if variant else None, "run": p.run, "held": held,
        "buckets": ",".join(decision.buckets) if not isinstance(decision, Skip) and decision.buckets else None,
    }


def _count(stats: PlanStats, rows: list[dict], decided: Sequence, recipients: dict[int, Recipient]) -> None:
    for row, (cid, _, decision) in zip(rows, decided, strict=True):
        action, reason = row["planned_action"], row["reason"]
        stats.actions[action] += 1
        if reason:
            stats.skipped_by[reason] += 1
        stats.held_for_rollout += row["held"] == "rollout"
        stats.by_variant[row["variant"] or "hold-out"] += 1
        key = f"{action}:{reason}" if reason else action
        if len(stats.samples[key]) < SAMPLES:
            stats.samples[key].append({"contact": cid, "action": action, "channel": row["channel"],
                                       "due_at": row["due_at"], "reason": reason,
                                       "trail": trail_json(decision)})
        if row["channel"]:
            stats.by_channel[row["channel"]] += 1
            stats.by_channel_region[(row["channel"], recipients[cid].region)] += 1
            due = row["due_at"].astimezone(UTC)
            stats.curve_utc[due.strftime("%Y-%m-%d %H:00")] += 1
            zones = recipients[cid].timezones
            local = due.astimezone(zone(zones[0]) or UTC) if zones else due
            stats.curve_local[local.hour] += 1
