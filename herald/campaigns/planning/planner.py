"""The planner: stream the audience in id order, gather facts per batch, decide, and enqueue one outbox
row per recipient — to send now or later, held for the rollout, or skipped — each with its variant and
trail. Planning again inserts nothing for recipients already planned (the idempotency key), so a re-plan
only tops up newcomers. Preflight runs the same loop without writing (`write=False`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select

from herald import outbox, scores
from herald.campaigns.planning import assign
from herald.campaigns.planning.assign import Variant
from herald.campaigns.planning.facts import Interner, load_recipients
from herald.campaigns.planning.plans import Plan, PlanStats, idempotency_key
from herald.campaigns.planning.rows import HOLDOUT, RowMaker, Trails
from herald.campaigns.planning.schedule import next_local
from herald.contacts import Contact
from herald.db import UnitOfWork
from herald.rules import (
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

BATCH = 2000
SAMPLES = 3

ZERO = timedelta(0)


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
        at = next_local(now, p.local_time, r.timezones, p.local_day) if p.local_time else now + (p.delay or ZERO)
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
