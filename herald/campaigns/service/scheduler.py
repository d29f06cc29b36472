"""The scheduler's beat, which the worker calls: runs that are due started, canary rollouts judged,
finished campaigns completed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from herald import outbox
from herald.campaigns import rollout, states
from herald.campaigns.models import Campaign
from herald.campaigns.planning import schedule
from herald.campaigns.service import triggers
from herald.campaigns.service.lifecycle import pause_campaign, run_plan
from herald.db import UnitOfWork
from herald.errors import HeraldError
from herald.types import CampaignStatus as C


def tick(uow: UnitOfWork, now: datetime) -> list[str]:
    """The scheduler's beat (the worker calls it): start due runs, judge rollouts, complete finished
    campaigns. Returns what happened, one line each."""
    events = []
    due = select(Campaign).where(Campaign.status.in_((C.SCHEDULED, C.RUNNING)), Campaign.next_run_at <= now)
    for campaign in uow.session.scalars(due).all():
        said = _due_run_or_pause(uow, campaign, now)
        if said:  # a campaign sent on events says nothing at a beat that brought none
            events.append(said)
    checks = select(Campaign).where(Campaign.status == C.RUNNING, Campaign.rollout_check_at <= now)
    for campaign in uow.session.scalars(checks).all():
        events.append(_judge_rollout(uow, campaign, now))
    for campaign in uow.session.scalars(select(Campaign).where(Campaign.status == C.RUNNING)).all():
        if _finished(uow, campaign):
            campaign.status, campaign.finished_at = states.move(campaign.status, "complete", campaign.name), now
            events.append(f"{campaign.name}: completed")
    return events


def _due_run_or_pause(uow: UnitOfWork, campaign: Campaign, now: datetime) -> str | None:
    """A run that cannot start (its template lost approval, its audience is empty) pauses its campaign
    with the reason, instead of stopping the worker; what it had written is rolled back."""
    try:
        with uow.session.begin_nested():
            return _due_run(uow, campaign, now)
    except HeraldError as exc:
        campaign.status, campaign.status_reason, campaign.next_run_at = C.PAUSED, f"could not start: {exc}", None
        return f"{campaign.name}: paused — could not start: {exc}"


def _due_run(uow: UnitOfWork, campaign: Campaign, now: datetime) -> str | None:
    if campaign.schedule == "event":
        return _event_run(uow, campaign, now)
    run = campaign.runs + 1 if campaign.schedule == "cron" else 0
    stats = run_plan(uow, campaign, now, run, None, C.RUNNING)
    campaign.runs = max(campaign.runs, run)
    cron, zone = campaign.cron, campaign.cron_zone or "UTC"  # a cron schedule is always stored with its zone
    campaign.next_run_at = schedule.next_run(cron, zone, now) if cron else None
    return f"{campaign.name}: run {run} planned for {stats.audience} recipients"


def _event_run(uow: UnitOfWork, campaign: Campaign, now: datetime) -> str | None:
    """The contacts who did the campaign's event since the last beat, planned as a run of their own. (Its
    `next_run_at` stays the moment it was scheduled: always due, and no write at a beat that finds nobody.)"""
    run = campaign.runs + 1
    among = triggers.take_triggered(uow, campaign, run)
    if among is None:
        return None
    stats = run_plan(uow, campaign, now, run, None, C.RUNNING, among)
    triggers.done_triggered(uow, campaign, run)
    campaign.runs = run
    event = (campaign.trigger or {}).get("event")
    return f"{campaign.name}: run {run} planned for {stats.audience} recipients who did {event!r}"


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
    if campaign.schedule in ("cron", "event") or campaign.rollout_check_at is not None or campaign.experiment_check_at:
        return False
    return outbox.pending(uow.session, campaign.id) == 0
