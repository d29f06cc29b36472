"""Send windows: hours, several windows a day, days of the week, public holidays, zones and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from herald.rules import Verdict
from herald.rules.builtin import RULES, send_window
from tests.builders import EMAIL, SMS, TXN, intent, params, recipient


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


PARIS = ("Europe/Paris",)
FR = {"windows": ["08:00-20:00"], "days": ["mon", "tue", "wed", "thu", "fri", "sat"], "holidays": True}
RETAIL = {"windows": ["16:00-17:30", "10:00-11:30"]}


@pytest.mark.parametrize(
    ("now", "zones", "region", "overrides", "verdict", "until", "words"),
    [
        # 2026-12-22 is a Tuesday; Paris is UTC+1 in winter.
        (utc(2026, 12, 22, 10, 0), PARIS, "FR", FR, Verdict.PASS, None, "Tue 11:00 in Europe/Paris"),
        (utc(2026, 12, 22, 19, 30), PARIS, "FR", FR, Verdict.DEFER, utc(2026, 12, 23, 7, 0), "outside the send window"),
        (utc(2026, 12, 22, 6, 59), PARIS, "FR", FR, Verdict.DEFER, utc(2026, 12, 22, 7, 0), "07:59"),
        (utc(2026, 12, 22, 7, 0), PARIS, "FR", FR, Verdict.PASS, None, "08:00"),  # the window opens at 08:00 sharp
        (utc(2026, 12, 22, 19, 0), PARIS, "FR", FR, Verdict.DEFER, utc(2026, 12, 23, 7, 0), "20:00"),  # and closes
        # Sunday 2026-12-27 waits for Monday; Christmas (Friday) waits for Saturday the 26th.
        (utc(2026, 12, 27, 10, 0), PARIS, "FR", FR, Verdict.DEFER, utc(2026, 12, 28, 7, 0), "Sunday is not a sending"),
        (
            utc(2026, 12, 25, 10, 0),
            PARIS,
            "FR",
            FR,
            Verdict.DEFER,
            utc(2026, 12, 26, 7, 0),
            "public holiday in FR (Christmas Day)",
        ),
        # Saturday evening after 20:00: Sunday is closed, so Monday morning.
        (utc(2026, 12, 26, 19, 30), PARIS, "FR", FR, Verdict.DEFER, utc(2026, 12, 28, 7, 0), "20:30"),
        # Holidays off: Christmas is an ordinary Friday.
        (utc(2026, 12, 25, 10, 0), PARIS, "FR", {**FR, "holidays": False}, Verdict.PASS, None, "Fri"),
        # A country the calendar does not know has no holidays to keep.
        (utc(2026, 12, 25, 10, 0), PARIS, "XX", FR, Verdict.PASS, None, "Fri"),
        (utc(2026, 12, 25, 10, 0), PARIS, None, FR, Verdict.PASS, None, "Fri"),
        # Two windows a day (retail), given in any order.
        (utc(2026, 12, 22, 9, 30), PARIS, "FR", RETAIL, Verdict.PASS, None, "10:30"),
        (utc(2026, 12, 22, 11, 0), PARIS, "FR", RETAIL, Verdict.DEFER, utc(2026, 12, 22, 15, 0), "12:00"),
        (utc(2026, 12, 22, 16, 30), PARIS, "FR", RETAIL, Verdict.DEFER, utc(2026, 12, 23, 9, 0), "17:30"),
        # Several candidate zones: 14:00 UTC is 09:00 in New York but 06:00 in Los Angeles.
        (
            utc(2026, 12, 22, 14, 0),
            ("America/New_York", "America/Los_Angeles"),
            "US",
            {"windows": ["08:00-21:00"]},
            Verdict.DEFER,
            utc(2026, 12, 22, 16, 0),
            "America/Los_Angeles",
        ),
        # Spring forward in Paris (2026-03-29, 02:00 -> 03:00): a 02:30 window opening still lands after it.
        (
            utc(2026, 3, 29, 0, 0),
            PARIS,
            "FR",
            {"windows": ["02:30-04:00"]},
            Verdict.DEFER,
            utc(2026, 3, 29, 1, 30),
            "outside",
        ),
        # Fall back (2026-10-25): 08:00 local is 07:00 UTC on the day after.
        (
            utc(2026, 10, 24, 19, 0),
            PARIS,
            "FR",
            {"windows": ["08:00-20:00"]},
            Verdict.DEFER,
            utc(2026, 10, 25, 7, 0),
            "21:00",
        ),
        # A window up to the end of the day.
        (utc(2026, 12, 22, 22, 30), PARIS, "FR", {"windows": ["22:00-24:00"]}, Verdict.PASS, None, "23:30"),
    ],
)
def test_send_window(now, zones, region, overrides, verdict, until, words) -> None:
    outcome = send_window.evaluate(
        recipient(timezones=zones, region=region), intent(SMS), SMS, params("send_window", **overrides), now
    )
    assert (outcome.verdict, outcome.until) == (verdict, until)
    assert words in outcome.detail


def test_other_channels_and_purposes_are_not_held() -> None:
    p = params("send_window", channels=["sms"], purposes=["marketing"], **FR)
    sunday = utc(2026, 12, 27, 10, 0)
    assert send_window.evaluate(recipient(timezones=PARIS), intent(EMAIL), EMAIL, p, sunday).verdict is Verdict.PASS
    assert (
        send_window.evaluate(recipient(timezones=PARIS), intent(SMS, purpose=TXN), SMS, p, sunday).verdict
        is Verdict.PASS
    )


@pytest.mark.parametrize(("unknown", "verdict"), [("skip", Verdict.SKIP), ("utc", Verdict.PASS)])
def test_an_unknown_zone_is_skipped_or_read_as_utc(unknown, verdict) -> None:
    p = params("send_window", unknown_timezone=unknown)
    outcome = send_window.evaluate(recipient(timezones=("Mars/Olympus",)), intent(SMS), SMS, p, utc(2026, 12, 22, 12))
    assert outcome.verdict is verdict


def test_no_opening_within_two_weeks_is_a_skip() -> None:
    # Only Sundays, in a country whose every Sunday is... not a holiday; but the zones never agree:
    # 08:00-09:00 in Auckland and in Honolulu never overlap.
    p = params("send_window", windows=["08:00-09:00"])
    r = recipient(timezones=("Pacific/Auckland", "Pacific/Honolulu"))
    outcome = send_window.evaluate(r, intent(SMS), SMS, p, utc(2026, 12, 22, 12))
    assert outcome.verdict is Verdict.SKIP and "next 14 days" in outcome.detail


def test_a_long_run_of_closed_days_is_a_skip() -> None:
    # Fridays only, in France: the two Fridays of the next two weeks are Christmas and New Year's Day.
    p = params("send_window", days=["fri"], holidays=True)
    r = recipient(timezones=PARIS, region="FR")
    outcome = send_window.evaluate(r, intent(SMS), SMS, p, utc(2026, 12, 19, 12))
    assert outcome.verdict is Verdict.SKIP
    assert send_window.opening(utc(2026, 12, 22), ZoneInfo("UTC"), params("send_window", days=["sun"]), None) == utc(
        2026, 12, 27, 8
    )
    assert send_window.holiday("FR", date(2026, 7, 14)) == "National Day"
    assert send_window.holiday(None, date(2026, 7, 14)) is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"windows": []}, "windows: expected a list"),
        ({"windows": "08:00-20:00"}, "windows: expected a list"),
        ({"windows": ["8-20"]}, "windows[0]: expected HH:MM-HH:MM"),
        ({"windows": ["08:00-25:00"]}, "windows[0]: expected HH:MM-HH:MM"),
        ({"windows": ["08:61-09:00"]}, "windows[0]: expected HH:MM-HH:MM"),
        ({"windows": ["20:00-08:00"]}, "ends before it starts"),
        ({"windows": ["10:00-12:00", "11:00-13:00"]}, "10:00–12:00 and the window starting 11:00 overlap"),
        ({"days": []}, "days: expected day names"),
        ({"days": ["someday"]}, "days: expected day names"),
        ({"holidays": "yes"}, "holidays: expected true or false"),
        ({"unknown_timezone": "guess"}, "unknown_timezone"),
    ],
)
def test_bad_windows_are_refused(overrides, message) -> None:
    rule = RULES["send_window"]
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        rule.check({**rule.defaults, **overrides})
