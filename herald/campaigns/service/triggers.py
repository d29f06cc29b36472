"""Campaigns sent when a contact does something. As events are stored, the contacts who did the event a
scheduled or running campaign is sent on are written down for it (`note_triggered`, in the events' own
transaction); at the scheduler's next beat they are decided for and queued as a run of their own (each run
its own idempotency scope, so a second purchase brings a second thank-you unless the campaign is
once-only), the campaign's delay after that beat. What happens while a campaign is paused is not acted on."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, select, update

from herald.campaigns import states
from herald.campaigns.models import Campaign, CampaignTrigger
from herald.campaigns.planning import schedule
from herald.db import UnitOfWork, rowcount
from herald.errors import Conflict, Invalid
from herald.events import EVENT_TYPE
from herald.types import CampaignStatus as C

LISTENING = (C.SCHEDULED, C.RUNNING)


def schedule_on_event(
    uow: UnitOfWork, campaign: Campaign, now: datetime, event: str, delay: str | None, once: bool
) -> Campaign:
    """Schedule a draft to be sent to each contact of its segment who does `event` from now on, `delay`
    (30m, 2h, 3d) after it; `once` sends it to a contact only once, however often they do it."""
    if not EVENT_TYPE.fullmatch(event):
        raise Invalid(
            f"{event!r} is not an event type: expected a short lower-case name such as purchase, signup or "
            "message.clicked",
            where="--on-event",
        )
    minutes = schedule.delay_minutes(delay)
    if campaign.experiment:
        raise Invalid(
            "a campaign sent on an event cannot have an A/B test phase; test on a one-off campaign", "--on-event"
        )
    if campaign.rollout:
        raise Invalid("a campaign sent on an event cannot have a canary rollout", where="--on-event")
    status = states.move(campaign.status, "schedule", campaign.name)
    campaign.schedule, campaign.trigger = "event", {"event": event, "delay_minutes": minutes, "once": once}
    campaign.next_run_at, campaign.status = now, status
    return campaign


def note_triggered(uow: UnitOfWork, rows: Sequence[dict[str, Any]], now: datetime) -> int:
    """Write down, for each campaign listening for one of these events' types, the contacts who did it."""
    types = {row["type"] for row in rows}
    listening = select(Campaign.id, Campaign.trigger).where(
        Campaign.schedule == "event", Campaign.status.in_(LISTENING)
    )
    wanted: dict[str, list[int]] = {}
    for campaign_id, trigger in uow.session.execute(listening):
        if (trigger or {}).get("event") in types:
            wanted.setdefault(trigger["event"], []).append(campaign_id)
    found = [
        {"campaign_id": campaign_id, "contact_id": row["contact_id"], "created_at": now}
        for row in rows
        for campaign_id in wanted.get(row["type"], ())
    ]
    if found:
        uow.session.execute(CampaignTrigger.__table__.insert(), found)
    return len(found)


def take_triggered(uow: UnitOfWork, campaign: Campaign, run: int) -> Select | None:
    """SELECT the contacts written down for the campaign since its last beat, marked as taken by `run`
    (None when there are none). One UPDATE marks them: a row another transaction commits meanwhile is
    left for the next beat, never passed over."""
    marked = rowcount(
        uow.session.execute(
            update(CampaignTrigger)
            .where(CampaignTrigger.campaign_id == campaign.id, CampaignTrigger.run.is_(None))
            .values(run=run)
            .execution_options(synchronize_session=False)
        )
    )
    if not marked:
        return None
    return select(CampaignTrigger.contact_id).where(
        CampaignTrigger.campaign_id == campaign.id, CampaignTrigger.run == run
    )


def done_triggered(uow: UnitOfWork, campaign: Campaign, run: int) -> None:
    """The contacts `run` took, planned, are taken off the list."""
    uow.session.execute(
        delete(CampaignTrigger).where(CampaignTrigger.campaign_id == campaign.id, CampaignTrigger.run == run)
    )


def forget_triggered(uow: UnitOfWork, campaign: Campaign) -> None:
    """Anything written down for the campaign is dropped (it was paused or cancelled meanwhile)."""
    uow.session.execute(delete(CampaignTrigger).where(CampaignTrigger.campaign_id == campaign.id))


def refuse_start(campaign: Campaign, what: str) -> None:
    """A campaign sent on an event is planned by the worker as the events come, never all at once."""
    if campaign.schedule == "event":
        event = (campaign.trigger or {}).get("event")
        raise Conflict(
            f"campaign {campaign.name!r} is sent on each {event!r} event as it comes; it cannot {what} "
            "(pause or cancel it to stop it)"
        )
