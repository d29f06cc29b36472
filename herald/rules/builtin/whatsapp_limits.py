"""WhatsApp's sending limits. The messaging limit caps the unique customers a business portfolio reaches
outside a customer-service window in any rolling 24 hours (250, 2,000, 10,000, 100,000 or unlimited,
shared by all its numbers); replies inside a window do not count, nor does a customer already reached in
the last 24 hours. Per-recipient spacing keeps messages to one person apart (Meta's pair rate limit)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from herald.rules.builtin.common import allowance, minute, positive_int
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "whatsapp_limits"
SUMMARY = "keeps WhatsApp within the portfolio messaging limit and spaces messages to one person"
READS = ("sends",)
DEFAULTS: dict[str, Any] = {"portfolio_limit": 250, "min_spacing_seconds": 6, "horizon_days": 30}
TIERS = (250, 2000, 10_000, 100_000)
WINDOW = timedelta(hours=24)
BUCKET = "whatsapp:portfolio"


def check(params: dict[str, Any]) -> dict[str, Any]:
    limit = params["portfolio_limit"]
    if limit != "unlimited" and limit not in TIERS:
        raise ValueError(f'portfolio_limit: expected one of {", ".join(map(str, TIERS))} or "unlimited", got {limit!r}')
    return {
        "limit": None if limit == "unlimited" else limit,
        "spacing": timedelta(seconds=positive_int(params["min_spacing_seconds"], "min_spacing_seconds", 0)),
        "horizon": timedelta(days=positive_int(params["horizon_days"], "horizon_days")),
    }


def lookback(params: dict[str, Any]) -> timedelta:
    spacing: timedelta = params["spacing"]
    return max(spacing, WINDOW)


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    if channel is not Channel.WHATSAPP:
        return RuleOutcome(NAME, channel, Verdict.PASS, "applies to WhatsApp only")
    last = max((s.at for s in r.sends if s.channel is Channel.WHATSAPP and s.at <= now), default=None)
    spacing = params["spacing"]
    if last is not None and now < last + spacing:
        detail = (
            f"the last WhatsApp message to this person went {last:%H:%M:%S} UTC; keeping them {spacing.seconds} s apart"
        )
        return RuleOutcome(NAME, channel, Verdict.DEFER, detail, last + spacing)
    inbound = r.last_inbound.get(Channel.WHATSAPP)
    if params["limit"] is None:
        return RuleOutcome(NAME, channel, Verdict.PASS, "the portfolio has no messaging limit")
    if inbound is not None and now - inbound < WINDOW:
        return RuleOutcome(
            NAME,
            channel,
            Verdict.PASS,
            "a reply inside the customer-service window does not count against the messaging limit",
        )
    if last is not None and now - last < WINDOW:
        return RuleOutcome(
            NAME, channel, Verdict.PASS, "already reached in the last 24 h: not a new customer for the messaging limit"
        )
    if intent.usage is None:
        return RuleOutcome(NAME, channel, Verdict.PASS, "portfolio usage is not known here, so no limit is applied")
    limit = params["limit"]
    slot = intent.usage.rolling_slot(BUCKET, now, WINDOW, limit, params["horizon"])
    return allowance(
        NAME,
        channel,
        slot,
        now,
        BUCKET,
        full=f"the messaging limit of {limit} customers a day is taken for the next {params['horizon'].days} days",
        room=f"within the messaging limit of {limit} customers in 24 h",
        wait=f"the messaging limit of {limit} customers in 24 h is reached; room again {minute(slot)} UTC"
        if slot
        else "",
    )
