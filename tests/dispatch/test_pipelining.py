"""Batches overlap: the next batch is claimed and prepared while the last one's requests are in flight; a
stopped worker hands back every message it had not yet given to a provider."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from herald import bootstrap
from herald.campaigns import service as campaigns
from herald.contacts.importing import importer
from herald.outbox.models import Message
from herald.sandbox.faults import Faults
from herald.sandbox.gateway import FakeGateway, running
from herald.types import Channel
from tests.conftest import NOW
from tests.dispatch.gateway import through_gateway
from tests.scenario import publish

PEOPLE = 12  # in Kathmandu, where 19:45 is a fine hour


def built(db_url, tmp_path, clock, url: str, **gateway) -> bootstrap.Container:
    container = through_gateway(db_url, tmp_path, clock, url, **gateway)
    container.migrate()  # a no-op on the tests' databases, made ready beforehand
    path = tmp_path / "people.csv"
    path.write_text("name,phone,consent_sms\n" + "".join(f"P{i},+97798412300{i:02d},yes\n" for i in range(PEOPLE)))
    with container.uow() as uow:
        importer.import_file(uow, path, NOW, erasure_key=container.settings.secret_key)
        publish(uow, "sale", Channel.SMS, {"body": "Hi {{ first_name }}, sale today. Reply STOP to opt out."})
        campaign = campaigns.create_campaign(uow, "Sale", "has:phone", "sale", NOW)
    with container.uow() as uow:
        campaigns.plan_campaign(uow, campaign.id, NOW)
    return container


def test_the_next_batch_is_in_flight_before_the_last_one_is_answered(db_url, tmp_path, clock) -> None:
    with running(FakeGateway(random=Faults(latency=0.3))) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url)
        stats = asyncio.run(container.worker(batch_size=4).run(until_idle=True))
    assert (stats.sent, stats.batches) == (PEOPLE, 3) and len(gateway.received) == PEOPLE and not gateway.repeats
    assert gateway.peak > 4  # two batches' requests were at the gateway at once


def test_a_stopped_worker_hands_back_the_messages_still_waiting_for_their_moment(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = built(db_url, tmp_path, clock, gateway.url, rate=2)  # one every half second

        async def stopped_early() -> None:
            task = asyncio.create_task(container.worker(batch_size=3).run(until_idle=True))
            for _ in range(1000):  # until the first has gone; the second and third wait for their moments
                if gateway.received:
                    break
                await asyncio.sleep(0.01)
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        asyncio.run(stopped_early())
    with container.uow() as uow:
        rows = uow.session.execute(select(Message.status, Message.attempts, Message.error)).all()
    assert len(gateway.received) == 1 and sum(r.status == "sent" for r in rows) == 1
    back = [r for r in rows if r.error == "the worker stopped before sending it: queued again"]
    # The second and third of the first batch, and whatever of the next batch was prepared meanwhile.
    assert len(back) >= 2 and {(r.status, r.attempts) for r in back} == {("queued", 0)}
    assert {r.status for r in rows} == {"sent", "queued"}  # the rest were never claimed, or handed back


def test_overlapping_batches_leave_the_ledger_one_batch_after_another_would(tmp_path, clock) -> None:
    ledgers = []  # two fresh databases, one for each path (the loop does the same on either store)
    for overlapped in (True, False):
        folder = tmp_path / str(overlapped)
        folder.mkdir()
        with running(FakeGateway(faults={"+9779841230003": "refuse", "+9779841230007": "busy"})) as gateway:
            container = built(f"sqlite:///{folder / 'herald.db'}", folder, clock, gateway.url)
            worker = container.worker(batch_size=5)
            if overlapped:
                asyncio.run(worker.run(until_idle=True))
            else:
                while asyncio.run(worker.run_once()):
                    pass
        with container.uow() as uow:
            rows = uow.session.execute(select(Message.address, Message.status, Message.attempts, Message.error))
            ledgers.append(sorted(tuple(r) for r in rows))
        container.close()
    assert ledgers[0] == ledgers[1] and {r[1] for r in ledgers[0]} == {"sent", "failed", "queued"}
