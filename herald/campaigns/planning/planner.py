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
from typing import Any

from sqlalchemy import Select

from herald import outbox, scores
from herald.campaigns.models import Campaign
from herald.campaigns.planning import assign
from herald.campaigns.planning.assign import Variant
from herald.campaigns.planning.facts import Interner, load_recipients
from herald.campaigns.planning.schedule import next_local
from herald.contacts import Contact
from herald.db import UnitOfWork
from herald.rules import (
    Decider,
    Decision,
    Defer,
    MessageIntent,
    Recipient,
    RuleOutcome,
    Send,
    Skip,
    Usage,
    Verdict,
    trail_json,
    zone,
)
from herald.scores import SendTimes
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
    canary_percent: float | None = None  # the share queued first: a rollout's canary, an A/B test's share
    usage: Usage | None = None  # shared allowances, when the policy has capacity rules
    held_as: str = "rollout"  # why the rest is held: rollout | abtest
    best_within: int | None = None  # each recipient at their best time within these hours
    send_times: SendTimes | None = None  # the profiles and crowds' patterns the best times come from


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


HOLDOUT = (
    RuleOutcome(
        "holdout",
        Channel.SMS,
        Verdict.SKIP,
        "in the campaign's hold-out control group: kept back on purpose to measure the campaign's effect",
    ),
)


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


def plan(
    uow: UnitOfWork,
    p: Plan,
    audience: Select,
    now: datetime,
    progress: Callable[[int], None] | None = None,
    write: bool = True,
) -> PlanStats:
    """Decide for every recipient of the audience and enqueue the results (or only count them)."""
    stats, last, intern = PlanStats(), 0, Interner()
    make = RowMaker(p, now, Trails(uow, write))
    while True:
        ids = list(uow.session.scalars(audience.where(Contact.id > last).limit(BATCH)))
        if not ids:
            return stats
        last = ids[-1]
        stats.audience += len(ids)
        # Contacts this run has already planned are left as they are: not decided again, so they take no
        # second share of a sender's allowance, and the counts below are those of the new rows alone.
        fresh = _not_planned(uow, p, ids)
        stats.already_planned += len(ids) - len(fresh)
        if not fresh:
            if progress:
                progress(len(ids))
            continue
        recipients = load_recipients(uow.session, fresh, now, intern)
        shares = _shares(uow, p, fresh, recipients)
        decided = [(cid, *_decide(p, cid, recipients[cid], now, shares.get(cid))) for cid in fresh]
        rows = _rows(uow, make, decided, recipients)
        new = outbox.enqueue(uow, rows) if write else len(rows)
        stats.new += new
        stats.already_planned += len(rows) - new  # planned meanwhile by another process
        if new == len(rows):
            _count(stats, rows, decided, recipients, detail=not write)
        if progress:
            progress(len(ids))


def _not_planned(uow: UnitOfWork, p: Plan, ids: list[int]) -> list[int]:
    keys = {idempotency_key(p.campaign.id, cid, p.run): cid for cid in ids}
    taken = outbox.keys_taken(uow.session, list(keys))
    return [cid for key, cid in keys.items() if key not in taken] if taken else ids


def _shares(uow: UnitOfWork, p: Plan, ids: list[int], recipients: dict[int, Recipient]) -> dict[int, list[float]]:
    """The chunk's send-time profiles, when the campaign goes at each person's best time."""
    if p.send_times is None:
        return {}
    return p.send_times.shares(uow.session, ids, {cid: recipients[cid].region for cid in ids})


def _decide(
    p: Plan, cid: int, r: Recipient, now: datetime, shares: list[float] | None = None
) -> tuple[Variant | None, Decision]:
    campaign = p.campaign
    if campaign.holdout_percent and assign.within(campaign.holdout_percent, campaign.id, cid, assign.HOLDOUT):
        return None, Skip("holdout", HOLDOUT)
    variant = p.variants[0] if len(p.variants) == 1 else assign.pick(p.variants, campaign.id, cid)
    if shares is not None and p.best_within:
        decision = _at_best_time(p, r, p.intents[variant.name], now, shares, p.best_within)
    else:
        at = next_local(now, p.local_time, r.timezones, p.local_day) if p.local_time else now
        decision = p.decider(r, p.intents[variant.name], at)
    if p.usage is not None and not isinstance(decision, Skip):
        # The next recipient must see the allowance this one takes. (A row later skipped as a duplicate
        # address keeps its share: the plan errs on the side of sending less.)
        _record_usage(p.usage, decision)
    return variant, decision


def _at_best_time(
    p: Plan, r: Recipient, intent: MessageIntent, now: datetime, shares: list[float], within: int
) -> Decision:
    """The decision at the recipient's best hour within the span that the rules allow as it is: hours are
    tried from the largest share down; an hour the rules would defer (quiet hours, a send window) is passed
    over. When the rules allow none of them, the decision is the one made now (deferred as they say)."""
    start = now.astimezone(zone(r.timezones[0]) or UTC) if r.timezones else now
    for moment in scores.ranked(shares, start, within):
        decision = p.decider(r, intent, moment)
        if not isinstance(decision, Defer):
            return decision  # a send at that moment, or a skip no moment would change
    return p.decider(r, intent, now)


