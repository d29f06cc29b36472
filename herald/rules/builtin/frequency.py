"""Frequency cap: at most `max` messages of the capped purposes in a rolling window, counted on this
channel alone (`scope = "channel"`) or on all channels together (`scope = "all"`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from herald.rules.builtin.common import minute, one_of, positive_int, purposes
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "frequency_cap"
SUMMARY = "limits how many messages a recipient gets in a rolling window"
READS = ("sends",)
DEFAULTS = {"max": 1, "window_hours": 24, "purposes": ["marketing"], "scope": "all", "on_exceed": "defer"}


def check(params: dict[str, Any]) -> dict[str, Any]:
    hours = positive_int(params["window_hours"], "window_hours")
    return {
        "max": positive_int(params["max"], "max"),
        "window": timedelta(hours=hours),
        "purposes": purposes(params["purposes"]),
        "scope": one_of(params["scope"], "scope", ("all", "channel")),
        "on_exceed": one_of(params["on_exceed"], "on_exceed", ("defer", "skip")),
        "hours": hours,
    }


def lookback(params: dict[str, Any]) -> timedelta:
    window: timedelta = params["window"]
    return window


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    if intent.purpose not in params["purposes"]:
        return RuleOutcome(NAME, channel, Verdict.PASS, f"{intent.purpose} messages are not capped")
    window, cap = params["window"], params["max"]
    where = "" if params["scope"] == "all" else f" on {channel}"
    times = (
        sorted(
            s.at
            for s in r.sends
            if s.purpose in params["purposes"]
            and now - window < s.at <= now
            and (params["scope"] == "all" or s.channel == channel)
        )
        if r.sends
        else ()
    )
    hours = params["hours"]
    if len(times) < cap:
        return _room(channel, len(times), cap, where, hours)
    # The send that must age out of the window before one more fits.
    until = times[len(times) - cap] + window
    count = f"{len(times)} message{'s' if len(times) != 1 else ''}"
    detail = f"{count}{where} in the last {hours} h reach{'es' if len(times) == 1 else ''} the cap of {cap}"
    if params["on_exceed"] == "skip":
        return RuleOutcome(NAME, channel, Verdict.SKIP, detail)
    return RuleOutcome(NAME, channel, Verdict.DEFER, f"{detail}; next allowed {minute(until)} UTC", until)


@lru_cache(maxsize=1024)
def _room(channel: Channel, count: int, cap: int, where: str, hours: int) -> RuleOutcome:
    return RuleOutcome(NAME, channel, Verdict.PASS, f"{count} of {cap} allowed{where} in {hours} h")
