"""An opt-out that arrives while a campaign is going out: nobody receives another message after their
STOP is recorded — not one already claimed, not one prepared and waiting for its provider."""

from __future__ import annotations

import asyncio
import random
import threading
import time

from sqlalchemy import select

from herald import bootstrap, tracking
from herald.campaigns import service as campaigns
from herald.config import Settings
from herald.contacts.importing import importer
from herald.outbox.models import Message
from herald.providers import Report
from herald.sandbox.faults import Faults
from herald.sandbox.gateway import SECRET, FakeGateway, running
from herald.types import Channel, Purpose
from tests.conftest import NOW
from tests.scenario import plan, publish, setup

SITA, JOHANNES = "+9779841234567", "+264811234567"


def stop(container, number: str, event: str) -> set[int]:
    """Record a STOP; the ids of the person's messages already given to a provider when it was recorded
    (read in the STOP's own unit of work, so nothing can be given in between)."""
    report = Report("inbound", None, sender=number, text="STOP", event=event)
    with container.uow() as uow:
        tracking.record_inbound(uow, "gateway", Channel.SMS, [report], container.replies, container.clock.now())
        given = select(Message.id).where(Message.address == number, Message.given_at.is_not(None))
        return set(uow.session.scalars(given))


def test_a_stop_between_preparing_and_sending_stops_the_prepared_message(db_url, tmp_path, clock):
    with running(FakeGateway()) as gateway:
        settings = Settings(
            env="test",
            database_url=db_url,
            outbox_dir=str(tmp_path / "o"),
            provider_accounts={"gateway": {"kind": "webhook", "url": gateway.url, "secret": "env:GATEWAY_SECRET"}},
            routing={"sms": ["gateway"]},
        )
        container = bootstrap.build(settings, clock=clock, environ={"GATEWAY_SECRET": SECRET})
        plan(container, setup(container, tmp_path))
        worker = container.worker()
        batch = worker._taken(worker._claim_and_prepare())  # claimed, decided, marked in flight
        assert SITA in {p.outgoing.to for p in batch.ready}
        assert stop(container, SITA, "stop-1") == set()
        asyncio.run(worker._send(batch))
        sent_to = {m["to"] for m in gateway.received.values() if "sale today" in m["body"]}
        answered = [m["to"] for m in gateway.received.values() if m["body"].startswith("You are unsubscribed")]
    assert SITA not in sent_to and JOHANNES in sent_to
    assert answered == [SITA]  # the one confirmation
    with container.uow() as uow:
        sita = uow.session.scalars(select(Message).where(Message.address == SITA)).one()
        assert (sita.status, sita.reason, sita.given_at) == ("skipped", "opted_out", None)
    assert worker.stats.opted_out == 1


def many_contacts(container, tmp_path, count: int) -> int:
    """`count` people in Kathmandu with SMS consent, and a transactional campaign to them all (no quiet
    hours, so the run does not depend on the time of day)."""
    lines = ["name,phone,consent_sms"] + [f"P{i},+97798{41000000 + i},yes" for i in range(count)]
    path = tmp_path / "many.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with container.uow() as uow:
        importer.import_file(uow, path, NOW, erasure_key=container.settings.secret_key)
        publish(uow, "notice", Channel.SMS, {"body": "Your order has shipped."}, purpose=Purpose.TRANSACTIONAL)
        return campaigns.create_campaign(uow, "Notice", "has:phone", "notice", NOW, purpose=Purpose.TRANSACTIONAL).id


def test_a_flood_of_stops_during_a_running_campaign_is_honoured_for_every_message(db_url, tmp_path):
    """The worker sends in small batches, two at a time, while STOPs arrive from another thread; for each
    person, what the vendor got is at most what was given before their STOP was recorded."""
    with running(FakeGateway(random=Faults(latency=0.02))) as gateway:
        settings = Settings(
            env="test",
            database_url=db_url,
            outbox_dir=str(tmp_path / "o"),
            batch_size=8,
            # Paced: a prepared message waits for its moment, as under a vendor's rate limit — the time an
            # opt-out may come between the decision and the request.
            provider_accounts={
                "gateway": {"kind": "webhook", "url": gateway.url, "secret": "env:GATEWAY_SECRET", "rate": 40}
            },
            routing={"sms": ["gateway"]},
        )
        container = bootstrap.build(settings, environ={"GATEWAY_SECRET": SECRET})  # the real clock
        campaign = many_contacts(container, tmp_path, 160)
        with container.uow() as uow:
            campaigns.plan_campaign(uow, campaign, container.clock.now())
        numbers = [f"+97798{41000000 + i}" for i in range(160)]
        chosen = random.Random(11).sample(numbers, 60)
        before: dict[str, set[int]] = {}

        def flood() -> None:  # from the first send on, a STOP every few milliseconds
            deadline = time.monotonic() + 60  # a worker that sent nothing fails the test, never hangs it
            while not gateway.received and time.monotonic() < deadline:
                time.sleep(0.001)
            for i, number in enumerate(chosen):
                before[number] = stop(container, number, f"flood-{i}")
                time.sleep(0.002)

        stopping = threading.Thread(target=flood)
        stopping.start()
        stats = asyncio.run(container.worker(batch_size=8).run(until_idle=True))
        stopping.join()
        received = [m["to"] for m in gateway.received.values() if m["body"] == "Your order has shipped."]
    with container.uow() as uow:
        given = {
            number: set(
                uow.session.scalars(select(Message.id).where(Message.address == number, Message.given_at.is_not(None)))
            )
            for number in chosen
        }
    for number in chosen:
        assert given[number] <= before[number], f"{number} was given a message after their STOP"
        assert received.count(number) == len(before[number])
    assert stats.sent + stats.skipped + stats.opted_out >= 160 - len(chosen)
    assert len(received) == stats.sent