def _rows(uow: UnitOfWork, make: RowMaker, decided: Sequence, recipients: dict[int, Recipient]) -> list[dict]:
    """One outbox row per decision; a second contact at an address already planned is skipped."""
    wanted = [recipients[cid].addresses[d.channel] for cid, _, d in decided if not isinstance(d, Skip)]
    taken = outbox.addresses_taken(uow.session, make.campaign_id, make.run, wanted)
    rows = []
    for cid, variant, decision in decided:
        address = None if isinstance(decision, Skip) else recipients[cid].addresses[decision.channel]
        owner = taken.setdefault(address, cid) if address else cid
        if owner != cid:
            decision = _duplicate(decision, owner)
            address = None
        rows.append(make(cid, variant, decision, address))
    for row, trail_id in zip(rows, make.trails.ids_for([r.pop("trail") for r in rows]), strict=True):
        row["trail_id"] = trail_id
    return rows


def _duplicate(decision: Send | Defer, owner: int) -> Skip:
    outcome = RuleOutcome(
        "dedupe",
        decision.channel,
        Verdict.SKIP,
        f"contact {owner} gets this campaign at the same {decision.channel} address",
    )
    return Skip("dedupe", (*decision.trail, outcome))


def _record_usage(usage: Usage, decision: Send | Defer) -> None:
    """Later recipients of this plan must see the allowance this one takes."""
    when = decision.at if isinstance(decision, Send) else decision.until
    for bucket in decision.buckets:
        usage.record(bucket, when)


class RowMaker:
    """Outbox rows of one plan; what every row shares is read from the campaign once."""

    def __init__(self, p: Plan, now: datetime, trails: Trails) -> None:
        c = p.campaign
        self.campaign_id, self.purpose, self.run, self.now, self.trails = c.id, c.purpose, p.run, now, trails
        self.canary, self.held_as = p.canary_percent, p.held_as
        # Per variant: channel -> template, and None -> its first template (for skipped rows).
        self.templates = {v.name: {**dict(v.templates), None: v.templates[0][1]} for v in p.variants}
        self.first_template = p.variants[0].templates[0][1]

    def __call__(self, cid: int, variant: Variant | None, decision: Decision, address: str | None) -> dict:
        now = self.now
        status, held, reason, due, buckets, channel = MessageStatus.SKIPPED, None, None, now, None, None
        if isinstance(decision, Skip):
            reason = decision.reason
        else:
            status, channel = MessageStatus.QUEUED, str(decision.channel)
            due = decision.until if isinstance(decision, Defer) else decision.at
            buckets = ",".join(decision.buckets) or None
            if self.canary is not None and not assign.within(self.canary, self.campaign_id, cid, assign.CANARY):
                status, held = MessageStatus.HELD, self.held_as
        template = self.templates[variant.name][channel] if variant else self.first_template
        return {
            "idempotency_key": idempotency_key(self.campaign_id, cid, self.run),
            "campaign_id": self.campaign_id,
            "contact_id": cid,
            "template_id": template,
            "purpose": self.purpose,
            "channel": channel,
            "address": address,
            "status": status,
            "planned_action": decision.action,
            "reason": reason,
            "due_at": due,
            "trail": self.trails.text(decision),
            "attempts": 0,
            "created_at": now,
            "updated_at": now,
            "variant": variant.name if variant else None,
            "run": self.run,
            "held": held,
            "buckets": buckets,
        }


def _count(
    stats: PlanStats, rows: list[dict], decided: Sequence, recipients: dict[int, Recipient], detail: bool
) -> None:
    """The plan's counts; with `detail` (preflight) also cost groups, send curves and samples."""
    stats.actions.update(r["planned_action"] for r in rows)
    stats.skipped_by.update(r["reason"] for r in rows if r["reason"])
    stats.held_for_rollout += sum(r["held"] == "rollout" for r in rows)
    stats.held_for_test += sum(r["held"] == "abtest" for r in rows)
    stats.by_variant.update(r["variant"] or "hold-out" for r in rows)
    stats.by_channel.update(r["channel"] for r in rows if r["channel"])
    if detail:
        _detail(stats, rows, decided, recipients)


def _detail(stats: PlanStats, rows: list[dict], decided: Sequence, recipients: dict[int, Recipient]) -> None:
    for row, (cid, _, decision) in zip(rows, decided, strict=True):
        action, reason = row["planned_action"], row["reason"]
        key = f"{action}:{reason}" if reason else action
        if len(stats.samples[key]) < SAMPLES:
            stats.samples[key].append(
                {
                    "contact": cid,
                    "action": action,
                    "channel": row["channel"],
                    "due_at": row["due_at"],
                    "reason": reason,
                    "trail": trail_json(decision),
                }
            )
        if row["channel"]:
            stats.by_channel_region[(row["channel"], recipients[cid].region)] += 1
            due = row["due_at"].astimezone(UTC)
            stats.curve_utc[due.strftime("%Y-%m-%d %H:00")] += 1
            zones = recipients[cid].timezones
            local = due.astimezone(zone(zones[0]) or UTC) if zones else due
            stats.curve_local[local.hour] += 1
