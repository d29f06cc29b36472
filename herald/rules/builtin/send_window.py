"""Send windows in the recipient's local time: the hours a message may go (one or several windows a day,
e.g. retail's 10:00–11:30 and 16:00–17:30), the days of the week, and no public holidays of the
recipient's country. Like quiet hours, a moment must be allowed in every zone the recipient may be in;
otherwise the message waits for the next opening, or is skipped when none comes within two weeks."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holiday_calendars

from herald.rules.builtin.common import DAYS, channels, flag, minute, one_of, purposes, recipient_zones, weekdays
from herald.rules.decision import RuleOutcome, Verdict
from herald.rules.facts import MessageIntent, Recipient
from herald.types import Channel

NAME = "send_window"
SUMMARY = "sends only inside set hours, on set days and not on public holidays, in the recipient's local time"
DEFAULTS = {
    "windows": ["08:00-21:00"],
    "days": list(DAYS),
    "holidays": False,
    "channels": ["sms", "whatsapp", "email"],
    "purposes": ["marketing"],
    "unknown_timezone": "skip",
}
HORIZON_DAYS = 14


def check(params: dict[str, Any]) -> dict[str, Any]:
    raw = params["windows"]
    if not isinstance(raw, list) or not raw:
        raise ValueError(f'windows: expected a list such as ["10:00-11:30", "16:00-17:30"], got {raw!r}')
    windows = sorted(_window(w, f"windows[{i}]") for i, w in enumerate(raw))
    for (s1, e1), (s2, _) in zip(windows, windows[1:], strict=False):
        if s2 < e1:
            raise ValueError(f"windows: {_span(s1, e1)} and the window starting {_hhmm(s2)} overlap")
    return {
        "windows": tuple(windows),
        "days": weekdays(params["days"]),
        "holidays": flag(params["holidays"], "holidays"),
        "channels": channels(params["channels"]),
        "purposes": purposes(params["purposes"]),
        "unknown_timezone": one_of(params["unknown_timezone"], "unknown_timezone", ("skip", "utc")),
    }


def _window(value: Any, name: str) -> tuple[int, int]:
    """'HH:MM-HH:MM' as minutes after midnight; 24:00 closes the day; a window may not cross midnight."""
    try:
        start, end = (_minutes(p) for p in str(value).split("-"))
    except ValueError:
        raise ValueError(f"{name}: expected HH:MM-HH:MM, got {value!r}") from None
    if start >= end:
        raise ValueError(
            f"{name}: {value!r} ends before it starts (split a window across midnight in two, "
            "e.g. 22:00-24:00 and 00:00-02:00)"
        )
    return start, end


def _minutes(text: str) -> int:
    hours, minutes = text.strip().split(":")
    value = int(hours) * 60 + int(minutes)
    if not (0 <= int(minutes) < 60 and 0 <= value <= 24 * 60):
        raise ValueError(text)
    return value


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _span(start: int, end: int) -> str:
    return f"{_hhmm(start)}–{_hhmm(end)}"


@lru_cache(maxsize=512)
def _calendar(region: str, year: int) -> dict[date, str]:
    try:
        return dict(holiday_calendars.country_holidays(region, years=year))
    except NotImplementedError:  # a country the calendar does not know: no holidays to keep
        return {}


def holiday(region: str | None, day: date) -> str | None:
    """The public holiday on `day` in the country, or None."""
    return _calendar(region, day.year).get(day) if region else None


def _closed(day: date, params: dict[str, Any], region: str | None) -> str | None:
    """Why no message may go on this local day, or None when it is a sending day."""
    if day.weekday() not in params["days"]:
        return f"{day:%A} is not a sending day"
    name = holiday(region, day) if params["holidays"] else None
    return f"{day:%Y-%m-%d} is a public holiday in {region} ({name})" if name else None


def opening(at: datetime, z: ZoneInfo, params: dict[str, Any], region: str | None) -> datetime | None:
    """The first instant from `at` that lies inside a window on a sending day in zone `z`."""
    local_day = at.astimezone(z).date()
    for offset in range(HORIZON_DAYS + 1):
        day = local_day + timedelta(days=offset)
        if _closed(day, params, region):
            continue
        midnight = datetime.combine(day, time(), tzinfo=z)
        for start, end in params["windows"]:
            # Wall-clock arithmetic on the local midnight, then to UTC: right across DST changes.
            opens = (midnight + timedelta(minutes=start)).astimezone(UTC)
            closes = (midnight + timedelta(minutes=end)).astimezone(UTC)
            if at < closes:
                return max(at, opens)
    return None


def next_allowed(at: datetime, zones: list[ZoneInfo], params: dict[str, Any], region: str | None) -> datetime | None:
    """The first moment from `at` allowed in every zone, or None within the horizon."""
    limit = at + timedelta(days=HORIZON_DAYS)
    while at <= limit:
        moved = False
        for z in zones:
            found = opening(at, z, params, region)
            if found is None:
                return None
            if found > at:
                at, moved = found, True
        if not moved:
            return at
    return None


def _why_not(at: datetime, z: ZoneInfo, params: dict[str, Any], region: str | None) -> str:
    local = at.astimezone(z)
    hours = ", ".join(_span(s, e) for s, e in params["windows"])
    return _closed(local.date(), params, region) or f"it is {local:%H:%M} in {z.key}, outside the send window {hours}"


def evaluate(
    r: Recipient, intent: MessageIntent, channel: Channel, params: dict[str, Any], now: datetime
) -> RuleOutcome:
    if channel not in params["channels"] or intent.purpose not in params["purposes"]:
        return RuleOutcome(NAME, channel, Verdict.PASS, f"no send window for {intent.purpose} {channel}")
    zones = recipient_zones(r.timezones, params["unknown_timezone"])
    if zones is None:
        return RuleOutcome(
            NAME, channel, Verdict.SKIP, "the recipient's time zone is unknown, so the send window cannot be kept"
        )
    allowed = next_allowed(now.astimezone(UTC), zones, params, r.region)
    if allowed is None:
        return RuleOutcome(
            NAME,
            channel,
            Verdict.SKIP,
            f"no moment in the next {HORIZON_DAYS} days is inside the send window in all "
            f"{len(zones)} of the recipient's time zones",
        )
    if allowed == now:
        first = zones[0]
        return RuleOutcome(
            NAME, channel, Verdict.PASS, f"{now.astimezone(first):%a %H:%M} in {first.key} is inside the send window"
        )
    blocking = next(z for z in zones if opening(now, z, params, r.region) != now)
    detail = (
        f"{_why_not(now, blocking, params, r.region)}; next allowed "
        f"{minute(allowed.astimezone(blocking))} {blocking.key}"
    )
    return RuleOutcome(NAME, channel, Verdict.DEFER, detail, allowed)
