"""Sender capacity: a daily cap per channel's sender and a warm-up ramp for a new one (e.g. 1,000 on the
first day, doubling each day while its failure rate stays under a threshold). Beyond a day's cap a
message waits for the next day with room. The day is the sender's, in its own time zone."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from herald.rules.builtin.common import allowance, number, per_channel, positive_int, timezone
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.rules.usage import sender_bucket
from herald.types import Channel

NAME = "sender_capacity"
SUMMARY = "keeps each sender under its daily cap and warm-up ramp; the rest waits for the next day"
DEFAULTS: dict[str, Any] = {
    "daily_cap": {},
    "warmup_start": 0,
    "warmup_factor": 2.0,
    "started_on": "",
    "hold_if_failure_rate": 0.05,
    "timezone": "UTC",
    "horizon_days": 30,
}


def check(params: dict[str, Any]) -> dict[str, Any]:
    started = params["started_on"]
    if params["warmup_start"] and not started:
        raise ValueError('started_on: a warm-up needs the sender\'s first day, e.g. "2026-11-01"')
    try:
        first_day = date.fromisoformat(str(started)) if started else None
    except ValueError:
        raise ValueError(f"started_on: expected a date such as 2026-11-01, got {started!r}") from None
    return {
        "daily_cap": per_channel(params["daily_cap"], "daily_cap", positive_int),
        "warmup_start": positive_int(params["warmup_start"], "warmup_start", 0),
        "warmup_factor": number(params["warmup_factor"], "warmup_factor", 1, 10),
        "started_on": first_day,
        "hold": number(params["hold_if_failure_rate"], "hold_if_failure_rate", 0, 1),
        "zone": timezone(params["timezone"], "timezone"),
        "horizon": positive_int(params["horizon_days"], "horizon_days"),
    }


def day_cap(params: dict[str, Any], channel: Channel, day: date, today: date, held: bool) -> int | None:
    """The day's cap on this channel's sender, or None when it has none. A held ramp stops growing today."""
    caps = [params["daily_cap"][channel]] if channel in params["daily_cap"] else []
    if params["warmup_start"]:
        grown = (min(day, today) if held else day) - params["started_on"]
        caps.append(int(params["warmup_start"] * params["warmup_factor"] ** max(0, grown.days)))
    return min(caps) if caps else None


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    today = now.astimezone(params["zone"]).date()
    if day_cap(params, channel, today, today, False) is None:
        return RuleOutcome(NAME, channel, Verdict.PASS, f"the {channel} sender has no daily cap")
    if intent.usage is None:
        return RuleOutcome(NAME, channel, Verdict.PASS, "sender usage is not known here, so no cap is applied")
    rate = intent.usage.failure_rate.get(channel.value, 0.0)
    held = rate > params["hold"]
    bucket = sender_bucket(channel.value)

    def cap_on(day: date) -> int:
        cap = day_cap(params, channel, day, today, held)
        assert cap is not None  # whether a sender has a cap does not depend on the day
        return cap

    slot = intent.usage.daily_slot(bucket, now, params["zone"], cap_on, params["horizon"])
    cap = day_cap(params, channel, today, today, held)
    ramp = f"; warm-up held at {cap} a day (failure rate {rate:.1%})" if held and params["warmup_start"] else ""
    day = f"{slot.astimezone(params['zone']):%Y-%m-%d}" if slot else ""
    return allowance(
        NAME,
        channel,
        slot,
        now,
        bucket,
        full=f"the {channel} sender is full for the next {params['horizon']} days{ramp}",
        room=f"the {channel} sender is under today's cap of {cap}{ramp}",
        wait=f"the {channel} sender reached today's cap of {cap}{ramp}; next room on {day}",
    )
