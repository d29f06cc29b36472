"""A sent message moved forward as its vendor reports delivery.

The sending life of a message (`status`: queued → claimed → inflight → sent, or failed, unknown …) is the
worker's, fenced by lease tokens. What the vendor says afterwards is kept beside it, in `delivery`:
sent (handed on to the carrier or the handset's server) → delivered → read, or undelivered / failed with
the vendor's code. Receipts come late, more than once and out of order, so a stage only ever moves
forward: a `delivered` that arrives after `read` changes nothing. A receipt also settles a message left
`unknown` (the request timed out, but the vendor had it): it is sent after all, never to be resent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm.util import identity_key

from herald.db import UnitOfWork
from herald.outbox.models import Message
from herald.types import MessageStatus as S

# How far along each stage is; a receipt applies only when it is further than the message's own.
STAGES = {"sent": 1, "delivered": 2, "undelivered": 2, "failed": 2, "read": 3}
APPLIED, WAITING, STALE, UNMATCHED, FELL_BACK = "applied", "waiting", "stale", "unmatched", "fell_back"
MAX_ERROR = 500
TABLE = Message.__table__


@dataclass(frozen=True)
class Receipt:
    """What a vendor reported of one message."""

    stage: str  # a key of STAGES
    at: datetime  # when the vendor says it happened (else when the receipt arrived)
    message_id: int | None = None  # Herald's own reference, when the vendor carried it back
    provider_message_id: str | None = None  # the vendor's id of the message
    code: str | None = None  # the vendor's code, for undelivered or failed
    detail: str | None = None  # the vendor's words
    fallback: bool = False  # the channel cannot reach the person: decide again without it
    price: str | None = None  # what the vendor charged, when it says ("0": not billed)
    currency: str | None = None


def apply_receipt(uow: UnitOfWork, account: str, receipt: Receipt, now: datetime | None = None) -> str:
    """Move the message forward by a receipt from `account`: `applied`; `fell_back` when its channel cannot
    reach the person (queued again at `now` to be decided without it, as when a vendor says so at once);
    `waiting` while its send result is not recorded yet (the receipt beat the vendor's answer: apply it
    again later); `stale` when it says nothing new; `unmatched` when no message of this account is the one
    it names."""
    return apply_receipts(uow, [(account, receipt)], now)[0].outcome


class Applied(NamedTuple):
    """What a receipt did, and to which message (of which contact) when it found one."""

    outcome: str
    message_id: int | None = None
    contact_id: int | None = None


def apply_receipts(
    uow: UnitOfWork, receipts: Sequence[tuple[str, Receipt]], now: datetime | None = None
) -> list[Applied]:
    """`apply_receipt` for many receipts at once, in order (a later one sees what an earlier one did): the
    messages are read in two statements and their changes written together."""
    for _, receipt in receipts:
        if receipt.stage not in STAGES:
            raise ValueError(f"unknown delivery stage {receipt.stage!r}")
    found = _messages(uow, receipts)
    done = []
    for account, receipt in receipts:
        row = _matching(found, account, receipt)
        if row is None:
            done.append(Applied(UNMATCHED))
        else:
            done.append(Applied(_apply(row, receipt, now), row.id, row.contact_id))
    _write(uow, {row.id: row for row in found.values() if row.changed}.values())
    return done


@dataclass
class Seen:
    """A message as its receipts see it — these columns alone, not the whole row nor its planning trail —
    and what they changed of it, written once after them all."""

    id: int
    contact_id: int
    status: str
    channel: str | None
    avoid: str | None
    provider: str | None
    provider_message_id: str | None
    delivery: str | None
    delivered_at: datetime | None
    cost: str | None
    cost_currency: str | None
    changed: dict[str, Any] = field(default_factory=dict)

    def change(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            setattr(self, name, value)
        self.changed.update(values)


SEEN = [f.name for f in fields(Seen) if f.name != "changed"]


def _apply(row: Seen, receipt: Receipt, now: datetime | None) -> str:
    if row.status in (S.QUEUED, S.CLAIMED, S.INFLIGHT):
        return WAITING
    if row.status not in (S.SENT, S.UNKNOWN):
        return STALE
    # Stamped with when it changed: what reads "changed since" (analytics' tallies) finds it.
    stamp = {"updated_at": now or receipt.at}
    if receipt.fallback and row.channel and receipt.stage in ("failed", "undelivered"):
        row.change(_fallen_back(row, receipt, now or receipt.at) | stamp)
        return FELL_BACK
    values = _forward(row, receipt)
    if not values:
        return STALE
    row.change(values | stamp)
    return APPLIED


def _messages(uow: UnitOfWork, receipts: Sequence[tuple[str, Receipt]]) -> dict[Any, Seen]:
    """The messages the receipts may name, by Herald's id and by (account, vendor's id)."""
    uow.flush()  # a message changed in this unit of work is read as changed
    ids = {r.message_id for _, r in receipts if r.message_id is not None}
    vendor_ids = {r.provider_message_id for _, r in receipts if r.provider_message_id}
    accounts = {account for account, r in receipts if r.provider_message_id}
    seen = select(*(TABLE.c[name] for name in SEEN))
    rows = list(uow.session.execute(seen.where(TABLE.c.id.in_(ids)))) if ids else []
    if vendor_ids:
        # By account and vendor's id, the index's two columns: the vendor's id alone would read every message.
        named = TABLE.c.provider.in_(accounts) & TABLE.c.provider_message_id.in_(vendor_ids)
        rows += uow.session.execute(seen.where(named))
    found: dict[Any, Seen] = {}
    for values in rows:
        row = found.get(values.id) or Seen(*values)
        found[row.id] = row
        if row.provider_message_id:
            found[(row.provider, row.provider_message_id)] = row
    return found


def _write(uow: UnitOfWork, rows: Iterable[Seen]) -> None:
    """The receipts' changes, one statement for each set of columns changed (nearly always one); a copy of
    one of these messages the unit of work already holds is told to read itself again."""
    changes: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in rows:
        names = tuple(sorted(row.changed))
        changes.setdefault(names, []).append({"_id": row.id} | {f"_{k}": v for k, v in row.changed.items()})
        held = uow.session.identity_map.get(identity_key(Message, row.id))
        if held is not None:
            uow.session.expire(held, list(names))
    for names, params in changes.items():
        stmt = update(TABLE).where(TABLE.c.id == bindparam("_id")).values({k: bindparam(f"_{k}") for k in names})
        uow.session.connection().execute(stmt, params)


def _matching(found: dict[Any, Seen], account: str, receipt: Receipt) -> Seen | None:
    """The message a receipt names: by Herald's reference, else by the vendor's id; only one that went
    through this account (a reference is no key to another account's messages)."""
    row = found.get(receipt.message_id) if receipt.message_id is not None else None
    if row is None and receipt.provider_message_id:
        row = found.get((account, receipt.provider_message_id))
    if row is None or row.provider not in (None, account):  # None: not yet given to any account
        return None
    mismatch = receipt.provider_message_id and row.provider_message_id not in (None, receipt.provider_message_id)
    return None if mismatch else row


def _fallen_back(row: Seen, receipt: Receipt, now: datetime) -> dict[str, Any]:
    """A sent message queued again at once, its channel set aside: the rules choose among the rest (or
    none, and it fails as unreachable). What the channel's vendor reported is cleared for the next."""
    avoided = sorted({*filter(None, (row.avoid or "").split(",")), str(row.channel)})
    error = f"{row.channel} cannot reach them: {receipt.detail or receipt.code}"
    return {
        "status": S.QUEUED,
        "due_at": now,
        "avoid": ",".join(avoided),
        "error": error[:MAX_ERROR],
        "error_code": receipt.code,
        "provider_message_id": None,
        "delivery": None,
        "delivered_at": None,
        "read_at": None,
    }


def _forward(row: Seen, receipt: Receipt) -> dict[str, Any]:
    """The changes a receipt makes to a sent (or unknown) message; none when it is not news."""
    values: dict[str, Any] = {}
    if row.status == S.UNKNOWN:
        values.update(status=S.SENT, sent_at=receipt.at, reason="confirmed_by_receipt", error=None)
    if row.provider_message_id is None and receipt.provider_message_id:
        values["provider_message_id"] = receipt.provider_message_id
    if receipt.price is not None and (receipt.price, receipt.currency) != (row.cost, row.cost_currency):
        values.update(cost=receipt.price, cost_currency=receipt.currency)
    if STAGES[receipt.stage] > STAGES.get(row.delivery or "", 0):
        values["delivery"] = receipt.stage
        if receipt.stage == "delivered":
            values["delivered_at"] = receipt.at
        elif receipt.stage == "read":
            values.update(read_at=receipt.at, delivered_at=row.delivered_at or receipt.at)
        elif receipt.stage in ("undelivered", "failed"):
            values.update(error_code=receipt.code, error=(receipt.detail or receipt.code or receipt.stage)[:MAX_ERROR])
    return values
