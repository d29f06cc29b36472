"""Suppression: a suppressed address is never messaged on that channel, whatever the purpose. In
allow-list mode (`allow_list_only`, for regulated senders) only an address on the allow-list may be."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald.rules.builtin.common import flag
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "suppression"
SUMMARY = "never messages an address on the suppression list (in allow-list mode, one off the allow-list)"
READS = ("suppressions", "allow_list")
DEFAULTS: dict[str, Any] = {"allow_list_only": False}
# Nearly every recipient gets this answer; outcomes are immutable, so one per channel serves them all.
NOT_SUPPRESSED = {c: RuleOutcome(NAME, c, Verdict.PASS, f"{c} address is not suppressed") for c in Channel}


def check(params: dict[str, Any]) -> dict[str, Any]:
    return {"allow_list_only": flag(params["allow_list_only"], "allow_list_only")}


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    reason = r.suppressions.get(channel)
    if reason is not None:
        return RuleOutcome(NAME, channel, Verdict.SKIP, f"the {channel} address is suppressed ({reason})")
    if params["allow_list_only"]:
        if channel not in r.allow_listed:
            return RuleOutcome(
                NAME, channel, Verdict.SKIP, f"allow-list mode: the {channel} address is not on the allow-list"
            )
        return RuleOutcome(NAME, channel, Verdict.PASS, f"the {channel} address is on the allow-list")
    return NOT_SUPPRESSED[channel]
