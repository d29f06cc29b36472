"""Token buckets per client address."""

from __future__ import annotations

import pytest

from herald.access.throttle import Buckets, Limit

SIGNIN = Limit("signin", per_minute=6, burst=3)  # one every 10 s after a burst of three


@pytest.mark.parametrize(
    ("times", "waits"),
    [
        ([0, 0, 0], [0, 0, 0]),
        ([0, 0, 0, 0], [0, 0, 0, 10]),
        ([0, 0, 0, 5], [0, 0, 0, 5]),  # half a token back after 5 s
        ([0, 0, 0, 10], [0, 0, 0, 0]),
        ([0, 0, 0, 0, 0], [0, 0, 0, 10, 10]),  # a refused request costs nothing more
        ([0, 0, 0, 60, 60, 60, 60], [0, 0, 0, 0, 0, 0, 10]),  # full again, no more than the burst
    ],
)
def test_a_client_gets_its_burst_then_the_rate(times: list[float], waits: list[float]) -> None:
    buckets = Buckets()
    assert [pytest.approx(buckets.take(SIGNIN, "10.0.0.1", t)) for t in times] == waits


def test_each_address_and_each_limit_has_its_own_bucket() -> None:
    buckets = Buckets()
    other = Limit("links", per_minute=60, burst=1)
    assert [buckets.take(SIGNIN, "10.0.0.1", 0) for _ in range(3)] == [0, 0, 0]
    assert buckets.take(SIGNIN, "10.0.0.2", 0) == 0 and buckets.take(other, "10.0.0.1", 0) == 0
    assert buckets.take(SIGNIN, "10.0.0.1", 0) > 0


def test_past_its_size_it_forgets_buckets_that_refilled() -> None:
    buckets = Buckets(most=2)
    buckets.take(SIGNIN, "a", 0)
    buckets.take(SIGNIN, "b", 0)
    buckets.take(SIGNIN, "c", 100)  # a and b would be full again by now
    assert set(buckets._levels) == {("signin", "c")}
