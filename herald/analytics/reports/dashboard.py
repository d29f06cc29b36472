"""The dashboard's figures: the open alerts, the complaint cases past their deadline and the provider
accounts' health at once (`overview`); today's and this week's sends by channel with their delivery,
read, click and opt-out rates (`recent_sends`) and the running campaigns with their progress
(`running`), which read the ledger and arrive after the page. Reads only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from herald import dispatch, tracking
from herald.analytics.models import Alert
from herald.campaigns import Campaign
from herald.contacts import Suppression
from herald.outbox import Message
from herald.tracking import Click
from herald.types import CampaignStatus, MessageStatus

S = MessageStatus
STAGES = ("sent", "delivered", "read", "clicked", "opted_out")
OPT_OUTS = ("opt-out", "opted out", "complaint")


def overview(session: Session, now: datetime, accounts: Sequence[str] = ()) -> dict[str, Any]:
    """Everything the dashboard shows, as of `now` (the health of `accounts`, and of any account the
    workers recorded)."""
    return {
        "alerts": [
            {"id": a.id, "subject": a.subject, "reason": a.reason, "raised_at": a.raised_at, "status": a.status}
            for a in session.scalars(
                select(Alert).where(Alert.status != "resolved").order_by(Alert.raised_at.desc()).limit(10)
            )
        ],
        "overdue_cases": tracking.overdue_cases(session, now),
        "providers": _providers(session, now, accounts),
    }


def recent_sends(session: Session, now: datetime) -> dict[str, dict[str, dict[str, Any]]]:
    """Today's and the last seven days' sends (UTC days), by channel."""
    today = now.replace(hour=0, minute=0, second=0, microsecond=0)
    return {"today": sends(session, today, now), "week": sends(session, today - timedelta(days=6), now)}


def sends(session: Session, start: datetime, end: datetime) -> dict[str, dict[str, Any]]:
    """Per channel (and in all): messages sent in [start, end) and how many were delivered, read, clicked
    by a person, or ended in an opt-out — with each as a rate of those sent."""
    sent = and_(Message.status == S.SENT, Message.sent_at >= start, Message.sent_at < end)
    clicked = exists().where(Click.message_id == Message.id, Click.human)
    left = exists().where(
        Suppression.channel == Message.channel,
        Suppression.address == Message.address,
        Suppression.reason.in_(OPT_OUTS),
        Suppression.created_at >= Message.sent_at,
    )
    parts = [
        func.count(),
        _sum(Message.delivery.in_(("delivered", "read"))),
        _sum(or_(Message.delivery == "read", Message.read_at.is_not(None))),
        _sum(clicked),
        _sum(left),
    ]
    found: dict[str, dict[str, Any]] = {}
    total = dict.fromkeys(STAGES, 0)
    for channel, *counts in session.execute(select(Message.channel, *parts).where(sent).group_by(Message.channel)):
        row = dict(zip(STAGES, (int(c or 0) for c in counts), strict=True))
        found[str(channel)] = _rated(row)
        total = {k: total[k] + row[k] for k in STAGES}
    return {"all": _rated(total), **found}


def running(session: Session) -> list[dict[str, Any]]:
    """Running and paused campaigns: how many of their messages are planned to go, sent, and still due."""
    live = select(Campaign).where(Campaign.status.in_((CampaignStatus.RUNNING, CampaignStatus.PAUSED)))
    campaigns = {c.id: c for c in session.scalars(live.order_by(Campaign.id))}
    if not campaigns:
        return []
    pending = Message.status.in_((S.QUEUED, S.CLAIMED, S.INFLIGHT, S.HELD))
    stmt = (
        select(Message.campaign_id, _sum(Message.planned_action != "skip"), _sum(Message.status == S.SENT))
        .add_columns(_sum(pending))
        .where(Message.campaign_id.in_(campaigns))
        .group_by(Message.campaign_id)
    )
    counts = {cid: (int(p or 0), int(s or 0), int(w or 0)) for cid, p, s, w in session.execute(stmt)}
    shown = []
    for cid, c in campaigns.items():
        planned, sent, waiting = counts.get(cid, (0, 0, 0))
        progress = round(100 * (planned - waiting) / planned) if planned else 0
        shown.append(
            {"id": cid, "name": c.name, "status": c.status, "planned": planned, "sent": sent, "progress": progress}
        )
    return shown


def _providers(session: Session, now: datetime, accounts: Sequence[str]) -> list[dict[str, Any]]:
    health = dispatch.health_of(session)
    shown = []
    for name in sorted({*accounts, *health}):
        h = health.get(name)
        state = h.state(now) if h is not None else "closed"
        shown.append(
            {"account": name, "state": state, "failures": h.failures if h else 0, "reason": h.reason if h else None}
        )
    return shown


def _rated(counts: dict[str, int]) -> dict[str, Any]:
    sent = counts["sent"]
    rates = {k: (counts[k] / sent if sent else None) for k in STAGES if k != "sent"}
    return {"counts": counts, "rates": rates}


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))
