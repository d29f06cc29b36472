"""Small builders for test data."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from herald.rules import ConsentFact, MessageIntent, Recipient, SendFact
from herald.rules.builtin import RULES
from herald.types import Channel, Purpose

SMS, EMAIL, WA = Channel.SMS, Channel.EMAIL, Channel.WHATSAPP
MKT, TXN = Purpose.MARKETING, Purpose.TRANSACTIONAL


def recipient(**kw: Any) -> Recipient:
    base: dict[str, Any] = {
        "contact_id": 1,
        "addresses": {SMS: "+9779841234567", WA: "+9779841234567"},
        "timezones": ("Asia/Kathmandu",),
    }
    base.update(kw)
    return Recipient(**base)


def consent(
    channel: Channel = SMS, status: str = "granted", at: datetime | None = None, purpose: Purpose = MKT
) -> ConsentFact:
    from tests.conftest import NOW

    return ConsentFact(channel, purpose, status, at or NOW - timedelta(days=3))


def sent(hours_ago: float, now: datetime, channel: Channel = SMS, purpose: Purpose = MKT) -> SendFact:
    return SendFact(channel, purpose, now - timedelta(hours=hours_ago))


def intent(*channels: Channel, purpose: Purpose = MKT) -> MessageIntent:
    return MessageIntent(purpose=purpose, channels=channels or (SMS,))


def params(rule: str, **overrides: Any) -> dict[str, Any]:
    return RULES[rule].check({**RULES[rule].defaults, **overrides})
