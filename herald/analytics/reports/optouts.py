"""What drives people away: the opt-outs and complaints of a period, each put down to the last message
that reached the address before it, then counted by campaign, template, channel and variant — beside
how many messages each of those sent in the period — and by cadence: how many messages the person had
received in the 7 and the 30 days before. Reads only."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from herald.campaigns import Campaign
from herald.contacts import Suppression
from herald.content import Template
from herald.outbox import Message
from herald.types import MessageStatus

OPT_OUTS = ("opt-out", "opted out", "complaint")
WEEK, MONTH = timedelta(days=7), timedelta(days=30)
# Cadence buckets: messages received in the 7 (30) days before leaving, as labels by their lower bound.
WEEK_BUCKETS = ((1, "1"), (2, "2"), (3, "3–4"), (5, "5+"))
MONTH_BUCKETS = ((1, "1–2"), (3, "3–5"), (6, "6–10"), (11, "11+"))


def optouts(session: Session, since: datetime, until: datetime) -> dict[str, Any]:
    """The period's opt-outs and complaints, put down to the messages before them."""
    left = _left(session, since, until)
    sent = _sent(session, since, until)
    names = _names(session, sent)
    return {
        "since": since,
        "until": until,
        "opt_outs": sum(1 for x in left if x["reason"] != "complaint"),
        "complaints": sum(1 for x in left if x["reason"] == "complaint"),
        "unattributed": sum(1 for x in left if x["message"] is None),
        "by_campaign": _by(left, sent, names, "campaign"),
        "by_template": _by(left, sent, names, "template"),
        "by_channel": _by(left, sent, names, "channel"),
        "by_variant": _by(left, sent, names, "variant"),
        "cadence_7d": _cadence(left, "week", WEEK_BUCKETS),
        "cadence_30d": _cadence(left, "month", MONTH_BUCKETS),
        "messages_per_person": _per_person(session, since, until),
    }


def _left(session: Session, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Each opt-out or complaint of the period with the last message before it and the cadence."""
    stmt = select(Suppression.channel, Suppression.address, Suppression.reason, Suppression.created_at).where(
        Suppression.reason.in_(OPT_OUTS), Suppression.created_at >= since, Suppression.created_at < until
    )
    found = []
    for channel, address, reason, at in session.execute(stmt):
        history = _history(session, channel, address, at)
        last = history[-1] if history else None
        found.append(
            {
                "reason": reason,
                "channel": channel,
                "message": last,
                "week": sum(1 for m in history if m["sent_at"] >= at - WEEK),
                "month": sum(1 for m in history if m["sent_at"] >= at - MONTH),
            }
        )
    return found


def _history(session: Session, channel: str, address: str, before: datetime) -> list[dict[str, Any]]:
    """What reached the address on the channel in the 30 days before, oldest first."""
    stmt = (
        select(Message.campaign_id, Message.template_id, Message.channel, Message.variant, Message.sent_at)
        .where(
            Message.channel == channel,
            Message.address == address,
            Message.status == MessageStatus.SENT,
            Message.sent_at < before,
            Message.sent_at >= before - MONTH,
        )
        .order_by(Message.sent_at)
    )
    return [dict(row._mapping) for row in session.execute(stmt)]


def _sent(session: Session, since: datetime, until: datetime) -> dict[str, Counter[Any]]:
    """Messages sent in the period by campaign, template, channel and variant."""
    went = and_(Message.status == MessageStatus.SENT, Message.sent_at >= since, Message.sent_at < until)
    counts: dict[str, Counter[Any]] = {}
    for name, column in (
        ("campaign", Message.campaign_id),
        ("template", Message.template_id),
        ("channel", Message.channel),
        ("variant", Message.variant),
    ):
        rows = session.execute(select(column, func.count()).where(went, column.is_not(None)).group_by(column))
        counts[name] = Counter({value: int(n) for value, n in rows})
    return counts


def _names(session: Session, counts: dict[str, Counter[Any]]) -> dict[str, str]:
    """The names of the campaigns and templates counted ("campaign:12" -> "Spring sale")."""
    names: dict[str, str] = {}
    for model, key in ((Campaign, "campaign"), (Template, "template")):
        ids = list(counts[key])
        if ids:
            for i, name in session.execute(select(model.id, model.name).where(model.id.in_(ids))):
                names[f"{key}:{i}"] = name
    return names


def _by(
    left: Iterable[dict[str, Any]], sent: dict[str, Counter[Any]], names: dict[str, str], key: str
) -> list[dict[str, Any]]:
    """Opt-outs and complaints per value of `key` of the message they are put down to, with the rate
    among the messages that value sent in the period; the most first."""
    column = {"campaign": "campaign_id", "template": "template_id", "channel": "channel", "variant": "variant"}[key]
    tally: dict[Any, Counter[str]] = defaultdict(Counter)
    for item in left:
        value = item["message"][column] if item["message"] else None
        if value is not None:
            tally[value]["complaints" if item["reason"] == "complaint" else "opt_outs"] += 1
    rows = []
    for value, counted in tally.items():
        went = sent[key].get(value, 0)
        gone = counted["opt_outs"] + counted["complaints"]
        name = names.get(f"{key}:{value}", value) if key in ("campaign", "template") else value
        rate = round(100.0 * gone / went, 2) if went else None
        rows.append(
            {
                key: name,
                "sent": went,
                "opt_outs": counted["opt_outs"],
                "complaints": counted["complaints"],
                "rate": rate,
            }
        )
    return sorted(rows, key=lambda r: (-(r["opt_outs"] + r["complaints"]), str(r[key])))


def _cadence(left: Iterable[dict[str, Any]], window: str, buckets: tuple[tuple[int, str], ...]) -> dict[str, int]:
    """How many left after receiving so many messages in the window before (0: none reached them)."""
    found = {"0": 0, **{label: 0 for _, label in buckets}}
    for item in left:
        n = item[window]
        label = next((lbl for low, lbl in reversed(buckets) if n >= low), "0")
        found[label] += 1
    return found


def _per_person(session: Session, since: datetime, until: datetime) -> float | None:
    """Messages per address reached in the period: the cadence everyone had, to set the leavers' beside."""
    went = and_(Message.status == MessageStatus.SENT, Message.sent_at >= since, Message.sent_at < until)
    total = session.scalar(select(func.count()).select_from(Message).where(went)) or 0
    people = session.scalar(select(func.count(func.distinct(Message.address))).where(went)) or 0
    return round(total / people, 2) if people else None
