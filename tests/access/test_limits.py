"""Lock-out after wrong passwords, and how long a session lasts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.access.limits import SessionLimits, locked_until, session_ended

AT = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("failures", "last", "until"),
    [
        (0, None, None),
        (4, AT, None),  # four mistakes cost nothing
        (5, None, None),  # no time of the last failure: nothing to count from
        (5, AT, AT + timedelta(minutes=1)),
        (6, AT, AT + timedelta(minutes=2)),
        (8, AT, AT + timedelta(minutes=8)),
        (11, AT, AT + timedelta(hours=1)),  # 64 minutes would pass the hour
        (500, AT, AT + timedelta(hours=1)),
    ],
)
def test_it_locks_out_longer_after_each_wrong_password(failures: int, last: datetime | None, until) -> None:
    assert locked_until(failures, last) == until


LIMITS = SessionLimits(idle=timedelta(minutes=60), absolute=timedelta(hours=12))


@pytest.mark.parametrize(
    ("started", "seen", "ended"),
    [
        (AT - timedelta(hours=1), AT - timedelta(minutes=5), None),
        (AT - timedelta(hours=2), AT - timedelta(minutes=60), "idle"),
        (AT - timedelta(hours=12), AT - timedelta(minutes=1), "longest"),
        (AT - timedelta(hours=11, minutes=59), AT - timedelta(minutes=59), None),
    ],
)
def test_a_session_ends_when_idle_or_too_old(started: datetime, seen: datetime, ended: str | None) -> None:
    reason = session_ended(started, seen, AT, LIMITS)
    assert (reason is None) if ended is None else (ended in (reason or ""))
