"""What a campaign's figures read of each of its messages, as SQL: the keys its breakdowns group by, the
funnel's stages it reached, and what it was billed. Shared by the figures grouped straight from the
ledger (`funnel`) and the ones kept per group (`tallies`), so that the two cannot count differently."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Numeric, and_, case, cast, func, or_
from sqlalchemy.orm import Session

from herald.contacts import Contact
from herald.outbox import Message
from herald.types import MessageStatus as S

STAGES = ("planned", "sent", "delivered", "read", "clicked", "converted")
# The breakdowns' keys, in the order of `keys`: what a group of messages has in common.
KEYS = (
    "channel",
    "variant",
    "region",
    "carrier",
    "sender",
    "utc_hour",
    "provider",
    "timezone",
    "phone_timezones",
    "cost_currency",
)
SENT = Message.status == S.SENT
KNOWN = and_(SENT, Message.cost.is_not(None))  # the vendor said what it cost
BILLED_IN = func.coalesce(Message.units, 1)  # what vendors bill: SMS segments, else the message
UTC_ZONE = ZoneInfo("UTC")


def keys(session: Session) -> list[Any]:
    """The keys of `KEYS`, read from a message joined to its contact."""
    return [
        Message.channel,
        Message.variant,
        Contact.region,
        Contact.carrier,
        Message.sender,
        utc_hour(session),
        Message.provider,
        Contact.timezone,
        Contact.phone_timezones,
        Message.cost_currency,
    ]


def reached(clicked: Any, converted: Any) -> list[Any]:
    """1 where a message reached each stage of `STAGES`, else 0."""
    return [
        _one(Message.planned_action != "skip"),
        _one(SENT),
        _one(Message.delivery.in_(("delivered", "read"))),
        _one(or_(Message.delivery == "read", Message.read_at.is_not(None))),
        _one(clicked),
        _one(converted),
    ]


def billed() -> list[Any]:
    """The units a message was billed in (once sent), those whose cost the vendor reported, and that cost."""
    return [case((SENT, BILLED_IN), else_=0), case((KNOWN, BILLED_IN), else_=0), case((KNOWN, Message.cost))]


def summed_cost() -> Any:
    """The vendors' reported costs of a group of messages, as an exact decimal."""
    return func.sum(case((KNOWN, cast(Message.cost, Numeric(18, 6))), else_=0))


def utc_hour(session: Session) -> Any:
    """The hour a message was sent, in UTC."""
    if session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-%d %H", Message.sent_at).label("utc_hour")
    return func.date_trunc("hour", Message.sent_at).label("utc_hour")


def hour_text(value: Any) -> str | None:
    """An hour as `utc_hour` reads it on either database, as text: "2026-03-10 14"."""
    return value.strftime("%Y-%m-%d %H") if isinstance(value, datetime) else value


def money(value: Any) -> Decimal:
    """A cost the database summed or a message kept, as an exact decimal."""
    return Decimal(str(value or 0))


def _one(condition: Any) -> Any:
    return case((condition, 1), else_=0)


def shaped(key: Any, counts: Any, units: Any, reported_units: Any, reported: Any) -> dict[str, Any]:
    """A group as results roll it up: its keys (the hour in the recipients' own zone), its funnel and
    what it was billed."""
    k = dict(zip(KEYS, key, strict=True))
    hour = k["utc_hour"]
    return {
        **{name: k[name] for name in ("channel", "variant", "region", "carrier", "sender", "provider")},
        "hour": None if hour is None else local_hour(hour, k["timezone"], k["phone_timezones"]),
        "units": int(units or 0),
        "reported_units": int(reported_units or 0),
        "reported": money(reported),
        "cost_currency": k["cost_currency"],
        "counts": dict(zip(STAGES, (int(c or 0) for c in counts), strict=True)),
    }


def local_hour(utc: Any, own: str | None, derived: str | None) -> int:
    """The hour a UTC hour is in the recipient's zone (a zone is a rule, not an offset)."""
    moment = utc if isinstance(utc, datetime) else datetime.fromisoformat(f"{utc}:00:00")
    return moment.replace(tzinfo=UTC_ZONE).astimezone(zone(own, derived)).hour


def zone(own: str | None, derived: str | None) -> ZoneInfo:
    """The contact's own zone, else the first its number may be in, else UTC."""
    name = own or (derived or "").split(",")[0]
    try:
        return ZoneInfo(name) if name else UTC_ZONE
    except (ZoneInfoNotFoundError, ValueError):
        return UTC_ZONE
