"""What alert rules look at, gathered from the ledger and the rooms' state over a rule's window: each
running campaign's or provider account's rates, the accounts' circuits and vendors' notices, the
complaint cases past their deadline. Read only."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Numeric, and_, case, cast, exists, func, or_, select
from sqlalchemy.orm import Session

from herald import dispatch, tracking
from herald.analytics.alerting.rules import RATES, Observed, Rule
from herald.analytics.reports import spend
from herald.campaigns import Campaign
from herald.contacts import Contact, Suppression
from herald.content import PriceTable
from herald.outbox import Message
from herald.types import CampaignStatus, MessageStatus

S = MessageStatus
OPT_OUTS = ("opt-out", "opted out", "complaint")  # a person's own opt-out, as the suppression list names it


def observe(session: Session, rule: Rule, now: datetime, prices: PriceTable | None = None) -> list[Observed]:
    """What the rule looks at, for every subject it applies to (spend: none without a price table)."""
    start = now - timedelta(minutes=rule.window_minutes)
    if rule.metric in RATES:
        return _rates(session, rule.metric, rule.per, start)
    if rule.metric == "spend":
        return _spend(session, start, prices) if prices is not None else []
    if rule.metric == "circuit_open":
        # An account paused on purpose (by a person or an alert) is not a circuit that keeps failing.
        health = dispatch.health_of(session)
        tripped = {a for a, h in health.items() if not h.usable(now) and h.open_until != dispatch.UNTIL_RESUMED}
        return [Observed(f"account {a}", state="open" if a in tripped else "closed") for a in health]
    if rule.metric == "whatsapp_quality":
        return [Observed(f"account {a}", state=e) for a, e in dispatch.notice_events(session).items()]
    overdue = tracking.overdue_cases(session, now)
    return [Observed("workspace", count=overdue)]


def _rates(session: Session, metric: str, per: str, start: datetime) -> list[Observed]:
    """(base, hits) of the metric for each running campaign, or each account that sent, since `start`."""
    key = Message.campaign_id if per == "campaign" else Message.provider
    base, hit = _counted(metric, start)
    stmt = select(key, func.count(), func.sum(case((hit, 1), else_=0))).where(base, key.is_not(None)).group_by(key)
    found = {str(ref): (int(n), int(hits or 0)) for ref, n, hits in session.execute(stmt)}
    if per == "campaign":
        names = _running(session, [int(r) for r in found])
        return [_seen(f"campaign {names[int(r)]} ({r})", *found[r]) for r in found if int(r) in names]
    return [_seen(f"account {ref}", *counts) for ref, counts in found.items()]


def _spend(session: Session, start: datetime, prices: PriceTable) -> list[Observed]:
    """What each running campaign's messages sent since `start` cost: as their vendors reported, else by
    the price table."""
    billed_in, known = func.coalesce(Message.units, 1), Message.cost.is_not(None)
    units = func.sum(billed_in)
    reported = [
        func.sum(case((known, billed_in), else_=0)),
        func.sum(case((known, cast(Message.cost, Numeric(18, 6))), else_=0)),
    ]
    keys = (Message.campaign_id, Message.channel, Contact.region, Message.provider, Message.cost_currency)
    stmt = (
        select(*keys, units, *reported)
        .join(Contact, Contact.id == Message.contact_id)
        .where(Message.status == S.SENT, Message.sent_at >= start, Message.campaign_id.is_not(None))
        .group_by(*keys)
    )
    groups: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for campaign, channel, region, provider, currency, billed, known_units, cost in session.execute(stmt):
        group = {"channel": channel, "region": region, "provider": provider, "units": billed}
        group |= {"reported_units": known_units or 0, "reported": Decimal(str(cost or 0)), "cost_currency": currency}
        groups[int(campaign or 0)].append(group)
    names = _running(session, list(groups))
    found = []
    for campaign, rows in groups.items():
        if campaign in names:
            cost = spend.cost(rows, prices)
            found.append(
                Observed(
                    f"campaign {names[campaign]} ({campaign})", amount=float(cost["total"]), state=cost["currency"]
                )
            )
    return found


def _seen(subject: str, base: int, hits: int) -> Observed:
    return Observed(subject, base=base, hits=hits)


def _counted(metric: str, start: datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """Which messages a rate counts, and which of them count against it."""
    if metric == "delivery_rate":
        # The window's sent messages whose outcome is in (a message with one is always `sent`): read by the
        # index of sent messages, not by walking every message of every campaign each minute.
        went = and_(Message.status == S.SENT, Message.sent_at >= start)
        return and_(went, Message.delivery.in_(("delivered", "undelivered", "failed"))), Message.delivery == "delivered"
    if metric == "failure_rate":
        went = and_(Message.status == S.SENT, Message.sent_at >= start)
        return or_(went, and_(Message.status == S.FAILED, Message.updated_at >= start)), Message.status == S.FAILED
    reasons = ("complaint",) if metric == "complaint_rate" else OPT_OUTS
    left = exists().where(
        Suppression.channel == Message.channel,
        Suppression.address == Message.address,
        Suppression.reason.in_(reasons),
        Suppression.created_at >= Message.sent_at,
    )
    return and_(Message.status == S.SENT, Message.sent_at >= start), left


def _running(session: Session, ids: Sequence[int]) -> dict[int, str]:
    """Names of the campaigns among `ids` that are running (a paused one is not judged again)."""
    if not ids:
        return {}
    stmt = select(Campaign.id, Campaign.name).where(Campaign.id.in_(ids), Campaign.status == CampaignStatus.RUNNING)
    return {int(i): str(name) for i, name in session.execute(stmt)}
