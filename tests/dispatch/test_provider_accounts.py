"""Sending through provider accounts named in herald.toml: routes per channel and per country, a real
webhook gateway on loopback, and the uncertain answer parked, never resent."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from herald import bootstrap
from herald.config import Settings
from herald.errors import Invalid
from herald.outbox.models import Message
from herald.sandbox.gateway import SECRET, FakeGateway, running
from tests.scenario import contact_id, plan, setup

SITA, JOHANNES = "+9779841234567", "+264811234567"  # Kathmandu and Windhoek: both may be messaged now


def built(db_url, tmp_path, clock, gateway_url: str, **gateway) -> bootstrap.Container:
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        provider_accounts={
            "gateway": {"kind": "webhook", "url": gateway_url, "secret": "env:GATEWAY_SECRET", **gateway},
            "dry-run": {"kind": "file"},
        },
        routing={"sms": {"default": ["gateway"], "NA": ["dry-run"]}, "email": ["dry-run"]},
    )
    return bootstrap.build(settings, clock=clock, environ={"GATEWAY_SECRET": SECRET})


def sent(container) -> dict[str, tuple[str, str | None, str | None]]:
    with container.uow() as uow:
        rows = uow.session.execute(select(Message.address, Message.status, Message.provider, Message.reason))
        return {a: (s, p, r) for a, s, p, r in rows if a in (SITA, JOHANNES)}


def test_each_country_goes_through_the_account_its_route_names(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url)
        plan(container, setup(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert stats.sent == 2 and gateway.refused == []
    assert [m["to"] for m in gateway.received.values()] == [SITA]
    assert sent(container) == {SITA: ("sent", "gateway", None), JOHANNES: ("sent", "dry-run", None)}
    written = [json.loads(line) for line in (tmp_path / "outbox" / "sms.jsonl").read_text().splitlines()]
    assert [line["to"] for line in written] == [JOHANNES]
    message = next(iter(gateway.received.values()))
    assert message["reference"] == str(contact_message_id(container, SITA)) and "Sita" in message["body"]


def contact_message_id(container, phone: str) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(Message.id).where(Message.contact_id == contact_id(container, phone)))


def test_a_message_the_gateway_never_answered_is_parked_unknown_and_not_sent_again(db_url, tmp_path, clock) -> None:
    with running(FakeGateway(faults={SITA: "hang"})) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url, timeout=0.5)
        plan(container, setup(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
        again = asyncio.run(container.worker().run(until_idle=True))
    assert (stats.unknown, again.claimed) == (1, 0)
    status, provider, reason = sent(container)[SITA]
    assert (status, provider, reason) == ("unknown", "gateway", "no_answer")
    assert len(gateway.received) == 1 and gateway.repeats == []  # it did arrive, once


def test_a_busy_gateway_is_asked_again_after_the_wait_it_names(db_url, tmp_path, clock) -> None:
    with running(FakeGateway(faults={SITA: "once-busy"})) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url)
        plan(container, setup(container, tmp_path))
        first = asyncio.run(container.worker().run(until_idle=True))
        clock.advance(seconds=31)
        second = asyncio.run(container.worker().run(until_idle=True))
    assert (first.retried, second.sent) == (1, 1) and sent(container)[SITA][0] == "sent"


@pytest.mark.parametrize(
    ("accounts", "routing", "where"),
    [
        (
            {"gw": {"kind": "webhook", "url": "https://gw", "secret": "env:MISSING"}},
            {"sms": ["gw"]},
            "[providers.gw] secret",
        ),
        ({"gw": {"kind": "file"}}, {}, "[routing]"),
        ({"gw": {"kind": "file"}}, {"sms": ["other"]}, "[routing] sms"),
    ],
)
def test_wrong_accounts_are_refused_at_start_naming_the_table(db_url, tmp_path, accounts, routing, where) -> None:
    settings = Settings(env="test", database_url=db_url, provider_accounts=accounts, routing=routing)
    with pytest.raises(Invalid) as err:
        bootstrap.build(settings, environ={})
    assert err.value.where == where


def test_the_older_setting_still_names_a_kind_per_channel(db_url) -> None:
    container = bootstrap.build(Settings(env="test", database_url=db_url, providers={"sms": "file"}), environ={})
    assert container.routing.first("sms") == "file" and container.accounts["file"].kind == "file"
    with pytest.raises(Invalid, match="unknown provider 'pigeon' for sms"):
        bootstrap.build(Settings(env="test", database_url=db_url, providers={"sms": "pigeon"}), environ={})


def test_through_twilio_an_opted_out_number_is_suppressed_at_once(db_url, tmp_path, clock) -> None:
    from herald.contacts.models import Suppression
    from herald.sandbox.twilio import SID, TOKEN, FakeTwilio
    from herald.sandbox.twilio import running as twilio_running

    with twilio_running(FakeTwilio(faults={SITA: "opted-out"})) as twilio:
        account = {"kind": "twilio", "account_sid": SID, "auth_token": "env:TWILIO_TOKEN", "from": "+15005550006"}
        settings = Settings(
            env="test",
            database_url=db_url,
            outbox_dir=str(tmp_path / "outbox"),
            provider_accounts={"twilio-main": {**account, "base_url": twilio.url}},
            routing={"sms": ["twilio-main"]},
        )
        container = bootstrap.build(settings, clock=clock, environ={"TWILIO_TOKEN": TOKEN})
        plan(container, setup(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert (stats.sent, stats.failed) == (1, 1)
    assert [f["To"] for f in twilio.created] == [[JOHANNES]]
    status, provider, reason = sent(container)[SITA]
    assert (status, provider) == ("failed", "twilio-main")
    with container.uow() as uow:
        listed = uow.session.execute(select(Suppression.address, Suppression.reason)).all()
    assert (SITA, "unsubscribed") in [tuple(r) for r in listed]


def two_gateways(db_url, tmp_path, clock, first: str, second: str, first_secret: str = "env:GATEWAY_SECRET"):
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        provider_accounts={
            "primary": {"kind": "webhook", "url": first, "secret": first_secret},
            "backup": {"kind": "webhook", "url": second, "secret": "env:GATEWAY_SECRET"},
        },
        routing={"sms": ["primary", "backup"]},
    )
    return bootstrap.build(settings, clock=clock, environ={"GATEWAY_SECRET": SECRET})


def test_a_failing_account_is_paused_and_its_route_fails_over_to_the_next(db_url, tmp_path, clock) -> None:
    from herald import dispatch
    from herald.dispatch import CircuitPolicy

    broken = FakeGateway(faults={SITA: "broken", JOHANNES: "broken"})
    with running(broken) as primary, running(FakeGateway()) as backup:
        container = two_gateways(db_url, tmp_path, clock, primary.url, backup.url)
        plan(container, setup(container, tmp_path))
        worker = container.worker()
        worker.circuit = CircuitPolicy(failures=2)
        first = asyncio.run(worker.run(until_idle=True))
        clock.advance(seconds=31)  # past every retry's wait (30 s at most), inside the pause (60 s)
        second = asyncio.run(container.worker().run(until_idle=True))
    assert first.retried == 2 and any("provider account primary paused" in e for e in first.events)
    assert second.sent == 2 and sorted(m["to"] for m in backup.received.values()) == sorted([SITA, JOHANNES])
    assert sent(container) == {SITA: ("sent", "backup", None), JOHANNES: ("sent", "backup", None)}
    with container.uow() as uow:
        health = dispatch.health_of(uow.session)["primary"]
    assert health.failures == 2 and "HTTP 500" in (health.reason or "") and not health.usable(clock.now())


def test_refused_credentials_pause_the_account_at_once_and_its_messages_go_by_the_next(db_url, tmp_path, clock) -> None:
    from herald import dispatch

    start = clock.now()
    with running(FakeGateway()) as primary, running(FakeGateway()) as backup:
        wrong = "a-wrong-secret-of-some-length"
        container = two_gateways(db_url, tmp_path, clock, primary.url, backup.url, first_secret=wrong)
        plan(container, setup(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
        clock.advance(seconds=31)  # past the retry's wait, well inside the pause
        again = asyncio.run(container.worker().run(until_idle=True))
    assert (stats.failed, stats.retried) == (0, 2) and primary.refused == ["bad signature", "bad signature"]
    assert again.sent == 2 and sent(container)[SITA] == ("sent", "backup", None)
    with container.uow() as uow:
        health = dispatch.health_of(uow.session)["primary"]
    assert "HTTP 401" in (health.reason or "") and health.open_until is not None
    assert (health.open_until - start).total_seconds() == 15 * 60


def test_a_channel_no_route_carries_fails_naming_the_channel_and_country(db_url, tmp_path, clock) -> None:
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        provider_accounts={"dry-run": {"kind": "file"}},
        routing={"email": ["dry-run"]},
    )
    container = bootstrap.build(settings, clock=clock, environ={})
    plan(container, setup(container, tmp_path))
    stats = asyncio.run(container.worker().run(until_idle=True))
    assert stats.failed == 2 and sent(container)[SITA] == ("failed", None, "unrouted")
    with container.uow() as uow:
        error = uow.session.scalar(select(Message.error).where(Message.address == SITA))
    assert error == "no provider account carries sms to NP; see [routing] in docs/providers.md"


def test_messages_wait_while_every_account_of_their_route_is_paused(db_url, tmp_path, clock) -> None:
    from datetime import timedelta

    from herald import dispatch
    from herald.dispatch import Health

    with running(FakeGateway()) as primary, running(FakeGateway()) as backup:
        container = two_gateways(db_url, tmp_path, clock, primary.url, backup.url)
        plan(container, setup(container, tmp_path))
        with container.uow() as uow:
            for name in ("primary", "backup"):
                until = clock.now() + timedelta(minutes=5)
                dispatch.record_health(uow, Health(name, 5, until, "HTTP 503"), clock.now())
        waiting = asyncio.run(container.worker().run(until_idle=True))
    assert (waiting.deferred, waiting.sent) == (2, 0) and primary.received == backup.received == {}
    assert sent(container)[SITA][0] == "queued"


@pytest.mark.parametrize(("concurrency", "peak"), [(1, 1), (None, 2)])  # one at a time; the default, 64
def test_the_worker_keeps_as_many_requests_in_flight_as_its_concurrency(
    db_url, tmp_path, clock, concurrency, peak
) -> None:
    from herald.sandbox.faults import Faults

    with running(FakeGateway(random=Faults(latency=0.05))) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url)
        container.routing = bootstrap.read_routing({"sms": ["gateway"]}, container.accounts)
        plan(container, setup(container, tmp_path))
        asyncio.run(container.worker(concurrency=concurrency).run(until_idle=True))
    assert len(gateway.received) == 2 and gateway.peak == peak  # Sita and Johannes may be messaged now
    assert container.providers["gateway"].in_flight == (concurrency or 64)
