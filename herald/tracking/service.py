"""Use cases of the tracking room; the only writer of `receipts`. Services never commit.

A vendor's receipt is kept once by the vendor's identity of the event — vendors retry for days and send
events twice — and applied through the outbox: its message moves forward, and an `unknown` one is
settled. A receipt that beats the vendor's own answer to the send waits, and is applied again by the
worker once the answer is recorded."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from herald import outbox
from herald.db import UnitOfWork, upsert_insert
from herald.providers import Report
from herald.tracking.models import ReceiptRecord

# A receipt whose message is still in flight after this long will not be matched: it is given up on.
WAIT_AT_MOST = timedelta(days=1)


def record_receipts(uow: UnitOfWork, account: str, reports: Sequence[Report], now: datetime) -> Counter[str]:
    """Keep each status report of an account once, and apply the new ones; counts what became of them
    (applied, waiting, stale, unmatched, repeated, ignored)."""
    counts: Counter[str] = Counter()
    for report in reports:
        if report.kind != "status" or report.status not in outbox.STAGES:
            counts["ignored"] += 1
            continue
        receipt = outbox.Receipt(
            report.status,
            report.at or now,
            report.reference,
            report.provider_message_id,
            report.code,
            report.detail,
            report.fallback,
        )
        row = _keep(uow, account, _event(report), receipt, now)
        if row is None:
            counts["repeated"] += 1
            continue
        row.outcome = outbox.apply_receipt(uow, account, receipt, now)
        counts[row.outcome] += 1
    return counts


def _event(report: Report) -> str:
    """The vendor's identity of the event, else one made of what it says."""
    if report.event:
        return report.event[:255]
    said = f"{report.reference}|{report.provider_message_id}|{report.status}|{report.code}"
    return "h:" + hashlib.sha256(said.encode()).hexdigest()


def _keep(uow: UnitOfWork, account: str, event: str, receipt: outbox.Receipt, now: datetime) -> ReceiptRecord | None:
    """The receipt's row, newly kept; None when the event was kept before."""
    values = {
        "account": account,
        "event": event,
        "message_id": receipt.message_id,
        "provider_message_id": receipt.provider_message_id,
        "stage": receipt.stage,
        "code": receipt.code,
        "detail": receipt.detail,
        "fallback": receipt.fallback,
        "occurred_at": receipt.at,
        "received_at": now,
        "outcome": "new",
    }
    stmt = (
        upsert_insert(uow.session, ReceiptRecord)
        .values(values)
        .on_conflict_do_nothing(index_elements=["account", "event"])
    )
    new_id = uow.session.scalar(stmt.returning(ReceiptRecord.id))
    return uow.session.get(ReceiptRecord, new_id) if new_id is not None else None


def apply_waiting(uow: UnitOfWork, now: datetime, page: int = 1000) -> Counter[str]:
    """Apply again the receipts that came before their message's send result, in the order they came; give
    up on those whose message is still not sent after a day."""
    counts: Counter[str] = Counter()
    after = 0
    while rows := list(
        uow.session.scalars(
            select(ReceiptRecord)
            .where(ReceiptRecord.outcome == "waiting", ReceiptRecord.id > after)
            .order_by(ReceiptRecord.id)
            .limit(page)
        )
    ):
        after = rows[-1].id
        _apply_again(uow, rows, now, counts)
    return counts


def _apply_again(uow: UnitOfWork, rows: list[ReceiptRecord], now: datetime, counts: Counter[str]) -> None:
    for row in rows:
        receipt = outbox.Receipt(
            row.stage, row.occurred_at, row.message_id, row.provider_message_id, row.code, row.detail, row.fallback
        )
        outcome = outbox.apply_receipt(uow, row.account, receipt, now)
        if outcome == "waiting" and now - row.received_at > WAIT_AT_MOST:
            outcome = "unmatched"
        row.outcome = outcome
        counts[outcome] += 1
