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

from sqlalchemy import bindparam, select, update

from herald import outbox
from herald.db import UnitOfWork, upsert_insert
from herald.events import EventIn, record_events
from herald.providers import Report
from herald.tracking.models import QUEUED_OUTCOME, TO_APPLY, WAITING, ReceiptRecord
from herald.tracking.reactions import after_events

# A receipt whose message is still in flight after this long will not be matched: it is given up on.
WAIT_AT_MOST = timedelta(days=1)


def record_receipts(uow: UnitOfWork, account: str, reports: Sequence[Report], now: datetime) -> Counter[str]:
    """Keep each status report of an account once, and apply the new ones; counts what became of them
    (applied, waiting, stale, unmatched, repeated, ignored)."""
    return record_receipt_batches(uow, [(account, reports)], now)[0]


def record_receipt_batches(
    uow: UnitOfWork, batches: Sequence[tuple[str, Sequence[Report]]], now: datetime
) -> list[Counter[str]]:
    """`record_receipts` for many callbacks at once (kept in one statement, their messages read and moved
    in two): what became of each callback's reports."""
    counts, wanted = _wanted(batches, now)
    kept = _keep(uow, wanted, now, "new")
    new = [(w, kept.pop((w[1], w[2]))) for w in wanted if (w[1], w[2]) in kept]
    for index, *_ in wanted:
        counts[index]["repeated"] += 1
    receipts = [receipt for (_, _, _, receipt), _ in new]
    applied = outbox.apply_receipts(uow, [(account, receipt) for (_, account, _, receipt), _ in new], now)
    for ((index, *_), _), done in zip(new, applied, strict=True):
        counts[index]["repeated"] -= 1
        counts[index][done.outcome] += 1
    _note(uow, [(row_id, done.outcome) for (_, row_id), done in zip(new, applied, strict=True)])
    _events(uow, receipts, applied, now)
    return [+c for c in counts]  # (without the zeros)


# The event each applied stage is, for the contact: segments, tags and reports read them.
FACTS = {
    "delivered": "message.delivered",
    "read": "message.read",
    "undelivered": "message.undelivered",
    "failed": "message.failed",
}


def _events(
    uow: UnitOfWork, receipts: Sequence[outbox.Receipt], applied: Sequence[outbox.Applied], now: datetime
) -> None:
    """Each receipt that moved its message forward, as its contact's event (one call for the batch)."""
    events = [
        EventIn(
            FACTS[receipt.stage],
            receipt.at,
            done.contact_id,
            properties={"message_id": done.message_id, "code": receipt.code},
            event_id=f"{FACTS[receipt.stage]}:{done.message_id}",
        )
        for receipt, done in zip(receipts, applied, strict=True)
        if done.outcome == "applied" and receipt.stage in FACTS and done.contact_id is not None
    ]
    if events:
        record_events(uow, events, now, source="tracking", after=after_events)


def _receipt(report: Report, now: datetime) -> outbox.Receipt:
    return outbox.Receipt(
        str(report.status),
        report.at or now,
        report.reference,
        report.provider_message_id,
        report.code,
        report.detail,
        report.fallback,
        report.price,
        report.currency,
    )


def _event(report: Report) -> str:
    """The vendor's identity of the event, else one made of what it says."""
    if report.event:
        return report.event[:255]
    said = f"{report.reference}|{report.provider_message_id}|{report.status}|{report.code}"
    return "h:" + hashlib.sha256(said.encode()).hexdigest()


def keep_receipt_batches(
    uow: UnitOfWork, batches: Sequence[tuple[str, Sequence[Report]]], now: datetime
) -> list[Counter[str]]:
    """Keep each callback's status reports once, to be applied by the worker (`apply_queued`) rather than
    now: what became of each callback's reports (queued, repeated, ignored)."""
    counts, wanted = _wanted(batches, now)
    kept = _keep(uow, wanted, now, QUEUED_OUTCOME)
    for index, account, event, _ in wanted:
        counts[index]["queued" if kept.pop((account, event), None) is not None else "repeated"] += 1
    return [+c for c in counts]


def _wanted(
    batches: Sequence[tuple[str, Sequence[Report]]], now: datetime
) -> tuple[list[Counter[str]], list[tuple[int, str, str, outbox.Receipt]]]:
    """Each callback's status reports as receipts, (callback, account, event, receipt); anything else is
    counted as ignored."""
    counts: list[Counter[str]] = [Counter() for _ in batches]
    wanted: list[tuple[int, str, str, outbox.Receipt]] = []
    for index, (account, reports) in enumerate(batches):
        for report in reports:
            if report.kind != "status" or report.status not in outbox.STAGES:
                counts[index]["ignored"] += 1
            else:
                wanted.append((index, account, _event(report), _receipt(report, now)))
    return counts, wanted


