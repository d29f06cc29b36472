"""Read-side queries over `messages` for the planner, the worker and reports."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from herald.outbox.models import Message
from herald.types import MessageStatus as S


def recent_sends(session: Session, contact_ids: Sequence[int], since: datetime) -> list[tuple[int, str, str, datetime]]:
    """(contact_id, channel, purpose, when) for messages sent since `since` or in flight now."""
    when = func.coalesce(Message.sent_at, Message.updated_at)
    stmt = select(Message.contact_id, Message.channel, Message.purpose, when).where(
        Message.contact_id.in_(contact_ids),
        or_(and_(Message.status == S.SENT, Message.sent_at >= since), Message.status == S.INFLIGHT),
    )
    return [tuple(r) for r in session.execute(stmt)]


def for_campaign_contact(session: Session, campaign_id: int, contact_id: int) -> Message | None:
    return session.scalar(select(Message).where(Message.campaign_id == campaign_id,
                                                Message.contact_id == contact_id))


def count_due(session: Session, now: datetime) -> int:
    """Rows a worker could claim now."""
    due = or_(and_(Message.status == S.QUEUED, Message.due_at <= now),
              and_(Message.status == S.CLAIMED, Message.lease_until < now))
    return session.scalar(select(func.count()).select_from(Message).where(due)) or 0
