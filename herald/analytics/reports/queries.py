"""Campaign figures, straight from the ledger."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from herald import outbox, tracking
from herald.analytics.abtests.variants import variant_results
from herald.campaigns import Campaign
from herald.outbox import Message
from herald.types import MessageStatus as S


def campaign_report(session: Session, campaign: Campaign, now: datetime, top: int = 10) -> dict[str, Any]:
    """Audience, planned, sent (and how far the sent got, by their receipts), what people did (clicks,
    opens, replies), deferred (grouped by until), skipped and failed by reason."""
    mine = Message.campaign_id == campaign.id
    statuses = dict(session.execute(select(Message.status, func.count()).where(mine).group_by(Message.status)).all())
    planned = dict(
        session.execute(select(Message.planned_action, func.count()).where(mine).group_by(Message.planned_action)).all()
    )
    waiting = (
        select(Message.due_at, func.count())
        .where(mine, Message.status == S.QUEUED, Message.due_at > now)
        .group_by(Message.due_at)
        .order_by(Message.due_at)
    )
    deferred = [{"until": at.isoformat(), "count": n} for at, n in session.execute(waiting)]
    held, until = outbox.leased(session, now, campaign.id)
    return {
        "campaign": {
            "id": campaign.id,
            "name": campaign.name,
            "channel": campaign.channel,
            "segment": campaign.segment,
            "status": campaign.status,
        },
        "audience": sum(statuses.values()),
        "planned": {
            "send_now": planned.get("send", 0),
            "deferred": planned.get("defer", 0),
            "skipped": planned.get("skip", 0),
        },
        "status": {s.value: statuses.get(s.value, 0) for s in S},
        "sent": statuses.get(S.SENT, 0),
        "delivery": _delivery(session, mine),
        **tracking.engagement(session, mine),
        "deferred": {"count": sum(d["count"] for d in deferred), "next": deferred[:top]},
        "waiting_on_lease": {"count": held, "until": until.isoformat() if until else None},
        "skipped_by_reason": _by_reason(session, mine, S.SKIPPED),
        "failed_by_reason": _by_reason(session, mine, S.FAILED),
        "ab": variant_results(session, mine),
        "ab_test": _test(campaign.experiment),
    }


def _test(test: dict[str, Any] | None) -> dict[str, Any] | None:
    """The campaign's A/B test phase as it stands: its settings, state and (once decided) verdict."""
    if not test:
        return None
    keep = ("metric", "test_percent", "hold_minutes", "min_sample", "confidence", "method", "if_no_winner")
    shown = {k: test.get(k) for k in (*keep, "state", "winner", "reason", "sent_to_rest", "decided_at", "note")}
    return {**shown, "figures": test.get("figures")}


def _delivery(session: Session, mine) -> dict[str, int]:
    """How far the sent messages got, as their vendors reported: each stage, and those with no report yet."""
    stmt = select(Message.delivery, func.count()).where(mine, Message.status == S.SENT).group_by(Message.delivery)
    found = {delivery or "no_receipt": n for delivery, n in session.execute(stmt)}
    return {
        stage: found.get(stage, 0) for stage in ("delivered", "read", "sent", "undelivered", "failed", "no_receipt")
    }


def _by_reason(session: Session, mine, status: S) -> dict[str, int]:
    stmt = (
        select(Message.reason, func.count())
        .where(mine, Message.status == status)
        .group_by(Message.reason)
        .order_by(func.count().desc())
    )
    return {reason or "unknown": n for reason, n in session.execute(stmt)}
