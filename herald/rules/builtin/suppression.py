"""Suppression: a suppressed address is never messaged on that channel, whatever the purpose."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "suppression"
SUMMARY = "never messages an address on the suppression list"
DEFAULTS: dict[str, Any] = {}


def check(params: dict[str, Any]) -> dict[str, Any]:
    return {}


def evaluate(r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any],
             now: datetime) -> RuleOutcome:
    reason = r.suppressions.get(channel)
    address = r.addresses.get(channel, "")
    if reason is not None:
        return RuleOutcome(NAME, channel, Verdict.SKIP, f"{channel} address {address} is suppressed ({reason})")
    return RuleOutcome(NAME, channel, Verdict.PASS, f"{channel} address is not suppressed")
