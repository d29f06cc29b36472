"""Parameter helpers shared by the rule families."""

from __future__ import annotations

from datetime import time
from typing import Any

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
    return value
