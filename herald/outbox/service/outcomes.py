"""What became of a claimed message — sent, to be retried, not sent yet, passed to the next channel, failed,
left unknown, skipped — each fenced by the claim's lease token; and how an operator settles one left
unknown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import update

from herald.db import UnitOfWork, rowcount
from herald.outbox.models import Message
from herald.outbox.service.leases import fenced
from herald.types import MessageStatus as S


def mark_sent(uow: UnitOfWork, message_id: int, token: str, provider_message_id: str, now: datetime) -> bool:
    """The provider accepted the message."""
    stmt = fenced(message_id, token, S.INFLIGHT).values(
        status=S.SENT,
        provider_message_id=provider_message_id,
        sent_at=now,
        updated_at=now,
        lease_token=None,
        lease_until=None,
        error=None,
    )
    return rowcount(uow.session.execute(stmt)) == 1


def mark_retry(
    uow: UnitOfWork,
    message_id: int,
    token: str,
    due_at: datetime,
    error: str,
    now: datetime,
    trail: list[Any] | None = None,
    expires_at: datetime | None = None,
) -> bool:
    """Put the message back in the queue for `due_at` (a retryable failure or a fresh deferral); a retry
    also says when the message stops being worth sending."""
    values: dict[str, Any] = dict(
        status=S.QUEUED, due_at=due_at, error=error, updated_at=now, lease_token=None, lease_until=None
    )
    if trail is not None:
        values["send_trail"] = trail
    if expires_at is not None:
        values["expires_at"] = expires_at
    stmt = fenced(message_id, token, S.CLAIMED, S.INFLIGHT).values(**values)
    return rowcount(uow.session.execute(stmt)) == 1


def not_sent(uow: UnitOfWork, message_id: int, token: str, due_at: datetime, why: str, now: datetime) -> bool:
    """A message marked in flight that was never handed to a provider (its account's pace was taken): back
    in the queue for `due_at`, its attempt not counted."""
    stmt = fenced(message_id, token, S.INFLIGHT).values(
        status=S.QUEUED,
        due_at=due_at,
        error=why,
        attempts=Message.attempts - 1,
        updated_at=now,
        lease_token=None,
        lease_until=None,
    )
    return rowcount(uow.session.execute(stmt)) == 1


def fall_back(
    uow: UnitOfWork, message_id: int, token: str, channel: str, error: str, code: str | None, now: datetime
) -> bool:
    """The provider says this channel cannot reach the person: queued again at once to be decided afresh
    without that channel (the rules pick the campaign's next one, or none)."""
    row = uow.session.get(Message, message_id)
    avoided = sorted({*filter(None, ((row.avoid if row else None) or "").split(",")), channel})
    stmt = fenced(message_id, token, S.INFLIGHT).values(
        status=S.QUEUED,
        due_at=now,
        avoid=",".join(avoided),
        error=error,
        error_code=code[:32] if code else None,
        updated_at=now,
        lease_token=None,
        lease_until=None,
    )
    return rowcount(uow.session.execute(stmt)) == 1


def mark_failed(
    uow: UnitOfWork, message_id: int, token: str, reason: str, error: str, now: datetime, code: str | None = None
) -> bool:
    """A permanent failure: the provider refused (with its own code, when it gave one), or the message
    could not be built."""
    stmt = fenced(message_id, token, S.CLAIMED, S.INFLIGHT).values(
        status=S.FAILED,
        reason=reason,
        error=error,
        **({"error_code": code[:32]} if code else {}),  # a fallen-back message keeps the code it met
        updated_at=now,
        lease_token=None,
        lease_until=None,
    )
    return rowcount(uow.session.execute(stmt)) == 1


def mark_unknown(uow: UnitOfWork, message_id: int, token: str, error: str, now: datetime) -> bool:
    """The provider may have delivered it and did not say (a timeout): parked as `unknown`, never resent
    blindly; a later receipt settles it, or a person does."""
    stmt = fenced(message_id, token, S.INFLIGHT).values(
        status=S.UNKNOWN, reason="no_answer", error=error, updated_at=now, lease_token=None, lease_until=None
    )
    return rowcount(uow.session.execute(stmt)) == 1


# How an operator settles a message left `unknown`: sent again, or closed as delivered or as lost.
RESOLUTIONS = ("resend", "sent", "failed")


def resolve_unknown(
    uow: UnitOfWork, ids: Sequence[int], resolution: str, now: datetime, note: str, by: str = "operator"
) -> list[int]:
    """Settle messages left `unknown`: `resend` queues them again now, `sent` closes them as delivered
    (the vendor's console, or its records asked by the worker, show they went), `failed` as lost. Returns
    the ids settled; others are left."""
    if resolution not in RESOLUTIONS:
        raise ValueError(f"expected one of {', '.join(RESOLUTIONS)}, got {resolution!r}")
    values: dict[str, Any] = {"updated_at": now, "error": note}
    if resolution == "resend":
        values.update(status=S.QUEUED, due_at=now, reason=None)
    elif resolution == "sent":
        values.update(status=S.SENT, sent_at=now, reason=f"confirmed_by_{by}")
    else:
        values.update(status=S.FAILED, reason="lost")
    stmt = (
        update(Message)
        .where(Message.id.in_(ids), Message.status == S.UNKNOWN)
        .values(**values)
        .returning(Message.id)
        .execution_options(synchronize_session=False)
    )
    return sorted(uow.session.scalars(stmt))


def mark_skipped(uow: UnitOfWork, message_id: int, token: str, reason: str, trail: list[Any], now: datetime) -> bool:
    """The re-check before sending said no (say, a STOP arrived after planning)."""
    stmt = fenced(message_id, token, S.CLAIMED).values(
        status=S.SKIPPED, reason=reason, send_trail=trail, updated_at=now, lease_token=None, lease_until=None
    )
    return rowcount(uow.session.execute(stmt)) == 1
