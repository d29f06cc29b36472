"""Campaigns sent on an event, on SQLite and PostgreSQL: whoever does it from then on (and is in the segment)
is planned at the scheduler's next beat, each beat a run of its own, at the campaign's delay."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from herald.campaigns import service as campaigns
from herald.campaigns.models import CampaignTrigger
from herald.errors import Conflict, Invalid, NotFound
from herald.events import EventIn, record_events
from herald.outbox.models import Message
from herald.types import MessageStatus
from tests.conftest import NOW
from tests.scenario import contact_id, setup

SITA, JOHANNES, WEI = "+9779841234567", "+264811234567", "+8613800138000"


def did(container, kind: str, *phones: str, at=NOW) -> None:
    """Events as the API and imports store them: with the installation's reactions."""
    with container.uow() as uow:
        stored = record_events(uow, [EventIn(kind, at, phone=p) for p in phones], at, after=container.after_events)
    assert {r["status"] for r in stored} == {"stored"}


def beat(container, now=NOW) -> list[str]:
    with container.uow() as uow:
        return campaigns.tick(uow, now)


def on_event(container, cid: int, event="signup", **kw) -> None:
    with container.uow() as uow:
        campaigns.schedule_campaign(uow, cid, NOW, on_event=event, **kw)


def planned(container, cid: int) -> list[tuple[int, int]]:
    """(run, contact) of every message of the campaign."""
    with container.uow() as uow:
        rows = uow.session.execute(
            select(Message.run, Message.contact_id).where(Message.campaign_id == cid).order_by(Message.id)
        )
        return [tuple(r) for r in rows]


def waiting(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(CampaignTrigger))


