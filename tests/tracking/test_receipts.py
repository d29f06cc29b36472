"""Receipts: kept once per vendor event, applied forward only, settling unknown messages, and waiting for
a send result they beat."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import select

from herald import outbox, tracking
from herald.outbox.models import Message
from herald.providers import Report
from herald.sandbox.gateway import FakeGateway, running
from tests.dispatch.gateway import through_gateway
from tests.scenario import plan, setup

SITA, JOHANNES = "+9779841234567", "+264811234567"


def sent_through_gateway(db_url, tmp_path, clock, faults=None):
    with running(FakeGateway(faults=faults or {})) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url, timeout=0.5)
        plan(container, setup(container, tmp_path))
        asyncio.run(container.worker().run(until_idle=True))
    return container


def message(container, address: str) -> Message:
    with container.uow() as uow:
        row = uow.session.scalars(select(Message).where(Message.address == address)).one()
        uow.session.expunge(row)
        return row


def receive(container, *reports: Report, account: str = "gateway"):
    with container.uow() as uow:
        return dict(tracking.record_receipts(uow, account, reports, container.clock.now()))


def status(ref: int, stage: str, event: str, **more) -> Report:
    return Report("status", more.pop("provider_message_id", None), stage, reference=ref, event=event, **more)


def test_a_message_moves_forward_only_and_each_event_counts_once(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    sita = message(container, SITA)
    later = clock.now() + timedelta(minutes=1)
    assert receive(container, status(sita.id, "delivered", "e1", at=later)) == {"applied": 1}
    assert receive(container, status(sita.id, "delivered", "e1", at=later)) == {"repeated": 1}
    read = later + timedelta(minutes=5)
    assert receive(container, status(sita.id, "read", "e2", at=read), status(sita.id, "sent", "e0")) == {
        "applied": 1,
        "stale": 1,  # "sent", arriving late, says nothing new
    }
    row = message(container, SITA)
    assert (row.status, row.delivery, row.delivered_at, row.read_at) == ("sent", "read", later, read)


def test_an_undelivered_receipt_keeps_the_vendors_code(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    sita = message(container, SITA)
    gone = status(sita.id, "undelivered", "e1", code="30003", detail="30003: Unreachable destination handset")
    assert receive(container, gone, status(sita.id, "delivered", "e2")) == {"applied": 1, "stale": 1}
    row = message(container, SITA)
    assert (row.delivery, row.error_code, row.error) == (
        "undelivered",
        "30003",
        "30003: Unreachable destination handset",
    )


def test_a_receipt_settles_a_message_left_unknown(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock, faults={SITA: "hang"})
    sita = message(container, SITA)
    assert sita.status == "unknown"
    assert receive(container, status(sita.id, "delivered", "e1", provider_message_id="gw-9")) == {"applied": 1}
    row = message(container, SITA)
    assert (row.status, row.reason, row.delivery, row.provider_message_id) == (
        "sent",
        "confirmed_by_receipt",
        "delivered",
        "gw-9",
    )


def test_a_receipt_names_only_its_own_accounts_messages(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    sita, johannes = message(container, SITA), message(container, JOHANNES)
    assert receive(container, status(sita.id, "delivered", "e1"), account="another") == {"unmatched": 1}
    wrong = status(sita.id, "delivered", "e2", provider_message_id=johannes.provider_message_id)
    assert receive(container, wrong) == {"unmatched": 1}  # a reference and a vendor id that disagree
    by_vendor_id = Report("status", johannes.provider_message_id, "delivered", event="e3")
    assert receive(container, by_vendor_id, Report("inbound", None, text="STOP"), status(sita.id, "queued", "e4")) == {
        "applied": 1,
        "ignored": 2,
    }
    assert message(container, JOHANNES).delivery == "delivered" and message(container, SITA).delivery is None


def test_a_receipt_that_beats_the_send_result_waits_for_it(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url)
        plan(container, setup(container, tmp_path))
        with container.uow() as uow:
            [first, *_] = outbox.claim_batch(uow, 1, clock.now(), timedelta(minutes=2))
            outbox.mark_inflight(uow, first.id, first.token, "sms", SITA, "gateway", clock.now())
        priced = replace(status(first.id, "delivered", "e1"), price="0.0075", currency="USD")
        assert receive(container, priced) == {"waiting": 1}
        with container.uow() as uow:
            outbox.mark_sent(uow, first.id, first.token, "gw-1", clock.now())
        with container.uow() as uow:
            assert dict(tracking.apply_waiting(uow, clock.now())) == {"applied": 1}
        with container.uow() as uow:
            assert dict(tracking.apply_waiting(uow, clock.now())) == {}
    assert uow is not None and message(container, SITA).delivery == "delivered"
    kept = message(container, SITA)
    assert (kept.cost, kept.cost_currency) == ("0.0075", "USD")  # what the vendor charged, kept while it waited


def test_a_receipt_waiting_more_than_a_day_is_given_up(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url)
        plan(container, setup(container, tmp_path))
    with container.uow() as uow:
        [first, *_] = outbox.claim_batch(uow, 1, clock.now(), timedelta(minutes=2))
    assert receive(container, status(first.id, "delivered", "e1")) == {"waiting": 1}
    with container.uow() as uow:
        assert dict(tracking.apply_waiting(uow, clock.now() + timedelta(days=2))) == {"unmatched": 1}


def test_the_campaign_report_says_how_far_the_sent_messages_got(db_url, tmp_path, clock) -> None:
    from herald.analytics import campaign_report
    from herald.campaigns import get_campaign

    container = sent_through_gateway(db_url, tmp_path, clock)
    sita, johannes = message(container, SITA), message(container, JOHANNES)
    receive(container, status(sita.id, "read", "e1"), status(johannes.id, "undelivered", "e2", code="30003"))
    with container.uow() as uow:
        report = campaign_report(uow.session, get_campaign(uow, sita.campaign_id), clock.now())
    assert report["sent"] == 2
    assert report["delivery"] == {"delivered": 0, "read": 1, "sent": 0, "undelivered": 1, "failed": 0, "no_receipt": 0}


def test_each_stage_a_message_reaches_is_an_event_of_its_contact(db_url, tmp_path, clock) -> None:
    from herald.events import Event

    container = sent_through_gateway(db_url, tmp_path, clock)
    sita = message(container, SITA)
    later = clock.now() + timedelta(minutes=1)
    receive(container, status(sita.id, "delivered", "d1", at=later), status(sita.id, "read", "r1", at=later))
    receive(container, status(sita.id, "delivered", "d2", at=later))  # stale: no second event
    with container.uow() as uow:
        found = [(e.type, e.properties["message_id"]) for e in uow.session.scalars(select(Event).order_by(Event.id))]
    assert found == [("message.delivered", sita.id), ("message.read", sita.id)]


def test_the_same_event_twice_in_one_batch_is_kept_once(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    sita = message(container, SITA)
    twice = [("gateway", [status(sita.id, "delivered", "same")]), ("gateway", [status(sita.id, "delivered", "same")])]
    with container.uow() as uow:
        counts = tracking.record_receipt_batches(uow, twice, clock.now())
    assert [dict(c) for c in counts] == [{"applied": 1}, {"repeated": 1}]


def test_a_message_the_unit_of_work_already_holds_reads_what_its_receipt_changed(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    with container.uow() as uow:
        held = uow.session.scalars(select(Message).where(Message.address == SITA)).one()
        assert held.delivery is None
        receipt = outbox.Receipt("delivered", clock.now(), held.id)
        assert outbox.apply_receipts(uow, [(held.provider, receipt)], clock.now())[0].outcome == "applied"
        assert (held.delivery, held.delivered_at) == ("delivered", clock.now())


def test_receipts_of_one_message_in_one_batch_each_see_what_the_one_before_did(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    sita = message(container, SITA)
    later = clock.now() + timedelta(minutes=1)
    stages = [("delivered", later), ("read", later + timedelta(minutes=2)), ("delivered", later)]
    receipts = [(sita.provider, outbox.Receipt(stage, at, sita.id)) for stage, at in stages]
    with container.uow() as uow:
        done = outbox.apply_receipts(uow, receipts, clock.now())
    assert [d.outcome for d in done] == ["applied", "applied", "stale"]
    row = message(container, SITA)
    assert (row.delivery, row.delivered_at, row.read_at) == ("read", later, later + timedelta(minutes=2))
