"""The retry policy (pure): exponential waits with jitter, Retry-After kept to, attempts and validity."""

from datetime import UTC, datetime, timedelta

import pytest

from herald.dispatch.retry import GiveUp, RetryPolicy, deadline, next_try

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
POLICY = RetryPolicy(base=timedelta(seconds=30), cap=timedelta(minutes=30), attempts=6, validity=timedelta(hours=24))


@pytest.mark.parametrize(
    ("tried", "retry_after", "draw", "wait"),
    [
        (1, None, 0.5, timedelta(seconds=15)),  # half of the first ceiling (30 s)
        (2, None, 0.5, timedelta(seconds=30)),  # the ceiling doubles
        (4, None, 0.999, timedelta(seconds=239.76)),
        (5, None, 0.5, timedelta(minutes=4)),  # 30 s × 16 = 8 min, half of it
        (1, 60.0, 0.5, timedelta(seconds=60)),  # the provider's wait is kept to
        (2, 5.0, 0.5, timedelta(seconds=30)),  # … but jitter may wait longer
        (1, None, 0.0, timedelta(0)),
    ],
)
def test_the_wait_doubles_with_jitter_and_keeps_to_retry_after(tried, retry_after, draw, wait) -> None:
    assert next_try(POLICY, tried, NOW + timedelta(hours=24), NOW, retry_after, draw) == NOW + wait


def test_the_wait_stops_growing_at_the_cap() -> None:
    many = RetryPolicy(attempts=20)
    assert next_try(many, 12, NOW + timedelta(days=1), NOW, None, 0.5) == NOW + timedelta(minutes=15)


def test_a_message_is_given_up_after_its_attempts() -> None:
    found = next_try(POLICY, 6, NOW + timedelta(days=1), NOW, None, 0.5)
    assert isinstance(found, GiveUp) and found.reason == "attempts" and "refused 6 times" in found.detail


def test_a_message_that_would_go_out_past_its_validity_is_dropped_not_sent_late() -> None:
    expires = deadline(POLICY, NOW - timedelta(hours=23, minutes=59), None, NOW)
    assert expires == NOW + timedelta(minutes=1)
    found = next_try(POLICY, 1, expires, NOW, 120.0, 0.1)
    assert isinstance(found, GiveUp) and found.reason == "expired" and "2026-03-10 14:01 UTC" in found.detail
    assert next_try(POLICY, 1, expires, NOW, 30.0, 0.1) == NOW + timedelta(seconds=30)


def test_the_deadline_is_fixed_at_the_first_retry_and_kept() -> None:
    fixed = NOW + timedelta(hours=3)
    assert deadline(POLICY, NOW, fixed, NOW) == fixed
    assert deadline(POLICY, None, None, NOW) == NOW + timedelta(hours=24)
