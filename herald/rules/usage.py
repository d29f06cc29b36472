"""Sender usage: when each shared allowance (a sender's daily cap, WhatsApp's portfolio messaging limit)
was or will be used, as sorted send times per bucket, and each channel's recent failure rate.

The planner and the worker fill it from the ledger; rules only read it; after each decision the planner
records the buckets the decision uses, so the next recipient sees them. Pure: no clock, no database."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_STEPS = 10_000


def sender_bucket(channel: str) -> str:
    """The allowance of a channel's sender: every message on the channel uses it."""
    return f"sender:{channel}"


TICK = timedelta(microseconds=1)


class Usage:
    def __init__(
        self, times: Mapping[str, Iterable[datetime]] | None = None, failure_rate: Mapping[str, float] | None = None
    ) -> None:
        self._times = {k: sorted(v) for k, v in (times or {}).items()}
        self.failure_rate = dict(failure_rate or {})
        # Moments [from, to) known to have no room. Sends are only ever added, so a moment without room
        # never regains it: the next search may start where the last one ended.
        self._full: dict[tuple[str, timedelta, int], tuple[datetime, datetime]] = {}

    def record(self, bucket: str, at: datetime) -> None:
        insort(self._times.setdefault(bucket, []), at)

    def count(self, bucket: str, start: datetime, end: datetime) -> int:
        """Sends in [start, end)."""
        times = self._times.get(bucket, [])
        return bisect_left(times, end) - bisect_left(times, start)

    def daily_slot(
        self, bucket: str, at: datetime, zone: ZoneInfo, cap_of: Callable[[date], int], horizon_days: int
    ) -> datetime | None:
        """The first moment from `at` on a local day whose sends are still under that day's cap."""
        first = at.astimezone(zone).date()
        for offset in range(horizon_days + 1):
            day = first + timedelta(days=offset)
            start = datetime.combine(day, time(), tzinfo=zone).astimezone(UTC)
            end = datetime.combine(day + timedelta(days=1), time(), tzinfo=zone).astimezone(UTC)
            if self.count(bucket, start, end) < cap_of(day):
                return max(at, start)
        return None

    def rolling_slot(
        self, bucket: str, at: datetime, window: timedelta, limit: int, horizon: timedelta
    ) -> datetime | None:
        """The first moment from `at` where one more send keeps every rolling `window` at `limit` or under."""
        times, end, key = self._times.get(bucket, []), at + horizon, (bucket, window, limit)
        start = at
        known = self._full.get(key)
        if known is not None and known[0] <= at < known[1]:
            start = known[1]
        slot = _search(times, start, end, window, limit)
        self._full[key] = (at, end + TICK if slot is None else slot)
        return slot


def _search(times: list[datetime], at: datetime, end: datetime, window: timedelta, limit: int) -> datetime | None:
    for _ in range(MAX_STEPS):
        if at > end:
            return None
        later = _next_try(times, at, window, limit)
        if later is None:
            return at
        at = later
    return None


def _next_try(times: list[datetime], t: datetime, window: timedelta, limit: int) -> datetime | None:
    """None when a send at `t` fits every rolling window containing it, else the next moment worth trying.

    A send at t falls in the windows (x - window, x] for x in [t, t + window); their counts only rise at
    existing sends, so it is enough to check the window ending at t and those ending at each later send."""
    low, here = bisect_right(times, t - window), bisect_right(times, t)
    if here - low >= limit:
        return times[low] + window  # the oldest send of the full window has aged out by then
    for i in range(here, bisect_left(times, t + window)):
        e = times[i]
        if bisect_right(times, e) - bisect_right(times, e - window) >= limit:
            return e + TICK  # past the send whose window is full
    return None
