"""What people did with a campaign's messages, read from the tracking room's tables: clicks (a person's,
and the machines' apart), opens, replies and opt-outs, and how far links travelled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.orm import Session

from herald.outbox import Message
from herald.tracking.models import Click, Conversion, InboundMessage, Link, MailReport, Open


def engagement(session: Session, mine: ColumnElement[bool]) -> dict[str, Any]:
    """Clicks, opens and replies of the messages `mine` selects."""
    ids = select(Message.id).where(mine).scalar_subquery()
    return {
        "clicks": _clicks(session, ids),
        "opens": _opens(session, ids),
        "replies": _replies(session, ids),
        "reply_sentiment": _felt(session, ids),
        "conversions": _conversions(session, ids),
        "mail_reports": _mail_reports(session, ids),
        "surveys": _surveys(session, ids),
    }


def _clicks(session: Session, ids: Any) -> dict[str, Any]:
    human = session.execute(
        select(func.count(), func.count(distinct(Click.message_id))).where(Click.message_id.in_(ids), Click.human)
    ).one()
    machine = session.scalar(select(func.count()).where(Click.message_id.in_(ids), Click.human.is_(False)))
    by_device = dict(
        session.execute(
            select(Click.device, func.count()).where(Click.message_id.in_(ids), Click.human).group_by(Click.device)
        ).all()
    )
    return {
        "total": human[0],
        "unique": human[1],  # messages clicked at least once by a person
        "machine": machine or 0,  # previews, link checkers, crawlers: not counted above
        "by_device": by_device,
        "forward_coefficient": _forwarded(session, ids),
    }


def _forwarded(session: Session, ids: Any) -> float:
    """Distinct devices per clicked link beyond the first, on average: 0 when nobody passed a link on."""
    per_link = (
        select(func.count(distinct(Click.visitor)).label("devices"))
        .join(Link, Link.id == Click.link_id)
        .where(Link.message_id.in_(ids), Click.human)
        .group_by(Click.link_id)
        .subquery()
    )
    links, devices = session.execute(select(func.count(), func.coalesce(func.sum(per_link.c.devices), 0))).one()
    return round((devices - links) / links, 3) if links else 0.0


def _opens(session: Session, ids: Any) -> dict[str, int]:
    human = session.execute(
        select(func.count(), func.count(distinct(Open.message_id))).where(Open.message_id.in_(ids), Open.human)
    ).one()
    machine = session.scalar(select(func.count()).where(Open.message_id.in_(ids), Open.human.is_(False)))
    return {"total": human[0], "unique": human[1], "machine": machine or 0}


def _replies(session: Session, ids: Any) -> dict[str, int]:
    stmt = (
        select(InboundMessage.intent, func.count())
        .where(InboundMessage.replied_to.in_(ids))
        .group_by(InboundMessage.intent)
    )
    return dict(session.execute(stmt).all())


def _conversions(session: Session, ids: Any) -> dict[str, Any]:
    """Orders and redemptions credited to these messages, and their revenue by currency: in all, by
    variant and by channel (summed as exact decimals)."""
    stmt = select(Conversion.amount, Conversion.currency, Conversion.variant, Conversion.channel).where(
        Conversion.message_id.in_(ids)
    )
    found: dict[str, Any] = {"count": 0, "revenue": {}, "by_variant": {}, "by_channel": {}}
    for amount, currency, variant, channel in session.execute(stmt):
        for place in (found, _slot(found["by_variant"], variant), _slot(found["by_channel"], channel)):
            place["count"] += 1
            if amount is not None and currency:
                place["revenue"][currency] = str(Decimal(place["revenue"].get(currency, "0")) + Decimal(amount))
    return found


def _slot(table: dict[str, Any], key: str | None) -> dict[str, Any]:
    return table.setdefault(key or "-", {"count": 0, "revenue": {}})


def _felt(session: Session, ids: Any) -> dict[str, int]:
    """Replies to these messages by their sentiment: positive, neutral, negative."""
    stmt = (
        select(InboundMessage.sentiment, func.count())
        .where(InboundMessage.replied_to.in_(ids), InboundMessage.sentiment.is_not(None))
        .group_by(InboundMessage.sentiment)
    )
    return {str(felt): n for felt, n in session.execute(stmt)}


def _mail_reports(session: Session, ids: Any) -> dict[str, int]:
    """Bounces (hard, soft) and abuse complaints mail servers sent back about these messages."""
    stmt = select(MailReport.kind, func.count()).where(MailReport.message_id.in_(ids)).group_by(MailReport.kind)
    return dict(session.execute(stmt).all())


def _surveys(session: Session, ids: Any) -> dict[str, Any]:
    """The answers to the questions these messages asked, per kind of question: how many, and the
    figure each is read by — NPS (promoters 9–10 less detractors 0–6, in % of answers), the average
    satisfaction (1–5), the share of yes."""
    stmt = select(InboundMessage.survey, InboundMessage.answer).where(
        InboundMessage.replied_to.in_(ids), InboundMessage.intent == "survey", InboundMessage.answer.is_not(None)
    )
    answers: dict[str, list[int]] = {}
    for survey, answer in session.execute(stmt):
        if answer is not None:  # (the query asks for none other)
            answers.setdefault(survey or "-", []).append(answer)
    return {kind: _figure(kind, found) for kind, found in answers.items()}


def _figure(kind: str, found: list[int]) -> dict[str, Any]:
    n = len(found)
    if kind == "nps":
        promoters, detractors = sum(a >= 9 for a in found), sum(a <= 6 for a in found)
        return {
            "answers": n,
            "nps": round(100 * (promoters - detractors) / n),
            "promoters": promoters,
            "detractors": detractors,
        }
    if kind == "satisfaction":
        return {"answers": n, "average": round(sum(found) / n, 2)}
    return {"answers": n, "yes": sum(found), "no": n - sum(found)}


def clicked_by_variant(session: Session, mine: ColumnElement[bool]) -> dict[str | None, int]:
    """How many of the messages `mine` selects a person clicked at least once, by their variant."""
    clicked = select(Click.message_id).where(Click.human).distinct().scalar_subquery()
    stmt = select(Message.variant, func.count()).where(mine, Message.id.in_(clicked)).group_by(Message.variant)
    return {variant: n for variant, n in session.execute(stmt)}


def converted_by_variant(session: Session, mine: ColumnElement[bool]) -> dict[str | None, int]:
    """How many of the messages `mine` selects were credited with a conversion, by their variant."""
    credited = select(Conversion.message_id).where(Conversion.message_id.is_not(None)).distinct().scalar_subquery()
    stmt = select(Message.variant, func.count()).where(mine, Message.id.in_(credited)).group_by(Message.variant)
    return {variant: n for variant, n in session.execute(stmt)}


def revenue_by_message(session: Session, campaign_id: int) -> list[tuple[str | None, Decimal, str | None]]:
    """Each of the campaign's messages credited with revenue: its variant, what it earned (exact
    decimals) and in which currency, one row per message and currency."""
    stmt = (
        select(Message.variant, Conversion.message_id, Conversion.currency, Conversion.amount)
        .join(Message, Message.id == Conversion.message_id)
        .where(Message.campaign_id == campaign_id, Conversion.amount.is_not(None))
    )
    earned: dict[tuple[int | None, str | None], tuple[str | None, Decimal]] = {}
    for variant, message, currency, amount in session.execute(stmt):
        _, before = earned.get((message, currency), (variant, Decimal(0)))
        earned[(message, currency)] = (variant, before + Decimal(amount or 0))
    return [(variant, amount, currency) for (_, currency), (variant, amount) in earned.items()]
