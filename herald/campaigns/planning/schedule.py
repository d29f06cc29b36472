"""When a campaign runs: now, at a moment, at a local wall time in each recipient's zone, on a cron
expression in a zone, or a delay after each contact's event, each run with its own audience and idempotency
scope. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter

from herald.errors import Invalid


def zone(name: str, where: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"{name!r} is not a time zone (use an IANA name such as Asia/Kathmandu)", where=where) from None


def wall_time(text: str, where: str) -> time:
    try:
        hours, minutes = text.split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise Invalid(f"expected HH:MM, got {text!r}", where=where) from None


DELAY = re.compile(r"(\d{1,6})\s*(m|min|minutes?|h|hours?|d|days?)")
DELAY_MINUTES = {"m": 1, "h": 60, "d": 24 * 60}
MAX_DELAY_MINUTES = 90 * 24 * 60  # a quarter: past that, a segment on the event serves better


def delay_minutes(text: str | None, where: str = "--delay") -> int:
    """A delay such as 30m, 2h or 3d in minutes (0 when none is given), or Invalid naming what is wrong."""
    if text is None or not text.strip():
        return 0
    found = DELAY.fullmatch(text.strip().lower())
    if not found:
        raise Invalid(f"expected a delay such as 30m, 2h or 3d, got {text!r}", where=where)
    minutes = int(found.group(1)) * DELAY_MINUTES[found.group(2)[0]]
    if minutes > MAX_DELAY_MINUTES:
        raise Invalid(f"{text!r} is longer than 90 days, the longest delay", where=where)
    return minutes


def said_delay(minutes: int) -> str:
    """A delay in minutes as it would be written: 3d, 2h or 90m."""
    if minutes and minutes % DELAY_MINUTES["d"] == 0:
        return f"{minutes // DELAY_MINUTES['d']}d"
    return f"{minutes // 60}h" if minutes and minutes % 60 == 0 else f"{minutes}m"


def said_trigger(trigger: Mapping[str, Any]) -> str:
    """What a campaign scheduled on an event is sent on, in words: on each 'purchase' event, 2h after it."""
    minutes, once = trigger.get("delay_minutes") or 0, " (once a contact)" if trigger.get("once") else ""
    after = f", {said_delay(minutes)} after it" if minutes else ""
    of = f" of campaign {trigger['campaign_name']!r}" if trigger.get("campaign_name") else ""
    return f"on each {trigger.get('event')!r} event{of}{after}{once}"


def check_cron(expression: str, where: str = "--cron") -> str:
    """A five-field cron expression (minute hour day month weekday), or Invalid naming what is wrong."""
    fields = expression.split()
    if len(fields) != 5 or not croniter.is_valid(expression):
        raise Invalid(
            f"{expression!r} is not a cron expression of five fields (minute hour day month weekday), "
            "e.g. '0 10 * * mon'",
            where=where,
        )
    return expression


def next_run(expression: str, zone_name: str, after: datetime) -> datetime:
    """The first moment after `after` the expression names, in its zone (wall clock, DST-aware)."""
    start = after.astimezone(zone(zone_name, "cron zone"))
    moment: datetime = croniter(expression, start).get_next(datetime)
    return moment.astimezone(UTC)


def local_moment(day: date, at: time, zones: Sequence[str]) -> datetime:
    """The instant it is `at` on `day` in the recipient's zone; with several candidate zones, the latest,
    so that it is at least `at` in every one of them; UTC when none is known."""
    found = [z for z in (_zone(n) for n in zones) if z is not None] or [ZoneInfo("UTC")]
    return max(datetime.combine(day, at, tzinfo=z).astimezone(UTC) for z in found)


def next_local(now: datetime, at: time, zones: Sequence[str], on: date | None = None) -> datetime:
    """When this recipient gets a local-time campaign: `at` on the given day, or at the next `at` from now;
    never before now (a day already past sends at once, or as the rules say)."""
    if on is not None:
        return max(now, local_moment(on, at, zones))
    first = _zone(zones[0]) if zones else None
    today = now.astimezone(first or ZoneInfo("UTC")).date()
    moment = local_moment(today, at, zones)
    return moment if moment >= now else local_moment(today + timedelta(days=1), at, zones)


def _zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
