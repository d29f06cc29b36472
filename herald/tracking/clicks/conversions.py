"""Conversions: an order or a coupon redeemed, credited to the message that earned it — the one that
issued the coupon (the code names its message), else the contact's last click by a person within the
window (seven days unless the `conversion_window_days` setting says otherwise), else none. Each order id
(and each one-time coupon) counts once however often it is reported. A credited conversion is also the
contact's `message.converted` event."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select

from herald import contacts, content
from herald.db import UnitOfWork
from herald.errors import Invalid
from herald.events import EventIn, record_events
from herald.outbox import Message
from herald.tracking.models import Click, Conversion
from herald.tracking.reactions import after_events
from herald.types import Channel

MAX_AMOUNT = Decimal("1e12")
log = logging.getLogger("herald.tracking")


@dataclass(frozen=True)
class ConversionIn:
    """An order or a redemption as reported: who (an id, a phone or an e-mail; the coupon's holder when
    none is given), its order id and/or coupon, what it was worth, and when."""

    occurred_at: datetime
    order_id: str | None = None
    coupon: str | None = None
    amount: str | None = None
    currency: str | None = None
    contact_id: int | None = None
    phone: str | None = None
    email: str | None = None


def record_conversion(
    uow: UnitOfWork, item: ConversionIn, window: timedelta, now: datetime, source: str = "api"
) -> tuple[Conversion, bool]:
    """Keep the conversion, credited; with whether it is new (an order id or coupon seen before is not
    counted again: the first report stands)."""
    amount, currency = _money(item.amount, item.currency)
    if not (item.order_id or item.coupon):
        raise Invalid("a conversion needs an order_id or a coupon", where="conversion")
    seen = _seen(uow, item)
    if seen is not None:
        return seen, False
    issued = content.coupon_holder(uow, item.coupon) if item.coupon else None
    contact = _contact(uow, item) or (issued[0] if issued else None)
    message_id, how = (issued[1], "coupon") if issued and issued[1] else (None, "none")
    if message_id is None and contact is not None:
        message_id = _last_click(uow, contact, item.occurred_at, window)
        how = "click" if message_id is not None else "none"
    row = _credited(uow, item, contact, message_id, how, amount, currency, source, now)
    if message_id is not None and contact is not None:
        said = {"message_id": message_id, "order_id": item.order_id, "amount": amount, "currency": currency}
        event = EventIn("message.converted", item.occurred_at, contact, properties=said, event_id=f"conv:{row.id}")
        record_events(uow, [event], now, source="tracking", after=after_events)
    return row, True


def _money(amount: str | None, currency: str | None) -> tuple[str | None, str | None]:
    if amount is None:
        return None, (currency or "").upper() or None
    try:
        value = Decimal(str(amount))
    except InvalidOperation:
        raise Invalid(f"{amount!r} is not an amount (write it like 129.90)", where="amount") from None
    if not value.is_finite() or value < 0 or value >= MAX_AMOUNT:
        raise Invalid(f"{amount!r} must be 0 or more, below 10^12", where="amount")
    if not currency or len(currency) != 3 or not currency.isalpha():
        raise Invalid("an amount needs its ISO 4217 currency, such as CNY or USD", where="currency")
    return str(value), currency.upper()


def _seen(uow: UnitOfWork, item: ConversionIn) -> Conversion | None:
    if item.order_id:
        return uow.session.scalar(select(Conversion).where(Conversion.order_id == item.order_id))
    return uow.session.scalar(select(Conversion).where(Conversion.coupon == item.coupon, Conversion.order_id.is_(None)))


def _contact(uow: UnitOfWork, item: ConversionIn) -> int | None:
    if item.contact_id is not None:
        contacts.get_contact(uow, item.contact_id)  # NotFound names it
        return item.contact_id
    if item.phone:
        return contacts.contact_at(uow, Channel.SMS, item.phone)
    if item.email:
        return contacts.contact_at(uow, Channel.EMAIL, item.email.strip().lower())
    return None


def _last_click(uow: UnitOfWork, contact: int, at: datetime, window: timedelta) -> int | None:
    """The message of the contact's last click by a person within the window before `at`."""
    stmt = (
        select(Click.message_id)
        .join(Message, Message.id == Click.message_id)
        .where(Message.contact_id == contact, Click.human, Click.at <= at, Click.at >= at - window)
        .order_by(Click.at.desc())
        .limit(1)
    )
    return uow.session.scalar(stmt)


def _credited(
    uow: UnitOfWork,
    item: ConversionIn,
    contact: int | None,
    message_id: int | None,
    how: str,
    amount: str | None,
    currency: str | None,
    source: str,
    now: datetime,
) -> Conversion:
    message = uow.session.get(Message, message_id) if message_id is not None else None
    row = Conversion(
        contact_id=contact,
        order_id=item.order_id,
        coupon=item.coupon,
        amount=amount,
        currency=currency,
        occurred_at=item.occurred_at,
        message_id=message_id,
        campaign_id=message.campaign_id if message else None,
        variant=message.variant if message else None,
        channel=message.channel if message else None,
        attribution=how,
        source=source,
        received_at=now,
    )
    uow.session.add(row)
    uow.flush()
    return row


def from_events(uow: UnitOfWork, rows: Sequence[Mapping[str, Any]], now: datetime, window: timedelta) -> int:
    """Purchase events that name an order id or a coupon, recorded as conversions; how many were new."""
    new = 0
    for row in rows:
        said = row.get("properties") or {}
        if row.get("type") != "purchase" or not (said.get("order_id") or said.get("coupon")):
            continue
        item = ConversionIn(
            row["occurred_at"],
            _text(said.get("order_id")),
            _text(said.get("coupon")),
            _text(said.get("amount")),
            _text(said.get("currency")),
            contact_id=row["contact_id"],
        )
        try:
            new += record_conversion(uow, item, window, now, source="event")[1]
        except Invalid as exc:  # the purchase stays recorded as an event; it is credited to nothing
            log.warning("purchase event of contact %s not taken as a conversion: %s", row["contact_id"], exc)
    return new


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
