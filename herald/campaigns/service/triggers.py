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
from herald.campaigns.service.drafts import get_campaign
from herald.db import UnitOfWork, rowcount
from herald.errors import Conflict, Invalid
from herald.events import EVENT_TYPE
from herald.outbox import Message
from herald.types import CampaignStatus as C
from herald.types import as_id

LISTENING = (C.SCHEDULED, C.RUNNING)


def schedule_on_event(
    uow: UnitOfWork,
    campaign: Campaign,
    now: datetime,
    event: str,
    delay: str | None,
    once: bool,
    of_campaign: str | int | None = None,
) -> Campaign:
    """Schedule a draft to be sent to each contact of its segment who does `event` from now on, `delay`
    (30m, 2h, 3d) after it; `once` sends it to a contact only once, however often they do it;
    `of_campaign` takes only the `message.*` events of that campaign's messages (the next step of a
    series: sent three days after the first was delivered, or a day after its link was clicked)."""
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
    trigger = {"event": event, "delay_minutes": minutes, "once": once}
    if of_campaign is not None:
        trigger |= _of_campaign(uow, campaign, event, of_campaign)
    status = states.move(campaign.status, "schedule", campaign.name)
    campaign.schedule, campaign.trigger = "event", trigger
    campaign.next_run_at, campaign.status = now, status
    return campaign


def _of_campaign(uow: UnitOfWork, campaign: Campaign, event: str, ref: str | int) -> dict[str, Any]:
    if not event.startswith("message."):
        raise Invalid(
            f"only a message's events (message.delivered, message.clicked…) belong to a campaign, not {event!r}",
            where="--of-campaign",
        )
    other = get_campaign(uow, ref)
    if other.id == campaign.id:
        raise Invalid("a campaign cannot be sent on its own messages' events", where="--of-campaign")
    return {"campaign": other.id, "campaign_name": other.name}


def note_triggered(uow: UnitOfWork, rows: Sequence[dict[str, Any]], now: datetime) -> int:
    """Write down, for each campaign listening for one of these events' types, the contacts who did it."""
    types = {row["type"] for row in rows}
    listening = select(Campaign.id, Campaign.trigger).where(
        Campaign.schedule == "event", Campaign.status.in_(LISTENING)
    )
    wanted: dict[str, list[tuple[int, int | None]]] = {}
    for campaign_id, trigger in uow.session.execute(listening):
        if (trigger or {}).get("event") in types:
            wanted.setdefault(trigger["event"], []).append((campaign_id, trigger.get("campaign")))
    sent_by = _campaigns_of(uow, rows, wanted)
    found = [
        {"campaign_id": campaign_id, "contact_id": row["contact_id"], "created_at": now}
        for row in rows
        for campaign_id, of in wanted.get(row["type"], ())
        if of is None or sent_by.get(_message_of(row)) == of
    ]
    if found:
        uow.session.execute(CampaignTrigger.__table__.insert(), found)
    return len(found)


def _campaigns_of(
    uow: UnitOfWork, rows: Sequence[dict[str, Any]], wanted: dict[str, list[tuple[int, int | None]]]
) -> dict[int | None, int | None]:
    """The campaign of each message the events name, when a listening campaign asks whose they are."""
    asking = {kind for kind, listeners in wanted.items() if any(of is not None for _, of in listeners)}
    ids = {_message_of(row) for row in rows if row["type"] in asking}
    ids.discard(None)
    if not ids:
        return {}
    found = uow.session.execute(select(Message.id, Message.campaign_id).where(Message.id.in_(sorted(ids))))
    return {message: campaign for message, campaign in found}


def _message_of(row: dict[str, Any]) -> int | None:
    """The message a `message.*` event names (its `message_id` property), or None."""
    return as_id((row.get("properties") or {}).get("message_id"))


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
