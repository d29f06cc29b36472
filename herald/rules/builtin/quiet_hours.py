"""Quiet hours in the recipient's local time. When a number may lie in several time zones, a moment is
allowed only if it is outside quiet hours in every one of them; a message in quiet hours is deferred to
the first such moment, or skipped when there is none within a week."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from herald.rules.builtin.common import channels, clock_time, minute, one_of, purposes, recipient_zones
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "quiet_hours"
SUMMARY = "keeps messages out of the night in the recipient's local time"
DEFAULTS = {
    "start": "21:00",
    "end": "08:00",
    "channels": ["sms", "whatsapp"],
    "purposes": ["marketing"],
    "unknown_timezone": "skip",
}
HORIZON = timedelta(days=7)


def check(params: dict[str, Any]) -> dict[str, Any]:
    start, end = clock_time(params["start"], "start"), clock_time(params["end"], "end")
    if start == end:
        raise ValueError("start and end are equal: there would be no moment to send")
    return {
        "start": start,
        "end": end,
        "channels": channels(params["channels"]),
        "purposes": purposes(params["purposes"]),
        "unknown_timezone": one_of(params["unknown_timezone"], "unknown_timezone", ("skip", "utc")),
        "label": f"quiet hours {start:%H:%M}–{end:%H:%M}",  # made once: formatting times is not free
    }


def _clock(moment: datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


def is_quiet(local: time, start: time, end: time) -> bool:
    if start > end:  # the quiet period crosses midnight, e.g. 21:00-08:00
        return local >= start or local < end
    return start <= local < end


def quiet_ends(local: datetime, start: time, end: time) -> datetime:
    """The instant quiet hours end for a local moment inside them."""
    day: date = local.date()
    if start > end and local.time() >= start:
        day += timedelta(days=1)
    return datetime.combine(day, end, tzinfo=local.tzinfo)


def next_allowed(at: datetime, zones: list[ZoneInfo], start: time, end: time) -> datetime | None:
    """The first moment from `at` outside quiet hours in all zones, or None within the horizon."""
    limit = at + HORIZON
    while at <= limit:
        moved = False
        for z in zones:
            local = at.astimezone(z)
            if is_quiet(local.time(), start, end):
                # A wall time skipped by a DST change still maps to a later instant; never step back.
                at = max(quiet_ends(local, start, end).astimezone(at.tzinfo), at + timedelta(minutes=1))
                moved = True
        if not moved:
            return at
    return None


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    if channel not in params["channels"] or intent.purpose not in params["purposes"]:
        return RuleOutcome(NAME, channel, Verdict.PASS, f"no quiet hours for {intent.purpose} {channel}")
    return _judge(
        channel, r.timezones, now, params["start"], params["end"], params["unknown_timezone"], params["label"]
    )


@lru_cache(maxsize=4096)
def _judge(
    channel: Channel, timezones: tuple[str, ...], now: datetime, start: time, end: time, unknown: str, window: str
) -> RuleOutcome:
    """The outcome for one set of zones at one moment. A campaign asks it of every recipient at the same
    moment, and its recipients share a handful of zones, so the answers are remembered."""
    zones = recipient_zones(timezones, unknown)
    if zones is None:
        return RuleOutcome(
            NAME, channel, Verdict.SKIP, f"the recipient's time zone is unknown, so {window} cannot be kept"
        )
    allowed = next_allowed(now, zones, start, end)
    if allowed is None:
        return RuleOutcome(
            NAME,
            channel,
            Verdict.SKIP,
            f"no moment in the next 7 days is outside {window} in all {len(zones)} time zones",
        )
    first = zones[0]
    if allowed == now:
        where = f"in all {len(zones)} of the recipient's time zones" if len(zones) > 1 else f"in {first.key}"
        return RuleOutcome(
            NAME, channel, Verdict.PASS, f"it is {_clock(now.astimezone(first))} {where}, outside {window}"
        )
    quiet_zone = next(z for z in zones if is_quiet(now.astimezone(z).time(), start, end))
    spread = f" (allowed in all {len(zones)} candidate zones)" if len(zones) > 1 else ""
    detail = (
        f"it is {_clock(now.astimezone(quiet_zone))} in {quiet_zone.key}, inside {window}; next allowed "
        f"{minute(allowed.astimezone(quiet_zone))} {quiet_zone.key}{spread}"
    )
    return RuleOutcome(NAME, channel, Verdict.DEFER, detail, allowed)
