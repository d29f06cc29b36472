"""What vendors and recipients send back in floods — receipts, replies, clicks — finds its rows by an index:
none of it reads the whole ledger (the database's query plans, asked of every statement it runs)."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from herald import tracking
from herald.outbox.models import Message
from herald.providers import Report
from herald.sandbox.gateway import FakeGateway, running
from herald.tracking.models import Link
from herald.types import Channel
from tests.dispatch.gateway import through_gateway
from tests.plans import scans
from tests.scenario import plan, setup
from tests.tracking.clicks.test_links import IPHONE, TEMPLATE
from tests.tracking.test_receipts import SITA

KEY = b"visitor key"


@pytest.fixture
def sent(db_url, tmp_path, clock):
    """The scenario's campaign sent through a gateway."""
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url, public_url="https://go.example")
        plan(container, setup(container, tmp_path, template=TEMPLATE))
        asyncio.run(container.worker().run(until_idle=True))
    yield container
    container.close()


def test_receipts_by_the_vendors_id_find_their_messages_by_the_index(sent) -> None:
    with sent.uow() as uow:
        vendor_ids = list(uow.session.scalars(select(Message.provider_message_id).where(Message.provider == "gateway")))
    reports = [Report("status", v, "delivered", event=f"e-{v}") for v in vendor_ids]
    with scans(sent.engine) as found, sent.uow() as uow:
        counts = tracking.record_receipt_batches(uow, [("gateway", reports)], sent.clock.now())
    assert counts == [{"applied": len(vendor_ids)}] and len(vendor_ids) > 1
    assert found == []


def test_a_stop_reply_finds_its_sender_by_the_index(sent) -> None:
    stop = Report("inbound", "in-1", sender=SITA, text="退订", event="in-1", at=sent.clock.now())
    with scans(sent.engine) as found, sent.uow() as uow:
        heard = tracking.record_inbound(uow, "gateway", Channel.SMS, [stop], sent.replies, sent.clock.now())
    assert heard["stop"] == 1
    assert found == []


def test_clicks_find_their_links_by_the_index(sent) -> None:
    with sent.uow() as uow:
        codes = list(uow.session.scalars(select(Link.code)))
    visits = [tracking.Visit(code, IPHONE, "203.0.113.9") for code in codes]
    with scans(sent.engine) as found, sent.uow() as uow:
        leads = tracking.record_visits(uow, visits, KEY, sent.clock.now())
    assert None not in leads and len(leads) > 1
    assert found == []


def test_the_check_sees_a_statement_that_reads_every_message(sent) -> None:
    with scans(sent.engine) as found, sent.uow() as uow:
        uow.session.scalars(select(Message).where(Message.provider_message_id == "gw-1")).all()
    # SQLite scans the table; PostgreSQL walks the whole index on (account, vendor's id), asked only the second.
    (read,) = found
    assert read.startswith(("SCAN messages", "Seq Scan on messages", "Index Scan on messages using"))


def test_the_workers_rounds_over_waiting_receipts_replies_and_webhooks_read_only_their_own(sent) -> None:
    now = sent.clock.now()
    with scans(sent.engine) as found, sent.uow() as uow:
        tracking.apply_waiting(uow, now)
        tracking.answers_due(uow, now)
        tracking.deliveries_due(uow, now)
    assert found == []


def test_the_check_sees_a_range_of_ids_open_at_one_end_but_not_one_closed_at_both(sent) -> None:
    with scans(sent.engine) as found, sent.uow() as uow:
        uow.session.scalars(select(Message.id).where(Message.id > 1)).all()
    assert len(found) == 1
    with scans(sent.engine) as found, sent.uow() as uow:
        uow.session.scalars(select(Message.id).where(Message.id.between(2, 5))).all()
        uow.session.scalars(select(Message.id).where(Message.id.in_([2, 3]))).all()
    assert found == []
