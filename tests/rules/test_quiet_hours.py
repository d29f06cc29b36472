"""Quiet hours in the recipient's local time: zones, midnight, several candidate zones and DST."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from herald.rules import Verdict
from herald.rules.builtin import quiet_hours
from tests.builders import EMAIL, SMS, TXN, intent, params, recipient


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "zones", "overrides", "verdict", "until"),
    [
        # Kathmandu is UTC+05:45.
        (utc(2026, 3, 10, 14, 0), ("Asia/Kathmandu",), {}, Verdict.PASS, None),  # 19:45 local
        (utc(2026, 3, 10, 16, 0), ("Asia/Kathmandu",), {}, Verdict.DEFER, utc(2026, 3, 11, 2, 15)),  # 21:45
        (utc(2026, 3, 10, 0, 15), ("Asia/Kathmandu",), {}, Verdict.DEFER, utc(2026, 3, 10, 2, 15)),  # 06:00
        (utc(2026, 3, 10, 15, 15), ("Asia/Kathmandu",), {}, Verdict.DEFER, utc(2026, 3, 11, 2, 15)),  # 21:00 sharp
        (utc(2026, 3, 10, 2, 15), ("Asia/Kathmandu",), {}, Verdict.PASS, None),  # 08:00 sharp is allowed
        # A quiet period that does not cross midnight.
        (
            utc(2026, 3, 10, 6, 45),
            ("Asia/Kathmandu",),
            {"start": "12:00", "end": "14:00"},
            Verdict.DEFER,
            utc(2026, 3, 10, 8, 15),
        ),
        (utc(2026, 3, 10, 5, 0), ("Asia/Kathmandu",), {"start": "12:00", "end": "14:00"}, Verdict.PASS, None),
        # Several candidate zones: allowed only when every one is awake. 13:00 UTC is 09:00 EDT, 06:00 PDT.
        (
            utc(2026, 3, 10, 13, 0),
            ("America/New_York", "America/Los_Angeles"),
            {},
            Verdict.DEFER,
            utc(2026, 3, 10, 15, 0),
        ),
        (utc(2026, 3, 10, 18, 0), ("America/New_York", "America/Los_Angeles"), {}, Verdict.PASS, None),
        # DST starts in the US on 2026-03-08: 08:00 EDT is 12:00 UTC, not 13:00.
        (utc(2026, 3, 8, 5, 0), ("America/New_York",), {}, Verdict.DEFER, utc(2026, 3, 8, 12, 0)),
        # DST ends on 2026-11-01: 08:00 EST is 13:00 UTC.
        (utc(2026, 11, 1, 4, 0), ("America/New_York",), {}, Verdict.DEFER, utc(2026, 11, 1, 13, 0)),
        # A quiet period ending at 02:30, a wall time that does not exist on 2026-03-08 in New York.
        (
            utc(2026, 3, 8, 6, 0),
            ("America/New_York",),
            {"start": "22:00", "end": "02:30"},
            Verdict.DEFER,
            utc(2026, 3, 8, 7, 30),
        ),
        # Unknown zones: skipped by default, or judged in UTC when the policy says so.
        (utc(2026, 3, 10, 23, 0), (), {}, Verdict.SKIP, None),
        (utc(2026, 3, 10, 23, 0), (), {"unknown_timezone": "utc"}, Verdict.DEFER, utc(2026, 3, 11, 8, 0)),
        (utc(2026, 3, 10, 23, 0), ("Not/AZone",), {}, Verdict.SKIP, None),
        # Two zones whose allowed hours never meet.
        (
            utc(2026, 3, 10, 0, 0),
            ("Asia/Tokyo", "America/New_York"),
            {"start": "10:00", "end": "08:00"},
            Verdict.SKIP,
            None,
        ),
    ],
)
def test_quiet_hours(now, zones, overrides, verdict, until) -> None:
    outcome = quiet_hours.evaluate(
        recipient(timezones=zones), intent(SMS), SMS, params("quiet_hours", **overrides), now
    )
    assert outcome.verdict is verdict, outcome.detail
    assert outcome.until == until


def test_it_defers_until_local_morning_and_says_so() -> None:
    outcome = quiet_hours.evaluate(recipient(), intent(SMS), SMS, params("quiet_hours"), utc(2026, 3, 10, 16, 0))
    assert "21:45 in Asia/Kathmandu" in outcome.detail
    assert "next allowed 2026-03-11 08:00 Asia/Kathmandu" in outcome.detail


@pytest.mark.parametrize(("channel", "purpose"), [(EMAIL, None), (SMS, TXN)])
def test_channels_and_purposes_outside_the_rule_pass(channel, purpose) -> None:
    it = intent(channel) if purpose is None else intent(channel, purpose=purpose)
    outcome = quiet_hours.evaluate(recipient(), it, channel, params("quiet_hours"), utc(2026, 3, 10, 16, 0))
    assert outcome.verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("local", "start", "end", "quiet"),
    [
        (time(21), time(21), time(8), True),
        (time(7, 59), time(21), time(8), True),
        (time(8), time(21), time(8), False),
        (time(13), time(12), time(14), True),
        (time(14), time(12), time(14), False),
        (time(11), time(12), time(14), False),
    ],
)
def test_is_quiet(local, start, end, quiet) -> None:
    assert quiet_hours.is_quiet(local, start, end) is quiet
