"""Months and monthly rates, pure: reading a month (and refusing one), the months before it, rates from
counts and their change from the month before."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from herald.analytics.reports.months import Month, change, months_back, period, rates, read_month
from herald.errors import Invalid

NOW = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "month", "start", "end"),
    [
        ("2026-11", Month(2026, 11), datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)),
        (" 2026-12 ", Month(2026, 12), datetime(2026, 12, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)),
        ("2026-01", Month(2026, 1), datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)),
    ],
)
def test_a_month_reads_with_its_bounds(text, month, start, end) -> None:
    found = read_month(text, NOW)
    assert (found, found.start, found.end, str(found)) == (month, start, end, text.strip())


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("2026-13", "expected a month as YYYY-MM"),
        ("2026-00", "expected a month as YYYY-MM"),
        ("November", "expected a month as YYYY-MM"),
        ("1999-05", "expected a month as YYYY-MM"),
        ("2027-01", "2027-01 has not begun (it is 2026-12-06 UTC)"),
    ],
)
def test_a_month_that_is_not_one_or_has_not_begun_is_refused(text, error) -> None:
    with pytest.raises(Invalid, match="--month") as refused:
        read_month(text, NOW)
    assert error in str(refused.value)


def test_months_back_cross_the_year() -> None:
    assert [str(m) for m in months_back(Month(2026, 2), 4)] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months_back(Month(2026, 2), 1) == [Month(2026, 2)]
    for wrong in (0, 25):
        with pytest.raises(Invalid, match="from 1 to 24 months"):
            months_back(Month(2026, 2), wrong)


def test_rates_come_from_their_counts_or_are_unknown() -> None:
    counts = {"sent": 200, "delivered": 190, "attempted": 210, "failed": 10, "converted": 5, "opted_out": 1}
    assert rates(counts) == {
        "delivery_rate": 95.0,
        "failure_rate": 4.76,
        "conversion_rate": 2.5,
        "optout_rate": 0.5,
        "complaint_rate": 0.0,
    }
    assert set(rates({}).values()) == {None}


def test_the_change_is_in_percentage_points_where_both_are_known() -> None:
    now = {"delivery_rate": 95.0, "failure_rate": None, "optout_rate": 0.5}
    before = {"delivery_rate": 97.5, "failure_rate": 3.0, "optout_rate": None}
    assert change(now, before) == {"delivery_rate": -2.5, "failure_rate": None, "optout_rate": None}


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (("2026-11", None, None), (datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC))),
        ((None, None, None), (datetime(2026, 11, 6, 10, 0, tzinfo=UTC), NOW)),
        (
            (None, "2026-10-01", "2026-10-15T12:00"),
            (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 10, 15, 12, tzinfo=UTC)),
        ),
    ],
)
def test_a_period_is_a_month_or_two_dates_or_the_last_30_days(given, expected) -> None:
    assert period(NOW, *given) == expected


def test_a_period_that_ends_before_it_starts_is_refused() -> None:
    with pytest.raises(Invalid, match="the period ends \\(2026-10-01\\) before it starts \\(2026-10-15\\)"):
        period(NOW, None, "2026-10-15", "2026-10-01")
