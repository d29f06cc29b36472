"""Parameter helpers shared by the rule families."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from herald.rules.decision import RuleOutcome, Verdict
from herald.types import Channel, Purpose


def channels(value: Any, name: str = "channels") -> frozenset[Channel]:
    try:
        return frozenset(Channel(v) for v in _as_list(value, name))
    except ValueError:
        raise ValueError(f"{name}: {value!r} names an unknown channel (sms, whatsapp, email)") from None


def purposes(value: Any, name: str = "purposes") -> frozenset[Purpose]:
    try:
        return frozenset(Purpose(v) for v in _as_list(value, name))
    except ValueError:
        raise ValueError(f"{name}: {value!r} names an unknown purpose (marketing, transactional)") from None


def _as_list(value: Any, name: str) -> list[Any]:
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise ValueError(f"{name}: expected a list, got {value!r}")
    return list(value)


def clock_time(value: Any, name: str) -> time:
    if isinstance(value, time):
        return value
    try:
        hours, minutes = str(value).split(":")
        return time(int(hours), int(minutes))
    except ValueError:
        raise ValueError(f"{name}: expected HH:MM, got {value!r}") from None


def positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ValueError(f"{name}: expected a whole number of at least {minimum}, got {value!r}")
    return value


def one_of(value: Any, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        raise ValueError(f"{name}: expected one of {', '.join(allowed)}, got {value!r}")
    return str(value)


DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def weekdays(value: Any, name: str = "days") -> frozenset[int]:
    """Day names (mon…sun) as weekday numbers (Monday = 0); at least one."""
    names = [str(v).lower()[:3] for v in _as_list(value, name)]
    unknown = [n for n in names if n not in DAYS]
    if unknown or not names:
        raise ValueError(f"{name}: expected day names from mon to sun, got {value!r}")
    return frozenset(DAYS.index(n) for n in names)


def number(value: Any, name: str, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise ValueError(f"{name}: expected a number from {low:g} to {high:g}, got {value!r}")
    return value


def flag(value: Any, name: str) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{name}: expected true or false, got {value!r}")
    return value


def minute(moment: datetime) -> str:
    """YYYY-MM-DD HH:MM, as trails print times; a fifth of what strftime costs on the planner's path."""
    return f"{moment.year:04d}-{moment.month:02d}-{moment.day:02d} {moment.hour:02d}:{moment.minute:02d}"


@lru_cache(maxsize=1024)
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def timezone(value: Any, name: str) -> ZoneInfo:
    found = zone(str(value)) if value else None
    if found is None:
        raise ValueError(f"{name}: {value!r} is not a time zone (use an IANA name such as Europe/Paris)")
    return found


def recipient_zones(timezones: tuple[str, ...], unknown: str) -> list[ZoneInfo] | None:
    """The zones a local-time rule must hold in; UTC when unknown and the policy allows; None to skip."""
    zones = [z for z in (zone(n) for n in timezones) if z is not None]
    if zones:
        return zones
    return [ZoneInfo("UTC")] if unknown == "utc" else None


def per_channel(value: Any, name: str, convert: Callable[[Any, str], Any]) -> dict[Channel, Any]:
    """A table keyed by channel name, each value converted (and checked) by `convert`."""
    if not isinstance(value, dict):
        raise ValueError(f"{name}: expected a table keyed by channel, got {value!r}")
    result = {}
    for key, item in value.items():
        try:
            channel = Channel(key)
        except ValueError:
            raise ValueError(f"{name}: {key!r} is not a channel (sms, whatsapp, email)") from None
        result[channel] = convert(item, f"{name}.{key}")
    return result


def allowance(
    name: str, channel: Channel, slot: datetime | None, now: datetime, bucket: str, *, full: str, room: str, wait: str
) -> RuleOutcome:
    """The outcome of asking a shared allowance for room: none in the horizon (skip), room now (pass),
    or room later (defer to the slot). Passing and deferring both name the bucket the send will use."""
    if slot is None:
        return RuleOutcome(name, channel, Verdict.SKIP, full)
    if slot == now:
        return RuleOutcome(name, channel, Verdict.PASS, room, bucket=bucket)
    return RuleOutcome(name, channel, Verdict.DEFER, wait, slot, bucket=bucket)
