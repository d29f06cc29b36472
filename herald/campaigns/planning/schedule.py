"""When a campaign runs: now, at a moment, at a local wall time in each recipient's zone, or on a cron
expression in a zone, each run with its own audience and idempotency scope. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
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
