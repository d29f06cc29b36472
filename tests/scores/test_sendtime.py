"""Send-time profiles, pure: hours of the week, engagement counts, smoothing, the crowd's pull on a thin
history, and the best moment within a span the rules allow."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from herald.errors import Invalid
from herald.scores import sendtime
from herald.scores.sendtime import WEEK, best_time, blend, counts, hour_of_week, prior, profile, ranked, smooth

KATHMANDU = ZoneInfo("Asia/Kathmandu")
MONDAY = datetime(2026, 3, 9, 0, 0, tzinfo=KATHMANDU)  # a Monday


@pytest.mark.parametrize(
    ("moment", "hour"),
    [
        (MONDAY, 0),
        (MONDAY.replace(hour=19, minute=45), 19),
        (MONDAY + timedelta(days=6, hours=23, minutes=59), 167),
        (datetime(2026, 3, 11, 8, 30, tzinfo=ZoneInfo("Asia/Shanghai")), 2 * 24 + 8),
    ],
)
def test_the_hour_of_the_week_is_read_in_the_moments_own_zone(moment, hour) -> None:
    assert hour_of_week(moment) == hour


def test_engagements_count_by_kind_and_unknown_kinds_are_refused() -> None:
    found = counts([("read", MONDAY.replace(hour=19)), ("click", MONDAY.replace(hour=19)), ("reply", MONDAY)])
    assert (found[19], found[0], sum(found)) == (3.0, 2.0, 5.0)
    with pytest.raises(Invalid, match="expected one of read, click, reply, got 'open'"):
        counts([("open", MONDAY)])


def test_smoothing_shares_an_hour_with_its_neighbours_around_the_week() -> None:
    one = [0.0] * WEEK
    one[0] = 4.0
    found = smooth(one)
    assert (found[167], found[0], found[1], sum(found)) == (1.0, 2.0, 1.0, 4.0)


def test_a_crowd_without_engagements_is_flat() -> None:
    assert prior([]) == [1 / WEEK] * WEEK
    busy = [0.0] * WEEK
    busy[10] = 3.0
    assert prior([busy, busy])[10] == 1.0


def test_a_thin_history_follows_the_crowd_and_a_long_one_follows_the_person() -> None:
    crowd = [0.0] * WEEK
    crowd[10] = 1.0  # everyone reads on Monday at 10:00
    thin, long = [0.0] * WEEK, [0.0] * WEEK
    thin[19], long[19] = 2.0, 40.0  # this person reads on Monday at 19:00
    assert max(range(WEEK), key=profile(thin, crowd).__getitem__) == 10
    assert max(range(WEEK), key=profile(long, crowd).__getitem__) == 19
    assert abs(sum(profile(long, crowd)) - 1.0) < 1e-9
    assert profile([0.0] * WEEK, [0.0] * WEEK, 0) == [1 / WEEK] * WEEK


@pytest.mark.parametrize(
    ("own", "crowd", "strength", "error"),
    [([0.0] * 24, [0.0] * WEEK, 1, "a profile has 168 hours"), ([0.0] * WEEK, [0.0] * WEEK, -1, "strength of 0")],
)
def test_a_wrong_profile_is_refused(own, crowd, strength, error) -> None:
    with pytest.raises(Invalid, match=error):
        profile(own, crowd, strength)


def peaked(hour: int) -> list[float]:
    shares = [0.001] * WEEK
    shares[hour] = 0.5
    return shares


@pytest.mark.parametrize(
    ("shares", "start", "within", "quiet", "expected"),
    [
        (peaked(19), MONDAY.replace(hour=9, minute=30), 24, (), MONDAY.replace(hour=19)),
        (peaked(19), MONDAY.replace(hour=19, minute=30), 24, (), MONDAY.replace(hour=19, minute=30)),  # now
        (peaked(19), MONDAY.replace(hour=9), 6, (), None),  # not in the span: the earliest of equals
        (peaked(19), MONDAY.replace(hour=9), 24, (19,), MONDAY.replace(hour=9)),  # 19:00 quiet: all equal
        (peaked(19), MONDAY.replace(hour=9), 24, tuple(range(24)), "none"),  # the rules allow nothing
    ],
)
def test_the_best_time_is_the_largest_share_the_rules_allow(shares, start, within, quiet, expected) -> None:
    if expected is None:  # ties everywhere but the peak: the first allowed moment
        shares = [1.0] * WEEK
        expected = start
    found = best_time(shares, start, within, lambda m: m.hour not in quiet)
    assert found == (None if expected == "none" else expected)


def test_the_best_time_after_a_quiet_peak_prefers_its_neighbours_once_smoothed() -> None:
    own = [0.0] * WEEK
    own[19] = 10.0
    shares = profile(own, sendtime.prior([]), strength=1)
    assert best_time(shares, MONDAY.replace(hour=9), 24, lambda m: m.hour != 19) == MONDAY.replace(hour=18)


def test_a_span_outside_one_week_is_refused() -> None:
    for within in (0, 169):
        with pytest.raises(Invalid, match="from 1 to 168 hours"):
            best_time([1.0] * WEEK, MONDAY, within, lambda m: True)


def test_a_blend_is_the_average_of_the_crowds_and_flat_without_any() -> None:
    evenings, mornings = [0.0] * WEEK, [0.0] * WEEK
    evenings[19], mornings[7] = 1.0, 1.0
    mixed = blend(evenings, mornings)
    assert (mixed[19], mixed[7], sum(mixed)) == (0.5, 0.5, 1.0)
    assert blend() == [1.0 / WEEK] * WEEK


def test_moments_are_ranked_by_share_then_time_across_a_change_of_clocks() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 29, 0, 30, tzinfo=berlin)  # a Sunday: clocks go from 02:00 to 03:00
    shares = [0.0] * WEEK
    shares[6 * 24 + 4] = 1.0  # Sunday 04:00
    moments = ranked(shares, start, 5)
    assert moments[0].hour == 4 and moments[0].utcoffset() == timedelta(hours=2)
    assert [m.hour for m in moments[1:]] == [0, 1, 3, 5]  # 02:00 does not exist that night
