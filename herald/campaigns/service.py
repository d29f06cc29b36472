"""Use cases of the campaigns room; the only writer of `campaigns` and `campaign_members`."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select, update

from herald import content, outbox, segments
from herald.campaigns import deadends, experiment, rollout, states
from herald.campaigns.measuring import check_test
from herald.campaigns.models import Campaign, CampaignMember
from herald.campaigns.planning import assign, bulk, planner, runs, schedule
from herald.contacts import Contact
from herald.db import UnitOfWork, rowcount
from herald.errors import Conflict, HeraldError, Invalid, NotFound
from herald.rules import ConsentFact, MessageIntent, Recipient, Skip, decide, load_policy
from herald.types import CampaignStatus as C
from herald.types import Channel, Purpose, as_id

policy_of = runs.policy_of


@dataclass(frozen=True)
class Audience:
    """Who a campaign is for, besides its segment: a static list, exclusions and a hold-out share."""

    contacts: tuple[int, ...] = ()
    exclude_segment: str | None = None
    exclude_campaigns: tuple[str | int, ...] = ()
    holdout_percent: float = 0.0


def create_campaign(
    uow: UnitOfWork,
    name: str,
    segment: str,
    template: str | int | Sequence[str | int],
    now: datetime,
    *,
    purpose: Purpose = Purpose.MARKETING,
    preset: str = "default",
    overrides: Mapping[str, Any] | None = None,
    variants: Sequence[tuple[str, float, Sequence[str | int]]] = (),
    audience: Audience = Audience(),
    rollout_settings: Mapping[str, Any] | None = None,
    sender_pool: str | None = None,
    pools: Collection[str] = (),
    test_settings: Mapping[str, Any] | None = None,
    tracks_links: bool = False,
) -> Campaign:
    """Create a draft campaign after checking its audience, templates, variants, policy, sender pool (one
    of `pools`, those the provider accounts' senders are in) and A/B test (its metric one the variants can
    measure; clicks only where Herald `tracks_links`)."""
    if not name.strip():
        raise Invalid("a name is required", where="campaign")
    if uow.session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise Conflict(f"campaign {name!r} already exists")
    if not audience.contacts:
        segments.audience_select(uow.session, segment)
    if audience.exclude_segment:
        segments.audience_select(uow.session, audience.exclude_segment)
    chain = [template] if isinstance(template, str | int) else list(template)
    built = _variants(uow, variants or [("A", 100.0, chain)])
    assign.percent(audience.holdout_percent, "hold-out", 0, 50)
    excluded = [get_campaign(uow, ref).id for ref in audience.exclude_campaigns]
    if sender_pool is not None and sender_pool not in pools:
        known = ", ".join(sorted(pools)) or "none: list senders with pools under [providers.NAME]"
        raise Invalid(f"no provider account has a sender in pool {sender_pool!r} (pools: {known})", where="sender pool")
    policy = load_policy(preset, overrides)
    check_feasible(policy, built, purpose)
    test = check_test(uow, built, test_settings, tracks_links, rollout_settings) if test_settings is not None else None
    first_channel, first_template = built[0].templates[0]
    campaign = Campaign(
        name=name,
        segment=segment if not audience.contacts else f"list of {len(audience.contacts)} contacts",
        template_id=first_template,
        channel=first_channel,
        purpose=purpose.value,
        preset=preset,
        policy_overrides=dict(overrides or {}),
        status=C.DRAFT,
        created_at=now,
        variants=[v.as_dict() for v in built],
        holdout_percent=audience.holdout_percent,
        exclude_segment=audience.exclude_segment,
        exclude_campaigns=excluded,
        static_list=bool(audience.contacts),
        rollout=rollout.check(rollout_settings) if rollout_settings else None,
        sender_pool=sender_pool,
        experiment=test,
    )
    uow.session.add(campaign)
    uow.flush()
    if audience.contacts:
        _add_members(uow, campaign, audience.contacts)
    return campaign


def _variants(uow: UnitOfWork, specs: Sequence[tuple[str, float, Sequence[str | int]]]) -> tuple[assign.Variant, ...]:
    built = []
    for name, weight, refs in specs:
        templates: dict[str, int] = {}
        for ref in refs:
            t = content.get_template(uow, ref)
            if t.channel in templates:
                raise Invalid(
                    f"variant {name} has two {t.channel} templates; give one per channel, in the order "
                    "channels are tried",
                    where="variants",
                )
            templates[t.channel] = t.id
        built.append(assign.Variant(name, weight, tuple(templates.items())))
    assign.check_variants(built)
    return tuple(built)


def _add_members(uow: UnitOfWork, campaign: Campaign, ids: Sequence[int]) -> None:
    unique = sorted(set(ids))
    found = set(uow.session.scalars(select(Contact.id).where(Contact.id.in_(unique))))
    missing = [i for i in unique if i not in found]
    if missing:
        shown = ", ".join(map(str, missing[:10])) + (" …" if len(missing) > 10 else "")
        raise NotFound(f"{len(missing)} listed contact(s) do not exist: {shown}")
    uow.session.execute(insert(CampaignMember), [{"campaign_id": campaign.id, "contact_id": i} for i in unique])


PROBE_AT = datetime(2026, 1, 5, 12, tzinfo=UTC)  # a Monday noon: a policy with no moment at all shows anyway


def check_feasible(policy, variants: Sequence[assign.Variant], purpose: Purpose, now: datetime = PROBE_AT) -> None:
    """Refuse a policy that would skip even an ideal recipient (consent with proof on every channel, a
    mobile number on the allow-list, nothing sent lately, a reply just now): its windows leave no moment."""
    granted = tuple(
        ConsentFact(ch, p, "granted", now - timedelta(days=1), "form", True) for ch in Channel for p in Purpose
    )
    probe = Recipient(
        None,
        {Channel.SMS: "+442071838750", Channel.WHATSAPP: "+442071838750", Channel.EMAIL: "probe@example.com"},
        ("UTC",),
        None,
        "mobile",
        granted,
        last_inbound={Channel.WHATSAPP: now},
        allow_listed=frozenset(Channel),
    )
    for variant in variants:
        intent = MessageIntent(purpose, tuple(Channel(c) for c in variant.channels))
        decision = decide(probe, intent, policy, now)
        if isinstance(decision, Skip):
            why = next(o for o in decision.trail if o.verdict == "skip")
            raise Invalid(f"the policy leaves no moment to send: {why.rule} — {why.detail}", where="policy")


def get_campaign(uow: UnitOfWork, ref: str | int) -> Campaign:
    """A campaign by id or name, or NotFound."""
    number = as_id(ref)
    stmt = (
        select(Campaign).where(Campaign.id == number)
        if number is not None
        else select(Campaign).where(Campaign.name == str(ref))
    )
    campaign = uow.session.scalar(stmt)
    if campaign is None:
        raise NotFound(f"campaign {ref!r} does not exist")
    return campaign


STARTED = (C.RUNNING, C.PAUSED, C.COMPLETED)


def plan_campaign(
    uow: UnitOfWork, ref: str | int, now: datetime, progress: Callable[[int], None] | None = None
) -> planner.PlanStats | None:
    """Start the campaign now: decide for its audience and queue the messages. A campaign started already
    is left as it is (None): people who joined its segment since are taken in by `plan_newcomers`."""
    campaign = get_campaign(uow, ref)
    if campaign.status in STARTED:
        return None
    status = states.move(campaign.status, "start", campaign.name)
    stats = _run(uow, campaign, now, campaign.runs, progress, status)
    dead_end = deadends.nobody_receives(stats.actions["send"] + stats.actions["defer"], stats.skipped_by)
    if dead_end:  # the caller's unit of work rolls back: the campaign stays as it was, to be started once fixed
        raise Conflict(f"campaign {campaign.name!r} was not started: {dead_end}")
    return stats


def plan_newcomers(
    uow: UnitOfWork, ref: str | int, now: datetime, *, write: bool, progress: Callable[[int], None] | None = None
) -> planner.PlanStats:
    """People who joined a started campaign's audience since it was planned: decided and, with `write`,
    queued (without it only counted, for the operator to confirm)."""
    campaign = get_campaign(uow, ref)
    states.move(campaign.status, "add-newcomers", campaign.name)
    plan = runs.build_plan(uow, campaign, now, campaign.runs)
    stats = planner.plan(uow, plan, runs.audience(uow, campaign, now), now, progress, write=write)
    if write:
        campaign.audience_size = max(campaign.audience_size or 0, stats.audience)
    return stats


def _run(
    uow: UnitOfWork, campaign: Campaign, now: datetime, run: int, progress: Callable[[int], None] | None, status: str
) -> planner.PlanStats:
    plan = runs.build_plan(uow, campaign, now, run)
    how = bulk.plan if bulk.applies(uow, plan) else planner.plan
    stats = how(uow, plan, runs.audience(uow, campaign, now), now, progress)
    if stats.audience == 0 and run == 0:  # nothing was written; the caller's unit of work rolls back anyway
        raise Invalid(f"the audience {campaign.segment!r} matches no contacts", where=f"campaign {campaign.name!r}")
    campaign.status, campaign.planned_at = status, now
    campaign.started_at = campaign.started_at or now
    campaign.audience_size = max(campaign.audience_size or 0, stats.audience)
    if campaign.rollout and campaign.rollout.get("state") == "canary" and campaign.rollout_check_at is None:
        campaign.rollout_check_at = now + timedelta(minutes=campaign.rollout["hold_minutes"])
    test = campaign.experiment or {}
    if test.get("state") == "testing" and campaign.experiment_check_at is None:
        campaign.experiment_check_at = now + timedelta(minutes=test["hold_minutes"])
    return stats


def schedule_campaign(
    uow: UnitOfWork,
    ref: str | int,
    now: datetime,
    *,
    at: datetime | None = None,
    local_time: str | None = None,
    on: date | None = None,
    cron: str | None = None,
    zone: str = "UTC",
    best_within: int | None = None,
) -> Campaign:
    """Schedule a draft: at a moment, at a local wall time per recipient (on a day or the next one), on a
    cron expression in a zone (each run evaluates the audience anew), or at each recipient's best time
    within `best_within` hours of a moment (now unless `at`)."""
    campaign = get_campaign(uow, ref)
    if best_within is not None:
        return _schedule_best(campaign, now, best_within, at, local_time or cron)
    given = [x for x in (at, local_time, cron) if x is not None]
    if len(given) != 1:
        raise Invalid("give exactly one of --at, --local-time or --cron", where="schedule")
    status = states.move(campaign.status, "schedule", campaign.name)
    schedule.zone(zone, "--zone")
    if at is not None:
        if at < now:
            raise Invalid(f"{at.isoformat()} is in the past", where="--at")
        campaign.schedule, campaign.start_at, campaign.next_run_at = "at", at, at
    elif local_time is not None:
        schedule.wall_time(local_time, "--local-time")
        if on is not None and on < now.date() - timedelta(days=1):
            raise Invalid(f"{on.isoformat()} is in the past", where="--on")
        campaign.schedule, campaign.local_time, campaign.next_run_at = "local", local_time, now
        campaign.start_at = datetime.combine(on, datetime.min.time(), tzinfo=UTC) if on else None
    elif cron is not None:
        if campaign.experiment:
            raise Invalid("a recurring campaign cannot have an A/B test phase; test on a one-off campaign", "--cron")
        campaign.schedule, campaign.cron, campaign.cron_zone = "cron", schedule.check_cron(cron), zone
        campaign.next_run_at = schedule.next_run(cron, zone, now)
    campaign.status = status
    return campaign


def _schedule_best(campaign: Campaign, now: datetime, within: int, at: datetime | None, other: str | None) -> Campaign:
    if other:
        raise Invalid("a best time goes with --at or alone, not with --local-time or --cron", where="--best-time")
    if not 1 <= within <= 168:
        raise Invalid(f"expected from 1 to 168 hours (a week), got {within}", where="--best-time")
    if at is not None and at < now:
        raise Invalid(f"{at.isoformat()} is in the past", where="--at")
    status = states.move(campaign.status, "schedule", campaign.name)
    campaign.schedule, campaign.best_within, campaign.start_at = "best", within, at
    campaign.next_run_at, campaign.status = at or now, status
    return campaign


def pause_campaign(uow: UnitOfWork, ref: str | int, now: datetime, reason: str = "paused by an operator") -> int:
    """Pause: every queued message waits, unsent, until resume. Returns how many were held."""
    campaign = get_campaign(uow, ref)
    campaign.status, campaign.status_reason = states.move(campaign.status, "pause", campaign.name), reason
    return outbox.hold(uow, campaign.id, C.PAUSED, now)


def resume_campaign(uow: UnitOfWork, ref: str | int, now: datetime) -> int:
    """Resume: held messages are queued again at their planned moment (the rules re-decide at send time)."""
    campaign = get_campaign(uow, ref)
    status = states.move(campaign.status, "resume", campaign.name)
    campaign.status = C.SCHEDULED if campaign.started_at is None else status
    campaign.status_reason = None
    if campaign.rollout and campaign.rollout.get("state") == "paused":
        # An operator resuming after a guardrail tripped lets the rest go.
        campaign.rollout = {**campaign.rollout, "state": "released"}
        outbox.release(uow, campaign.id, "rollout", now)
    if campaign.experiment and campaign.experiment.get("state") == "undecided":
        # Resumed without choosing a winner: the rest get the variants by their weights.
        campaign.experiment = {**campaign.experiment, "state": "decided", "note": "resumed without a winner"}
        outbox.release(uow, campaign.id, "abtest", now)
    return outbox.release(uow, campaign.id, C.PAUSED, now)


def cancel_campaign(uow: UnitOfWork, ref: str | int, now: datetime) -> int:
    """Cancel: nothing more is sent; messages already with a provider are left to finish."""
    campaign = get_campaign(uow, ref)
    campaign.status = states.move(campaign.status, "cancel", campaign.name)
    campaign.next_run_at, campaign.finished_at = None, now
    return outbox.cancel(uow, campaign.id, now)


def clone_campaign(uow: UnitOfWork, ref: str | int, name: str, now: datetime) -> Campaign:
    """A new draft with the same audience, content, policy, schedule kind and rollout."""
    source = get_campaign(uow, ref)
    if uow.session.scalar(select(Campaign.id).where(Campaign.name == name)) is not None:
        raise Conflict(f"campaign {name!r} already exists")
    keep = (
        "segment",
        "template_id",
        "channel",
        "purpose",
        "preset",
        "policy_overrides",
        "variants",
        "holdout_percent",
        "exclude_segment",
        "exclude_campaigns",
        "static_list",
        "sender_pool",
    )
    copy = Campaign(
        name=name, status=C.DRAFT, created_at=now, cloned_from=source.id, **{k: getattr(source, k) for k in keep}
    )
    if source.rollout:
        copy.rollout = {**source.rollout, "state": "canary"}
    if source.experiment:  # the same test, not yet run
        copy.experiment = {k: v for k, v in source.experiment.items() if k not in experiment.KEPT}
        copy.experiment["state"] = "testing"
    uow.session.add(copy)
    uow.flush()
    if source.static_list:
        members = uow.session.scalars(select(CampaignMember.contact_id).where(CampaignMember.campaign_id == source.id))
        _add_members(uow, copy, list(members))
    return copy


def tick(uow: UnitOfWork, now: datetime) -> list[str]:
    """The scheduler's beat (the worker calls it): start due runs, judge rollouts, complete finished
    campaigns. Returns what happened, one line each."""
    events = []
    due = select(Campaign).where(Campaign.status.in_((C.SCHEDULED, C.RUNNING)), Campaign.next_run_at <= now)
    for campaign in uow.session.scalars(due).all():
        events.append(_due_run_or_pause(uow, campaign, now))
    checks = select(Campaign).where(Campaign.status == C.RUNNING, Campaign.rollout_check_at <= now)
    for campaign in uow.session.scalars(checks).all():
        events.append(_judge_rollout(uow, campaign, now))
    for campaign in uow.session.scalars(select(Campaign).where(Campaign.status == C.RUNNING)).all():
        if _finished(uow, campaign):
            campaign.status, campaign.finished_at = states.move(campaign.status, "complete", campaign.name), now
            events.append(f"{campaign.name}: completed")
    return events


def _due_run_or_pause(uow: UnitOfWork, campaign: Campaign, now: datetime) -> str:
    """A run that cannot start (its template lost approval, its audience is empty) pauses its campaign
    with the reason, instead of stopping the worker; what it had written is rolled back."""
    try:
        with uow.session.begin_nested():
            return _due_run(uow, campaign, now)
    except HeraldError as exc:
        campaign.status, campaign.status_reason, campaign.next_run_at = C.PAUSED, f"could not start: {exc}", None
        return f"{campaign.name}: paused — could not start: {exc}"


def _due_run(uow: UnitOfWork, campaign: Campaign, now: datetime) -> str:
    run = campaign.runs + 1 if campaign.schedule == "cron" else 0
    stats = _run(uow, campaign, now, run, None, C.RUNNING)
    campaign.runs = max(campaign.runs, run)
    cron, zone = campaign.cron, campaign.cron_zone or "UTC"  # a cron schedule is always stored with its zone
    campaign.next_run_at = schedule.next_run(cron, zone, now) if cron else None
    return f"{campaign.name}: run {run} planned for {stats.audience} recipients"


def _judge_rollout(uow: UnitOfWork, campaign: Campaign, now: datetime) -> str:
    settings = campaign.rollout or {}  # judged only for campaigns that have a rollout
    sent, failed, opted = outbox.settled_counts(uow.session, campaign.id)
    done = outbox.pending(uow.session, campaign.id, include_held=False) == 0
    action, why = rollout.verdict(settings, sent, failed, opted, done)
    if action == "wait":
        campaign.rollout_check_at = now + timedelta(minutes=5)
        return f"{campaign.name}: rollout waits — {why}"
    campaign.rollout_check_at = None
    if action == "pause":
        campaign.rollout = {**settings, "state": "paused"}
        pause_campaign(uow, campaign.id, now, f"rollout guardrail: {why}")
        return f"{campaign.name}: paused — {why}"
    campaign.rollout = {**settings, "state": "released"}
    released = outbox.release(uow, campaign.id, "rollout", now)
    return f"{campaign.name}: rollout continues to {released} more recipients — {why}"


def _finished(uow: UnitOfWork, campaign: Campaign) -> bool:
    if campaign.schedule == "cron" or campaign.rollout_check_at is not None or campaign.experiment_check_at:
        return False
    return outbox.pending(uow.session, campaign.id) == 0


def move_members(uow: UnitOfWork, from_id: int, to_id: int) -> int:
    """Contacts were merged: static lists that held one hold the other."""
    had = select(CampaignMember.campaign_id).where(CampaignMember.contact_id == to_id)
    moved = rowcount(
        uow.session.execute(
            update(CampaignMember)
            .where(CampaignMember.contact_id == from_id, CampaignMember.campaign_id.not_in(had))
            .values(contact_id=to_id)
        )
    )
    uow.session.execute(delete(CampaignMember).where(CampaignMember.contact_id == from_id))
    return moved
