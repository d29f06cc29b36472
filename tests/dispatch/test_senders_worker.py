"""Senders within accounts: each message goes from a sender of its account — the contact's sticky one, else
one in the contact's country, within the campaign's pool — paced by the sender's own limits too."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from herald import bootstrap
from herald.campaigns import service as campaigns
from herald.dispatch.models import StickySender
from herald.errors import Invalid
from herald.outbox.models import Message
from herald.sandbox.gateway import FakeGateway, running
from tests.conftest import NOW
from tests.dispatch.gateway import through_gateway
from tests.scenario import contact_id, plan, setup

SITA, JOHANNES = "+9779841234567", "+264811234567"  # Nepal and Namibia: both may be messaged now
NEPAL = {"from": "+9771000001", "country": "NP"}
SPARE = {"from": "+9771000002", "name": "spare"}
PROMO = {"from": "PROMO", "pools": ["promo"]}


def built(db_url, tmp_path, clock, url: str, *senders, own: str = "HERALD") -> bootstrap.Container:
    return through_gateway(db_url, tmp_path, clock, url, **{"from": own, "senders": list(senders)})


def heard(gateway) -> dict[str, str]:
    """Whom each recipient heard from, as the gateway received it."""
    return {m["to"]: m["from"] for m in gateway.received.values()}


def recorded(container) -> dict[str, tuple[str, str | None]]:
    with container.uow() as uow:
        rows = uow.session.execute(select(Message.address, Message.status, Message.sender))
        return {a: (s, sender) for a, s, sender in rows if a in (SITA, JOHANNES)}


def second_campaign(container, name: str, pool: str | None = None) -> int:
    with container.uow() as uow:
        pools = container.routing.all_pools()
        return campaigns.create_campaign(uow, name, "has:phone", "sale", NOW, sender_pool=pool, pools=pools).id


def test_a_contact_hears_from_a_sender_in_their_country_and_keeps_it(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url, NEPAL, SPARE)
        plan(container, setup(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
        first = heard(gateway)
    assert stats.sent == 2 and first[SITA] == "+9771000001"  # Nepal's own number for the Nepali contact
    johannes = first[JOHANNES]
    assert johannes in ("HERALD", "+9771000002")  # no Namibian sender: one of the rest, for good
    names = {"HERALD": "HERALD", "+9771000002": "spare"}  # a sender is recorded by its name
    assert recorded(container) == {SITA: ("sent", "+9771000001"), JOHANNES: ("sent", names[johannes])}
    with container.uow() as uow:
        kept = {(r.contact_id, r.pool): r.sender for r in uow.session.scalars(select(StickySender))}
    assert kept[(contact_id(container, SITA), "")] == "+9771000001"
    # Later a Namibian number is added: Johannes keeps the sender he already knows.
    with running(FakeGateway()) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url, NEPAL, SPARE, {"from": "+264100", "country": "NA"})
        clock.advance(seconds=7 * 86400)  # a week on, past the frequency caps
        plan(container, second_campaign(container, "Sale again"), clock.now())
        asyncio.run(container.worker().run(until_idle=True))
        assert heard(gateway) == first


def test_a_campaign_naming_a_pool_goes_only_from_its_senders(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url, NEPAL, PROMO)
        setup(container, tmp_path)
        plan(container, second_campaign(container, "Promo", pool="promo"))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert stats.sent == 2 and heard(gateway) == {SITA: "PROMO", JOHANNES: "PROMO"}
    with pytest.raises(Invalid, match=r"no provider account has a sender in pool 'otp' \(pools: promo\)"):
        second_campaign(container, "OTP", pool="otp")


def test_a_pool_no_account_of_the_route_has_any_longer_fails_its_messages_saying_so(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url, PROMO)
        setup(container, tmp_path)
        plan(container, second_campaign(container, "Promo", pool="promo"))
        container = built(db_url, tmp_path, clock, gateway.url, NEPAL)  # the promo sender was taken away
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert stats.sent == 0 and gateway.received == {}
    with container.uow() as uow:
        errors = set(uow.session.scalars(select(Message.error).where(Message.status == "failed")))
    assert errors == {
        f"no account of sms to {cc} (gateway) has a sender in pool 'promo'; see senders in docs/providers.md"
        for cc in ("NP", "NA")
    }


def test_a_senders_own_rate_paces_the_messages_it_sends(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        slow = {"from": "+9771000009", "rate": 0.5, "pools": ["slow"]}  # one every two seconds
        container = built(db_url, tmp_path, clock, gateway.url, slow)
        setup(container, tmp_path)
        plan(container, second_campaign(container, "Slow", pool="slow"))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert (stats.sent, stats.paced) == (1, 1)
    with container.uow() as uow:
        [why] = uow.session.scalars(
            select(Message.error).where(Message.status == "queued", Message.error.like("paced%"))
        )
    assert why == "paced: sender +9771000009 of gateway at 0.5/s, -/day"
