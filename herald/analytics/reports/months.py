"""Months and the rates a monthly review compares, pure: which month a text names (refused when it is not
one, or has not begun), the months before it, each rate from its counts, and the change from the month
before in percentage points."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from herald.errors import Invalid
from herald.types import parse_utc

MONTH = re.compile(r"(\d{4})-(\d{2})")
LAST_DAYS = timedelta(days=30)  # a report's period when none is given
# Each rate: its name, the count it counts and the count it is a share of.
RATES = (
    ("delivery_rate", "delivered", "sent"),
    ("failure_rate", "failed", "attempted"),
    ("conversion_rate", "converted", "sent"),
    ("optout_rate", "opted_out", "sent"),
    ("complaint_rate", "complained", "sent"),
)


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    @property
    def start(self) -> datetime:
        return datetime(self.year, self.month, 1, tzinfo=UTC)

    @property
    def end(self) -> datetime:
        """The first moment of the next month."""
        return self.after().start

    def after(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def before(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


def read_month(text: str, now: datetime) -> Month:
    """The month `YYYY-MM` names; refused when it is not a month, or has not begun by `now`."""
    found = MONTH.fullmatch(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) < 2000:
        raise Invalid(f"expected a month as YYYY-MM (2026-11), got {text!r}", where="--month")
    month = Month(int(found.group(1)), int(found.group(2)))
    if month.start > now:
        raise Invalid(f"{month} has not begun (it is {now:%Y-%m-%d} UTC)", where="--month")
    return month


def period(now: datetime, month: str | None, since: str | None, until: str | None) -> tuple[datetime, datetime]:
    """[start, end) of a report: a month, or from `since` to `until` (the last 30 days unless told)."""
    if month:
        chosen = read_month(month, now)
        return chosen.start, chosen.end
    start = parse_utc(since, "--since") if since else now - LAST_DAYS
    end = parse_utc(until, "--until") if until else now
    if start >= end:
        raise Invalid(f"the period ends ({end:%Y-%m-%d}) before it starts ({start:%Y-%m-%d})", where="--until")
    return start, end


def months_back(month: Month, count: int) -> list[Month]:
    """`count` months ending with `month`, oldest first."""
    if not 1 <= count <= 24:
        raise Invalid(f"expected from 1 to 24 months, got {count}", where="--months")
    found = [month]
    while len(found) < count:
        found.append(found[-1].before())
    return found[::-1]


def rates(counts: Mapping[str, int]) -> dict[str, float | None]:
    """Each rate of RATES in percent (two decimals), or None when nothing makes it up."""
    return {
        name: round(100.0 * counts.get(part, 0) / counts[whole], 2) if counts.get(whole) else None
        for name, part, whole in RATES
    }


def change(now: Mapping[str, float | None], before: Mapping[str, float | None]) -> dict[str, float | None]:
    """Each rate's change from the month before, in percentage points (None where either is unknown)."""
    return {
        name: round(value - before[name], 2) if value is not None and before.get(name) is not None else None  # type: ignore[operator]
        for name, value in now.items()
    }
