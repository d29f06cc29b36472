"""A campaign's life after its draft: started (planned and queued), scheduled, paused, resumed and
cancelled; each move checked against the states it may leave."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import Select

from herald import outbox
from herald.campaigns import deadends, states
from herald.campaigns.models import Campaign
from herald.campaigns.planning import bulk, planner, plans, runs, schedule
from herald.campaigns.service.drafts import get_campaign
from herald.campaigns.service.triggers import forget_triggered, refuse_start, schedule_on_event
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid
from herald.types import CampaignStatus as C

STARTED = (C.RUNNING, C.PAUSED, C.COMPLETED)


def plan_campaign(
    uow: UnitOfWork, ref: str | int, now: datetime, progress: Callable[[int], None] | None = None
) -> plans.PlanStats | None:
    """Start the campaign now: decide for its audience and queue the messages. A campaign started already
    is left as it is (None): people who joined its segment since are taken in by `plan_newcomers`."""
    campaign = get_campaign(uow, ref)
    if campaign.status in STARTED:
        return None
    refuse_start(campaign, "be started at once")
    status = states.move(campaign.status, "start", campaign.name)
    stats = run_plan(uow, campaign, now, campaign.runs, progress, status)
    dead_end = deadends.nobody_receives(stats.actions["send"] + stats.actions["defer"], stats.skipped_by)
    if dead_end:  # the caller's unit of work rolls back: the campaign stays as it was, to be started once fixed
        raise Conflict(f"campaign {campaign.name!r} was not started: {dead_end}")
    return stats


def plan_newcomers(
    uow: UnitOfWork, ref: str | int, now: datetime, *, write: bool, progress: Callable[[int], None] | None = None
) -> plans.PlanStats:
    """People who joined a started campaign's audience since it was planned: decided and, with `write`,
    queued (without it only counted, for the operator to confirm)."""
    campaign = get_campaign(uow, ref)
    refuse_start(campaign, "take in newcomers to its segment")
    states.move(campaign.status, "add-newcomers", campaign.name)
    plan = runs.build_plan(uow, campaign, now, campaign.runs)
    stats = planner.plan(uow, plan, runs.audience(uow, campaign, now), now, progress, write=write)
    if write:
        campaign.audience_size = max(campaign.audience_size or 0, stats.audience)
    return stats


def run_plan(
    uow: UnitOfWork,
    campaign: Campaign,
    now: datetime,
    run: int,
    progress: Callable[[int], None] | None,
    status: str,
    among: Select | None = None,
) -> plans.PlanStats:
    """Plan one run of the campaign (the set-based planner where it applies) and move it to `status`; with
    `among`, for those of its audience only (the contacts who did its trigger event)."""
    plan = runs.build_plan(uow, campaign, now, run)
    how = bulk.plan if bulk.applies(uow, plan) else planner.plan
    stats = how(uow, plan, runs.audience(uow, campaign, now, among), now, progress)
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
    on_event: str | None = None,
    delay: str | None = None,
    once: bool = False,
    of_campaign: str | int | None = None,
) -> Campaign:
    """Schedule a draft: at a moment, at a local wall time per recipient (on a day or the next one), on a
    cron expression in a zone (each run evaluates the audience anew), at each recipient's best time
    within `best_within` hours of a moment (now unless `at`), or on each contact's `on_event` (see
    `triggers`)."""
    campaign = get_campaign(uow, ref)
    if on_event is not None:
        if any(x is not None for x in (at, local_time, cron, best_within)):
            raise Invalid("--on-event goes alone, not with --at, --local-time, --cron or --best-time", "--on-event")
        return schedule_on_event(uow, campaign, now, on_event, delay, once, of_campaign)
    if delay is not None or once or of_campaign is not None:
        alone = "--delay" if delay is not None else "--once" if once else "--of-campaign"
        raise Invalid("--delay, --once and --of-campaign go with --on-event", where=alone)
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
    forget_triggered(uow, campaign)  # who did its event before the pause, and was not yet planned, is not
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
    forget_triggered(uow, campaign)
    return outbox.cancel(uow, campaign.id, now)
