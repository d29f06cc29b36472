"""How long sign-in attempts are held off and how long a session lasts. Pure.

After `FREE_TRIES` wrong passwords in a row an account is locked for a minute, and each further wrong
password doubles the wait, up to an hour: a person who mistypes waits seconds, a guessing script gets a
handful of tries an hour. A right password resets the count. A session ends when it has been idle for
the idle timeout or has lasted the absolute timeout, whichever comes first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FREE_TRIES = 5
FIRST_LOCK = timedelta(minutes=1)
LONGEST_LOCK = timedelta(hours=1)


def locked_until(failures: int, last_failure: datetime | None) -> datetime | None:
    """Until when an account with `failures` wrong passwords in a row is locked (None: it is not)."""
    if failures < FREE_TRIES or last_failure is None:
        return None
    doublings = min(failures - FREE_TRIES, 6)  # 2**6 minutes passes the hour
    wait: timedelta = min(FIRST_LOCK * 2**doublings, LONGEST_LOCK)
    return last_failure + wait


@dataclass(frozen=True)
class SessionLimits:
    idle: timedelta
    absolute: timedelta


def session_ended(started: datetime, last_seen: datetime, now: datetime, limits: SessionLimits) -> str | None:
    """Why a session is over (idle, or too old), or None while it lasts."""
    if now - started >= limits.absolute:
        return "the session lasted its longest; sign in again"
    if now - last_seen >= limits.idle:
        return "the session was idle too long; sign in again"
    return None
