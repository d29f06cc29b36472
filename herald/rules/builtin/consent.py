"""Consent: a message needs a granted consent on its channel for its purpose, unless the purpose is exempt."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from herald.rules.builtin.common import purposes
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "consent"
SUMMARY = "needs the recipient's consent on the channel for the purpose"
DEFAULTS = {"required_for": ["marketing"]}


def check(params: dict[str, Any]) -> dict[str, Any]:
    return {"required_for": purposes(params["required_for"], "required_for")}


def evaluate(r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any],
             now: datetime) -> RuleOutcome:
    purpose = intent.purpose
    if purpose not in params["required_for"]:
        return RuleOutcome(NAME, channel, Verdict.PASS, f"{purpose} messages need no consent under this policy")
    latest = max((c for c in r.consents if c.channel == channel and c.purpose == purpose),
                 key=lambda c: c.at, default=None)
    if latest is None:
        return RuleOutcome(NAME, channel, Verdict.SKIP, f"no {purpose} consent on {channel} on record")
    day = latest.at.date().isoformat()
    if latest.status != "granted":
        return RuleOutcome(NAME, channel, Verdict.SKIP, f"{purpose} consent on {channel} was withdrawn on {day}")
    return RuleOutcome(NAME, channel, Verdict.PASS, f"{purpose} consent on {channel} granted on {day}")
