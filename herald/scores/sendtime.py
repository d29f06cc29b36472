"""Send-time profiles, pure: when in the week a person reads, clicks and replies, and the best moment to
message them within a span the rules allow.

- **A profile** is a share for each of the 168 hours of the week in the person's own time zone (Monday
  00:00 is hour 0). It is their own engagements — a read counts 1, a click or a reply 2 — smoothed over
  the neighbouring hours (people who read at 19:00 are not strangers to 18:00 and 20:00), then pulled
  toward a prior — their segment's or region's pattern — by `strength` pseudo-engagements: a person with
  two reads on record follows the crowd, one with forty follows themselves.
- **The best time** is the hour of the span with the largest share whose moment the rules allow (quiet
  hours, the send window): the earliest of equals, or None when the rules allow none of it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta

from herald.errors import Invalid

WEEK = 168
WEIGHTS = {"read": 1.0, "click": 2.0, "reply": 2.0}
KERNEL = (0.25, 0.5, 0.25)  # an engagement's weight on the hour before, its own, and the hour after


def hour_of_week(moment: datetime) -> int:
    """0 for Monday 00:00–00:59 in the moment's own zone, 167 for Sunday 23:00–23:59."""
    return moment.weekday() * 24 + moment.hour


def counts(engagements: Iterable[tuple[str, datetime]]) -> list[float]:
    """Weighted engagements per hour of the week, from (kind, local moment) pairs."""
    found = [0.0] * WEEK
    for kind, moment in engagements:
        if kind not in WEIGHTS:
            raise Invalid(f"expected one of {', '.join(WEIGHTS)}, got {kind!r}", where="engagement")
        found[hour_of_week(moment)] += WEIGHTS[kind]
    return found


def smooth(values: Sequence[float]) -> list[float]:
    """Each hour shares its weight with its neighbours (around the week: Sunday night meets Monday)."""
    n = len(values)
    return [sum(w * values[(h + d - 1) % n] for d, w in enumerate(KERNEL)) for h in range(n)]


def prior(population: Iterable[Sequence[float]]) -> list[float]:
    """The shares of a crowd's summed counts (a segment's, a region's); flat when it has none."""
    total = [0.0] * WEEK
    for person in population:
        for h, value in enumerate(person):
            total[h] += value
    return _shares(total)


def profile(own: Sequence[float], crowd: Sequence[float], strength: float = 10.0) -> list[float]:
    """A person's shares: their smoothed counts plus `strength` engagements spread as the crowd's shares."""
    if len(own) != WEEK or len(crowd) != WEEK:
        raise Invalid(f"a profile has {WEEK} hours", where="profile")
    if strength < 0:
        raise Invalid(f"expected a strength of 0 or more, got {strength}", where="profile")
    mine = smooth(own)
    return _shares([mine[h] + strength * crowd[h] for h in range(WEEK)])


def blend(*priors: Sequence[float]) -> list[float]:
    """The average of crowds' shares (the campaign's audience and the person's region, say)."""
    if not priors:
        return [1.0 / WEEK] * WEEK
    return [sum(p[h] for p in priors) / len(priors) for h in range(WEEK)]


def ranked(shares: Sequence[float], start: datetime, within_hours: int) -> list[datetime]:
    """The moments of [start, start + within_hours), one per hour — `start` itself in its first hour, else
    the top of the hour — from the largest share to the smallest, the earliest of equals first."""
    if not 1 <= within_hours <= WEEK:
        raise Invalid(f"expected from 1 to {WEEK} hours, got {within_hours}", where="within")
    # Hours counted in absolute time (UTC), so that a change of clocks neither skips nor repeats one.
    top = start.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
    moments = [start] + [(top + timedelta(hours=step)).astimezone(start.tzinfo) for step in range(1, within_hours)]
    order = sorted(range(len(moments)), key=lambda i: (-shares[hour_of_week(moments[i])], i))
    return [moments[i] for i in order]


def best_time(
    shares: Sequence[float], start: datetime, within_hours: int, allowed: Callable[[datetime], bool]
) -> datetime | None:
    """The moment in [start, start + within_hours) whose hour of the week has the largest share and that
    the rules allow: `start` itself in its first hour, else the top of the hour; the earliest of equals."""
    return next((moment for moment in ranked(shares, start, within_hours) if allowed(moment)), None)


def _shares(values: Sequence[float]) -> list[float]:
    total = sum(values)
    if total <= 0:
        return [1.0 / WEEK] * WEEK
    return [v / total for v in values]
