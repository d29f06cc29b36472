"""Taking rows of a little queue (webhook deliveries, alert e-mails) each by one worker alone: those due —
`pending` with their `next_at` passed, or `sending` and stuck since a worker that took them stopped — are
marked `sending` in the same statement that reads them, so two workers never take the same row."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, text, update

from herald.db.uow import UnitOfWork

# The queue's open states, in the words of its tables' partial indexes: a query that says them word for word
# reads only the rows still open (SQLite matches a partial index's condition only to the same literal terms).
IN_QUEUE = text("status IN ('pending', 'sending')")


def take_due(uow: UnitOfWork, model: Any, now: datetime, stuck: timedelta, limit: int, *columns: Any) -> list[Any]:
    """The rows of `model` due now, the longest due first, marked taken; each as the `columns` asked."""
    due = or_(
        and_(model.status == "pending", model.next_at <= now),
        and_(model.status == "sending", model.claimed_at < now - stuck),
    )
    ids = list(
        uow.session.scalars(select(model.id).where(IN_QUEUE, due).order_by(model.next_at, model.id).limit(limit))
    )
    if not ids:
        return []
    taken = (
        update(model)
        .where(model.id.in_(ids), due)
        .values(status="sending", claimed_at=now)
        .returning(*columns)
        .execution_options(synchronize_session=False)
    )
    return list(uow.session.execute(taken))