def test_it_goes_to_each_contact_who_does_the_event_from_then_on(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    did(container, "signup", WEI)  # before the campaign listened: not acted on
    on_event(container, cid)
    assert beat(container) == []
    did(container, "signup", JOHANNES, SITA)
    did(container, "purchase", WEI)  # another event
    assert beat(container) == ["Sale: run 1 planned for 2 recipients who did 'signup'"]
    sita, johannes = contact_id(container, SITA), contact_id(container, JOHANNES)
    assert sorted(planned(container, cid)) == sorted([(1, sita), (1, johannes)])
    assert beat(container) == [] and waiting(container) == 0
    with container.uow() as uow:
        campaign = campaigns.get_campaign(uow, cid)
        assert (campaign.status, campaign.runs) == ("running", 1)


def test_each_beat_brings_its_own_message_and_a_beat_one_a_contact(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    on_event(container, cid, event="purchase")
    did(container, "purchase", JOHANNES, at=NOW)
    beat(container)
    did(container, "purchase", JOHANNES, at=NOW + timedelta(minutes=1))
    did(container, "purchase", JOHANNES, at=NOW + timedelta(minutes=2))  # twice before a beat: one message
    beat(container)
    johannes = contact_id(container, JOHANNES)
    assert planned(container, cid) == [(1, johannes), (2, johannes)]


def test_a_once_only_campaign_reaches_a_contact_once(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    on_event(container, cid, event="purchase", once=True)
    did(container, "purchase", JOHANNES, at=NOW)
    beat(container)
    did(container, "purchase", JOHANNES, at=NOW + timedelta(hours=1))
    assert beat(container) == ["Sale: run 2 planned for 0 recipients who did 'purchase'"]
    assert planned(container, cid) == [(1, contact_id(container, JOHANNES))]


def test_a_skipped_contact_is_tried_again_by_a_once_only_campaign(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    on_event(container, cid, once=True)
    did(container, "signup", "+9779861234567")  # Gita said no to SMS: skipped
    beat(container)
    did(container, "signup", "+9779861234567", at=NOW + timedelta(minutes=5))
    beat(container)
    with container.uow() as uow:
        statuses = uow.session.scalars(select(Message.status).where(Message.campaign_id == cid)).all()
    assert statuses == [MessageStatus.SKIPPED, MessageStatus.SKIPPED]


def test_the_segment_still_chooses_who_gets_it(container, tmp_path) -> None:
    cid = setup(container, tmp_path, segment="region:NP")
    on_event(container, cid)
    did(container, "signup", JOHANNES)
    assert beat(container) == ["Sale: run 1 planned for 0 recipients who did 'signup'"]
    assert planned(container, cid) == []


def test_a_delay_puts_each_message_that_long_after_the_beat(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    on_event(container, cid, delay="2h")
    did(container, "signup", JOHANNES)  # Windhoek 16:00: 18:00 is allowed
    beat(container)
    with container.uow() as uow:
        message = uow.session.scalars(select(Message).where(Message.campaign_id == cid)).one()
    assert (message.status, message.due_at) == (MessageStatus.QUEUED, NOW + timedelta(hours=2))
    assert asyncio.run(container.worker().run(until_idle=True)).sent == 0  # not before its time


def test_what_happens_while_it_is_paused_is_not_acted_on(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    on_event(container, cid)
    did(container, "signup", SITA)  # written down, then the campaign is paused before the beat
    with container.uow() as uow:
        campaigns.pause_campaign(uow, cid, NOW)
    did(container, "signup", JOHANNES)
    assert beat(container) == [] and waiting(container) == 0
    with container.uow() as uow:
        campaigns.resume_campaign(uow, cid, NOW)
    assert beat(container) == []
    did(container, "signup", WEI)
    assert beat(container) == ["Sale: run 1 planned for 1 recipients who did 'signup'"]


def test_it_cannot_be_started_at_once_and_never_completes(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    on_event(container, cid)
    with container.uow() as uow, pytest.raises(Conflict, match="is sent on each 'signup' event as it comes"):
        campaigns.plan_campaign(uow, cid, NOW)
    with container.uow() as uow, pytest.raises(Conflict, match="cannot take in newcomers"):
        campaigns.plan_newcomers(uow, cid, NOW, write=True)
    did(container, "signup", JOHANNES)
    beat(container)
    assert asyncio.run(container.worker().run(until_idle=True)).sent == 1
    assert beat(container, NOW + timedelta(hours=1)) == []
    with container.uow() as uow:
        assert campaigns.get_campaign(uow, cid).status == "running"  # still listening


def test_the_worker_plans_and_sends_what_the_event_brought(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    on_event(container, cid)
    did(container, "signup", SITA, JOHANNES, WEI)  # Shanghai is inside quiet hours: deferred
    assert asyncio.run(container.worker().run(until_idle=True)).sent == 2
    assert len(planned(container, cid)) == 3


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"on_event": "Sign Up"}, "--on-event: 'Sign Up' is not an event type"),
        ({"on_event": "signup", "delay": "soon"}, "--delay: expected a delay such as 30m"),
        ({"on_event": "signup", "delay": "200d"}, "longer than 90 days"),
        ({"on_event": "signup", "cron": "0 10 * * *"}, "--on-event goes alone"),
        ({"delay": "2h", "cron": "0 10 * * *"}, "--delay: --delay, --once and --of-campaign go with --on-event"),
        ({"once": True, "cron": "0 10 * * *"}, "--once: --delay, --once and --of-campaign go with --on-event"),
        ({"of_campaign": "Sale", "cron": "0 10 * * *"}, "--of-campaign: --delay, --once and --of-campaign go"),
        ({"on_event": "signup", "of_campaign": "Sale"}, "only a message's events .* belong to a campaign"),
        ({"on_event": "message.clicked", "of_campaign": "Sale"}, "cannot be sent on its own messages' events"),
    ],
)
def test_bad_event_schedules_are_refused(container, tmp_path, kwargs, message) -> None:
    cid = setup(container, tmp_path)
    with container.uow() as uow, pytest.raises(Invalid, match=message):
        campaigns.schedule_campaign(uow, cid, NOW, **kwargs)
    with container.uow() as uow:
        assert campaigns.get_campaign(uow, cid).status == "draft"


def test_the_next_step_of_a_series_goes_on_the_events_of_the_first_ones_messages(container, tmp_path) -> None:
    first = setup(container, tmp_path)
    with container.uow() as uow:
        second = campaigns.create_campaign(uow, "Sale, day 3", "has:phone", "sale", NOW).id
    on_event(container, second, event="message.delivered", delay="3d", of_campaign="Sale")
    with container.uow() as uow:
        assert campaigns.get_campaign(uow, second).trigger["campaign"] == first
        campaigns.plan_campaign(uow, first, NOW)
        mine = select(Message.contact_id, Message.id).where(Message.campaign_id == first)
        theirs = {contact: message for contact, message in uow.session.execute(mine)}
    sita, johannes = contact_id(container, SITA), contact_id(container, JOHANNES)
    delivered = [
        EventIn("message.delivered", NOW, sita, properties={"message_id": theirs[sita]}),
        EventIn("message.delivered", NOW, johannes, properties={"message_id": 999_999}),  # another's message
        EventIn("message.delivered", NOW, johannes, properties={}, event_id="no message named"),
    ]
    with container.uow() as uow:
        record_events(uow, delivered, NOW, after=container.after_events)
    assert beat(container) == ["Sale, day 3: run 1 planned for 1 recipients who did 'message.delivered'"]
    with container.uow() as uow:
        message = uow.session.scalars(select(Message).where(Message.campaign_id == second)).one()
    assert (message.contact_id, message.due_at) == (sita, NOW + timedelta(days=3))


def test_a_series_names_a_campaign_that_exists(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    with container.uow() as uow, pytest.raises(NotFound, match="campaign 'Nope' does not exist"):
        campaigns.schedule_campaign(uow, cid, NOW, on_event="message.clicked", of_campaign="Nope")
