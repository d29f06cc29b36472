"""Receipts kept by a callback's answer and applied by the worker soon after: kept once per vendor event,
applied in the order they came, to the same end as receipts applied before the answer."""

from __future__ import annotations

import asyncio
import shutil
from datetime import timedelta

from sqlalchemy import select

from herald import tracking
from herald.events.models import Event
from herald.outbox.models import Message
from herald.tracking.models import ReceiptRecord
from tests.plans import scans
from tests.tracking.test_receipts import JOHANNES, SITA, message, receive, sent_through_gateway, status


def keep(container, *reports, account: str = "gateway") -> dict[str, int]:
    with container.uow() as uow:
        return dict(tracking.keep_receipt_batches(uow, [(account, reports)], container.clock.now())[0])


def apply(container, page: int = 1000) -> dict[str, int]:
    with container.uow() as uow:
        return dict(tracking.apply_queued(uow, container.clock.now(), page))


def ledger(container) -> dict[str, list]:
    with container.uow() as uow:
        read = uow.session.execute
        return {
            "messages": list(read(select(Message.address, Message.delivery, Message.delivered_at, Message.read_at))),
            "receipts": list(read(select(ReceiptRecord.event, ReceiptRecord.outcome).order_by(ReceiptRecord.id))),
            "events": list(read(select(Event.type, Event.contact_id).order_by(Event.id))),
        }


def test_a_kept_receipt_waits_for_the_worker_and_is_kept_once(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    sita = message(container, SITA)
    twice = status(sita.id, "delivered", "e1")
    assert keep(container, twice, twice) == {"queued": 1, "repeated": 1}  # an event twice in one go
    assert keep(container, status(sita.id, "delivered", "e1")) == {"repeated": 1}
    assert message(container, SITA).delivery is None
    assert apply(container) == {"applied": 1}
    assert message(container, SITA).delivery == "delivered"
    assert apply(container) == {}


def test_kept_receipts_are_applied_in_the_order_they_came_a_page_at_a_time(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    sita, johannes = message(container, SITA), message(container, JOHANNES)
    later = clock.now() + timedelta(minutes=1)
    keep(container, status(sita.id, "read", "e1", at=later), status(johannes.id, "undelivered", "e2", code="30003"))
    keep(container, status(sita.id, "delivered", "e3", at=later))
    assert apply(container, page=2) == {"applied": 2}
    assert apply(container, page=2) == {"stale": 1}  # "delivered" after "read" says nothing new
    assert (message(container, SITA).delivery, message(container, JOHANNES).error_code) == ("read", "30003")


def test_kept_then_applied_leaves_what_applied_at_once_leaves(tmp_path, sqlite_template, clock) -> None:
    urls = []
    for name in ("a", "b"):  # two installations alike
        (tmp_path / name).mkdir()
        shutil.copy(sqlite_template, tmp_path / name / "herald.db")
        urls.append(f"sqlite:///{tmp_path / name / 'herald.db'}")
    first = sent_through_gateway(urls[0], tmp_path / "a", clock)
    reports = [
        status(message(first, SITA).id, "delivered", "e1"),
        status(message(first, SITA).id, "read", "e2"),
        status(message(first, JOHANNES).id, "failed", "e3", code="21610"),
        status(999999, "delivered", "e4"),  # no such message
    ]
    keep(first, *reports)
    apply(first)
    kept_then_applied = ledger(first)
    first.close()
    second = sent_through_gateway(urls[1], tmp_path / "b", clock)
    receive(second, *reports)
    assert ledger(second) == kept_then_applied


def test_the_worker_applies_kept_receipts_before_it_claims_the_next_batch(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    keep(container, status(message(container, SITA).id, "read", "e1"))
    stats = asyncio.run(container.worker().run(until_idle=True))
    assert message(container, SITA).delivery == "read"
    assert "receipts applied as their callbacks were kept: 1" in stats.events


def test_keeping_and_applying_find_their_rows_by_index(db_url, tmp_path, clock) -> None:
    container = sent_through_gateway(db_url, tmp_path, clock)
    sita = message(container, SITA)
    with scans(container.engine) as found:
        keep(container, status(sita.id, "read", "e1"))
        apply(container)
    assert found == []
