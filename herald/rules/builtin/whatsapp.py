"""WhatsApp's platform rules: free-form text only inside the 24-hour customer-service window (from the
customer's last message; the business's own messages do not extend it); outside it only a template Meta
has APPROVED; no marketing templates to +1 numbers, which Meta stopped delivering on 2025-04-01."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from herald.rules.builtin.common import minute
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "whatsapp_window"
READS = ("inbound",)
SUMMARY = "free-form WhatsApp only within 24 h of the customer's last message; otherwise an APPROVED template"
DEFAULTS: dict[str, Any] = {"window_hours": 24, "block_us_marketing": True}
OTHER_CHANNEL = {c: RuleOutcome(NAME, c, Verdict.PASS, "applies to WhatsApp only") for c in Channel}


def check(params: dict[str, Any]) -> dict[str, Any]:
    hours = params["window_hours"]
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 24 * 7:
        raise ValueError(f"window_hours: expected hours between 0 and 168, got {hours!r}")
    if not isinstance(params["block_us_marketing"], bool):
        raise ValueError(f"block_us_marketing: expected true or false, got {params['block_us_marketing']!r}")
    return {"window": timedelta(hours=hours), "block_us_marketing": params["block_us_marketing"]}


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    if channel is not Channel.WHATSAPP:
        return OTHER_CHANNEL[channel]
    category = (intent.template_category or "").upper()
    if category == "MARKETING" and params["block_us_marketing"] and r.addresses.get(channel, "").startswith("+1"):
        return RuleOutcome(NAME, channel, Verdict.SKIP, "Meta does not deliver marketing templates to +1 (US) numbers")
    last = r.last_inbound.get(Channel.WHATSAPP)
    if last is not None and now - last < params["window"]:
        return RuleOutcome(
            NAME, channel, Verdict.PASS, f"inside the customer-service window (their last message {minute(last)} UTC)"
        )
    outside = "no message from the customer" if last is None else f"their last message was {minute(last)} UTC"
    if not category:
        return RuleOutcome(
            NAME, channel, Verdict.SKIP, f"free-form WhatsApp text needs the customer-service window; {outside}"
        )
    if (intent.template_status or "").upper() != "APPROVED":
        status = intent.template_status or "not submitted"
        return RuleOutcome(
            NAME, channel, Verdict.SKIP, f"outside the window only templates Meta approved may go; this one is {status}"
        )
    return RuleOutcome(NAME, channel, Verdict.PASS, f"Meta-approved {category} template ({outside})")
