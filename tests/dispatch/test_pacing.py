"""Pacing by a shared bucket: a rate in units a second, a daily limit, and the moment each held-back
message may go (pure)."""

from datetime import UTC, date, datetime, timedelta

import pytest

from herald.dispatch.pacing import Bucket, Limits, reserve

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
S = timedelta(seconds=1)


def test_an_unpaced_account_takes_the_whole_batch_and_keeps_no_bucket() -> None:
    grant = reserve(Limits(), Bucket("account:a"), [1, 3, 1], NOW)
    assert (grant.now, grant.later, grant.bucket) == ([0, 1, 2], {}, None)


@pytest.mark.parametrize(
    ("limits", "bucket", "units", "now", "later", "next_free", "used"),
    [
        # 2 a second, a second's horizon: three go now (slots 0, 0.5 s, 1 s); the rest are taken again a
        # second before their slots (1.5 s, 2 s), to be sent at them.
        (Limits(2), Bucket("k"), [1] * 5, [0, 1, 2], {3: NOW + 0.5 * S, 4: NOW + 1 * S}, NOW + 1.5 * S, 3),
        # A bucket already booked two seconds ahead: nothing now, each back a second before its slot.
        (Limits(2), Bucket("k", NOW + 2 * S), [1, 1], [], {0: NOW + 1 * S, 1: NOW + 1.5 * S}, NOW + 2 * S, 0),
        # A bucket last used long ago starts from now, not from then.
        (Limits(1), Bucket("k", NOW - 60 * S), [1, 1, 1], [0, 1], {2: NOW + 1 * S}, NOW + 2 * S, 2),
        # Segments: a three-segment SMS takes three slots.
        (Limits(2), Bucket("k"), [3, 1], [0], {1: NOW + 0.5 * S}, NOW + 1.5 * S, 3),
        # A daily limit: two units left today; the third waits for tomorrow (UTC).
        (
            Limits(None, 10),
            Bucket("k", None, NOW.date(), 8),
            [1, 1, 1],
            [0, 1],
            {2: datetime(2026, 12, 6, tzinfo=UTC)},
            None,
            10,
        ),
        # Yesterday's use does not count today.
        (Limits(None, 2), Bucket("k", None, date(2026, 12, 4), 2), [1, 1], [0, 1], {}, None, 2),
        # Once one waits, those behind it wait too, in order, even if they would fit.
        (
            Limits(100, 5),
            Bucket("k", None, NOW.date(), 2),
            [2, 2, 1],
            [0],
            {1: datetime(2026, 12, 6, tzinfo=UTC), 2: NOW - 0.96 * S},
            NOW + 0.02 * S,
            4,
        ),
    ],
)
def test_the_bucket_grants_what_fits_and_says_when_the_rest_may_go(
    limits, bucket, units, now, later, next_free, used
) -> None:
    grant = reserve(limits, bucket, units, NOW)
    assert grant.now == now and grant.later == later
    assert grant.bucket == Bucket("k", next_free, NOW.date(), used)
    assert set(grant.at) == (set(now) if limits.per_second else set())  # each granted message's moment


def test_each_message_granted_has_its_own_moment_spread_over_the_second() -> None:
    grant = reserve(Limits(4), Bucket("k", NOW + 0.5 * S), [1, 1, 1, 1], NOW)
    assert grant.now == [0, 1, 2] and list(grant.at.values()) == [NOW + 0.5 * S, NOW + 0.75 * S, NOW + 1 * S]


def test_over_a_minute_of_batches_the_rate_is_held_exactly() -> None:
    limits, bucket, sent, clock = Limits(80), Bucket("k"), [], NOW
    for _ in range(600):  # a worker asking every 0.1 s with 500 messages waiting
        grant = reserve(limits, bucket, [1] * 500, clock)
        sent.append(len(grant.now))
        bucket, clock = grant.bucket, clock + 0.1 * S
    # Every slot up to a second past the last ask (59.9 s), 80 a second, and the one at the very start.
    assert sum(sent) == 1 + 80 * (59.9 + 1) and sent[0] == 81 and set(sent[1:]) == {8}
