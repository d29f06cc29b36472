"""Lifecycle cadence: how often a contact may hear from the business depends on where they are in their
lifecycle (new: weekly; active: every two weeks; dormant: monthly). Counted across all channels."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from herald.rules.builtin.common import minute, one_of, positive_int, purposes
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "lifecycle_cadence"
SUMMARY = "spaces messages by lifecycle stage (e.g. new weekly, active fortnightly, dormant monthly)"
READS = ("sends", "lifecycle")
DEFAULTS: dict[str, Any] = {
    "every_days": {"new": 7, "active": 14, "dormant": 30},
    "purposes": ["marketing"],
    "on_exceed": "defer",
}


def check(params: dict[str, Any]) -> dict[str, Any]:
    table = params["every_days"]
    if not isinstance(table, dict) or not table:
        raise ValueError(f"every_days: expected a table of stage = days, got {table!r}")
    return {
        "every": {str(k): timedelta(days=positive_int(v, f"every_days.{k}")) for k, v in table.items()},
        "purposes": purposes(params["purposes"]),
        "on_exceed": one_of(params["on_exceed"], "on_exceed", ("defer", "skip")),
    }


def lookback(params: dict[str, Any]) -> timedelta:
    every: dict[str, timedelta] = params["every"]
    return max(every.values())


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    if intent.purpose not in params["purposes"]:
        return RuleOutcome(NAME, channel, Verdict.PASS, f"{intent.purpose} messages keep no cadence")
    stage = r.lifecycle
    every = params["every"].get(stage or "")
    if every is None:
        return RuleOutcome(NAME, channel, Verdict.PASS, f"no cadence for lifecycle stage {stage or 'unknown'}")
    last = max((s.at for s in r.sends if s.purpose in params["purposes"] and s.at <= now), default=None)
    days = every.days
    if last is None or now >= last + every:
        return RuleOutcome(NAME, channel, Verdict.PASS, f"{stage} contacts hear from us every {days} days at most")
    detail = f"{stage} contacts hear from us every {days} days at most; the last message went {minute(last)} UTC"
    if params["on_exceed"] == "skip":
        return RuleOutcome(NAME, channel, Verdict.SKIP, detail)
    return RuleOutcome(NAME, channel, Verdict.DEFER, detail, last + every)