def apply_queued(uow: UnitOfWork, now: datetime, page: int = 1000) -> Counter[str]:
    """Apply up to `page` of the receipts kept to be applied later, in the order they came: what became of
    them (applied, waiting, stale, unmatched)."""
    # Locked as read: a second worker takes the next ones (PostgreSQL; SQLite's writer lock already does).
    oldest = select(ReceiptRecord.id).where(TO_APPLY).order_by(ReceiptRecord.id).limit(page)
    ids = list(uow.session.scalars(oldest.with_for_update(skip_locked=True)))
    counts: Counter[str] = Counter()
    if ids:
        rows = uow.session.scalars(select(ReceiptRecord).where(ReceiptRecord.id.in_(ids)).order_by(ReceiptRecord.id))
        _apply_again(uow, list(rows), now, counts)
    return counts


def _keep(
    uow: UnitOfWork, wanted: Sequence[tuple[int, str, str, outbox.Receipt]], now: datetime, outcome: str
) -> dict[tuple[str, str], int]:
    """Keep the receipts not kept before, in one statement a few hundred at a time: the new rows' ids by
    (account, event). An event twice in one go is kept once."""
    rows = [_values(account, event, receipt, now, outcome) for _, account, event, receipt in wanted]
    if not rows:
        return {}
    # One statement, compiled once and sent as few multi-row INSERTs as the driver allows (SQLAlchemy's
    # "insertmanyvalues"): a repeat is skipped by the unique key, the new rows come back.
    stmt = (
        upsert_insert(uow.session, ReceiptRecord)
        .on_conflict_do_nothing(index_elements=["account", "event"])
        .returning(ReceiptRecord.id, ReceiptRecord.account, ReceiptRecord.event)
    )
    return {(account, event): row_id for row_id, account, event in uow.session.connection().execute(stmt, rows)}


def _values(account: str, event: str, receipt: outbox.Receipt, now: datetime, outcome: str) -> dict[str, object]:
    return {
        "account": account,
        "event": event,
        "message_id": receipt.message_id,
        "provider_message_id": receipt.provider_message_id,
        "stage": receipt.stage,
        "code": receipt.code,
        "detail": receipt.detail,
        "fallback": receipt.fallback,
        "price": receipt.price,
        "currency": receipt.currency,
        "occurred_at": receipt.at,
        "received_at": now,
        "outcome": outcome,
    }


def _note(uow: UnitOfWork, outcomes: Sequence[tuple[int, str]]) -> None:
    """Write down what applying each new receipt did."""
    if outcomes:
        stmt = update(ReceiptRecord).where(ReceiptRecord.id == bindparam("rid")).values(outcome=bindparam("done"))
        uow.session.connection().execute(stmt, [{"rid": rid, "done": done} for rid, done in outcomes])


def apply_waiting(uow: UnitOfWork, now: datetime, page: int = 1000) -> Counter[str]:
    """Apply again the receipts that came before their message's send result, in the order they came; give
    up on those whose message is still not sent after a day."""
    counts: Counter[str] = Counter()
    # Their ids from the partial index, which holds the waiting alone; never a walk over every receipt kept.
    waiting = select(ReceiptRecord.id).where(WAITING).order_by(ReceiptRecord.received_at, ReceiptRecord.id)
    ids = list(uow.session.scalars(waiting))
    for start in range(0, len(ids), page):
        order = {rid: n for n, rid in enumerate(ids[start : start + page])}
        rows = uow.session.scalars(select(ReceiptRecord).where(ReceiptRecord.id.in_(order)))
        _apply_again(uow, sorted(rows, key=lambda row: order[row.id]), now, counts)
    return counts


def _apply_again(uow: UnitOfWork, rows: list[ReceiptRecord], now: datetime, counts: Counter[str]) -> None:
    receipts = [_kept(row) for row in rows]
    applied = outbox.apply_receipts(uow, [(row.account, r) for row, r in zip(rows, receipts, strict=True)], now)
    for row, done in zip(rows, applied, strict=True):
        outcome = done.outcome
        if outcome == "waiting" and now - row.received_at > WAIT_AT_MOST:
            outcome = "unmatched"
        row.outcome = outcome
        counts[outcome] += 1
    _events(uow, receipts, applied, now)


def _kept(row: ReceiptRecord) -> outbox.Receipt:
    return outbox.Receipt(
        row.stage,
        row.occurred_at,
        row.message_id,
        row.provider_message_id,
        row.code,
        row.detail,
        row.fallback,
        row.price,
        row.currency,
    )
