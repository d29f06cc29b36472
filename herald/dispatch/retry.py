"""When a message a provider could not take now is tried again, or whether it is given up. Pure.

The wait doubles with each attempt from `base`, up to `cap`, and a random share of it is taken ("full
jitter"), so that a burst of refusals does not come back as one burst. A wait the provider names
(Retry-After) is kept to at least. A message is given up after `attempts` tries, or when the next try
would fall after its validity: a promotion that cannot go out within its validity is dropped with that
reason rather than sent late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base: timedelta = timedelta(seconds=30)
    cap: timedelta = timedelta(minutes=30)
    attempts: int = 6  # tries in all, the first included
    validity: timedelta = timedelta(hours=24)  # from when the message was due


def deadline(policy: RetryPolicy, due_at: datetime | None, expires_at: datetime | None, now: datetime) -> datetime:
    """When a message stops being worth sending: as fixed at its first retry, else its validity from when
    it was due (now, for a message that does not say)."""
    return expires_at or (due_at or now) + policy.validity


@dataclass(frozen=True)
class GiveUp:
    reason: str  # "attempts" or "expired"
    detail: str


def next_try(
    policy: RetryPolicy,
    tried: int,
    expires: datetime,
    now: datetime,
    retry_after: float | None,
    draw: float,
) -> datetime | GiveUp:
    """The moment to try again after `tried` attempts (this one included), or why not to; `expires` is
    when the message stops being worth sending (`deadline`). `draw` is a number in [0, 1) the caller takes
    at random (a test passes its own)."""
    if tried >= policy.attempts:
        return GiveUp("attempts", f"refused {tried} times; the last try was at {now:%Y-%m-%d %H:%M} UTC")
    ceiling = min(policy.cap, policy.base * (1 << (tried - 1)))  # doubling from the first try
    wait = ceiling * draw
    if retry_after is not None:
        wait = max(wait, timedelta(seconds=retry_after))
    at = now + wait
    if at > expires:
        return GiveUp("expired", f"could not go out before its validity ended at {expires:%Y-%m-%d %H:%M} UTC")
    return at
