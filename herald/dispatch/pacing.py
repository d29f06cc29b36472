"""Pacing: how many of a batch's messages an account may take now, and when the rest may go. Pure.

Each account (and, later, each sender) has a bucket shared by every worker through the database. The
rate is kept the way the generic cell rate algorithm keeps it: one moment, `next_free`, when the next
unit may go; each unit granted pushes it on by 1/rate seconds. A worker may send the units whose moment
falls within the next `horizon` (a second by default, so a burst never exceeds a second's worth); the
rest go back to the queue to be taken again a horizon before the moment each would have had. The worker
sends each granted message at its own moment, so a second's worth is spread over the second rather than
sent at its start. A daily limit counts units per UTC day; past it, messages wait for the next day.
Units are what the vendor meters: messages, or SMS segments.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta


@dataclass(frozen=True)
class Limits:
    per_second: float | None = None  # units a second; None: unpaced
    per_day: int | None = None  # units a UTC day; None: no daily limit

    @property
    def paced(self) -> bool:
        return self.per_second is not None or self.per_day is not None


@dataclass(frozen=True)
class Bucket:
    key: str
    next_free: datetime | None = None  # when the next unit may go
    day: date | None = None  # the UTC day `used` counts
    used: int = 0  # units granted that day


@dataclass(frozen=True)
class Grant:
    now: list[int] = field(default_factory=list)  # indices of the messages that may go now
    at: dict[int, datetime] = field(default_factory=dict)  # index -> its moment, within the horizon (paced only)
    later: dict[int, datetime] = field(default_factory=dict)  # index -> when it may be tried again
    bucket: Bucket | None = None  # the bucket after the grant (None: unchanged)


def reserve(
    limits: Limits, bucket: Bucket, units: Sequence[int], now: datetime, horizon: timedelta = timedelta(seconds=1)
) -> Grant:
    """Which messages (by their units, in order) may go now, and when each of the others may."""
    if not limits.paced:
        return Grant(list(range(len(units))))
    used = bucket.used if bucket.day == now.date() else 0
    slot = max(bucket.next_free or now, now)
    granted: list[int] = []
    later: dict[int, datetime] = {}
    moments: dict[int, datetime] = {}
    for index, unit in enumerate(units):
        if limits.per_day is not None and used + unit > limits.per_day:
            later[index] = _next_day(now)
        elif later or slot > now + horizon:  # in order: once one waits, the rest wait behind it
            later[index] = slot - horizon  # back a horizon early, so that it is sent at its very moment
        else:
            granted.append(index)
            moments[index] = slot
            used += unit
        slot += _spacing(limits, unit)
    taken = sum(units[i] for i in granted)
    paced = granted and limits.per_second is not None
    next_free = max(bucket.next_free or now, now) + _spacing(limits, taken) if paced else bucket.next_free
    at = moments if limits.per_second is not None else {}
    return Grant(granted, at, later, Bucket(bucket.key, next_free, now.date(), used))


def _spacing(limits: Limits, units: int) -> timedelta:
    return timedelta(seconds=units / limits.per_second) if limits.per_second else timedelta(0)


def _next_day(now: datetime) -> datetime:
    return datetime.combine(now.date() + timedelta(days=1), time(0), tzinfo=now.tzinfo)
