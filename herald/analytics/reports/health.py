"""The monthly health report: delivery, failure, conversion, opt-out and complaint rates month over month,
in all and per channel and provider — the figures a monthly review asks for. Reads only.

A month's messages are those sent in it (and those that failed in it, for the failure rate); what came of
them — a receipt, a conversion, an opt-out or complaint at their address — counts for the month they were
sent in, whenever it came."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, or_, select
from sqlalchemy.orm import Session

from herald.analytics.reports import months
from herald.analytics.reports.months import Month
from herald.contacts import Suppression
from herald.outbox import Message
from herald.tracking import ComplaintCase, Conversion
from herald.types import MessageStatus

S = MessageStatus
OPT_OUTS = ("opt-out", "opted out", "complaint")
COUNTS = ("sent", "delivered", "attempted", "failed", "converted", "opted_out", "complained")


def health(session: Session, month: Month, count: int = 2) -> dict[str, Any]:
    """The report for `count` months ending with `month`."""
    shown = months.months_back(month, count)
    total = {str(m): _figures(session, m, None) for m in shown}
    return {
        "month": str(month),
        "months": [str(m) for m in shown],
        "total": _with_change(total),
        "by_channel": _by(session, shown, Message.channel),
        "by_provider": _by(session, shown, Message.provider),
        "complaint_cases": {str(m): _cases(session, m) for m in shown},
    }


def _by(session: Session, shown: list[Month], key: Any) -> dict[str, dict[str, Any]]:
    """Per value of `key` (a channel, a provider): each month's figures and the last month's change."""
    per_month = {str(m): _figures(session, m, key) for m in shown}
    values = sorted({v for figures in per_month.values() for v in figures})
    return {v: _with_change({m: per_month[m].get(v, _empty()) for m in per_month}) for v in values}


def _with_change(per_month: dict[str, dict[str, Any]]) -> dict[str, Any]:
    names = list(per_month)
    found: dict[str, Any] = dict(per_month)
    if len(names) > 1:
        found["change"] = months.change(per_month[names[-1]]["rates"], per_month[names[-2]]["rates"])
    return found


def _figures(session: Session, month: Month, key: Any) -> Any:
    """The month's counts and rates: in all (`key` None), or per value of `key`."""
    sent, failed = _sent_in(month), and_(Message.status == S.FAILED, _within(Message.updated_at, month))
    parts = [
        _sum(sent),
        _sum(and_(sent, Message.delivery == "delivered")),
        _sum(or_(sent, failed)),
        _sum(failed),
        _sum(and_(sent, exists().where(Conversion.message_id == Message.id))),
        _sum(and_(sent, _left(OPT_OUTS))),
        _sum(and_(sent, _left(("complaint",)))),
    ]
    where = or_(sent, failed)
    if key is None:
        row = session.execute(select(*parts).where(where)).one()
        return _counted(row)
    stmt = select(key, *parts).where(where, key.is_not(None)).group_by(key)
    return {str(value): _counted(rest) for value, *rest in session.execute(stmt)}


def _counted(row: Any) -> dict[str, Any]:
    counts = {name: int(value or 0) for name, value in zip(COUNTS, row, strict=True)}
    return {"counts": counts, "rates": months.rates(counts)}


def _empty() -> dict[str, Any]:
    return _counted([0] * len(COUNTS))


def _sent_in(month: Month) -> ColumnElement[bool]:
    return and_(Message.status == S.SENT, _within(Message.sent_at, month))


def _within(column: Any, month: Month) -> ColumnElement[bool]:
    return and_(column >= month.start, column < month.end)


def _left(reasons: tuple[str, ...]) -> ColumnElement[bool]:
    """The message's address was suppressed for one of these reasons after it went."""
    return exists().where(
        Suppression.channel == Message.channel,
        Suppression.address == Message.address,
        Suppression.reason.in_(reasons),
        Suppression.created_at >= Message.sent_at,
    )


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _cases(session: Session, month: Month) -> int:
    stmt = select(func.count()).select_from(ComplaintCase).where(_within(ComplaintCase.opened_at, month))
    return int(session.scalar(stmt) or 0)


def latest_complete(now: datetime) -> Month:
    """The last month that has ended: what `reports health` shows unless told."""
    return Month(now.year, now.month).before()
