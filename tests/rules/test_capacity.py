"""Shared allowances: the usage ledger, sender daily caps with warm-up, WhatsApp's messaging limit and spacing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from herald.rules import Verdict
from herald.rules.builtin import RULES, capacity, whatsapp_limits
from herald.rules.usage import Usage
from tests.builders import EMAIL, SMS, WA, intent, params, recipient, sent

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
H = timedelta(hours=1)
DAY = timedelta(days=1)


def times(*hours_ago: float) -> list[datetime]:
    return [NOW - timedelta(hours=h) for h in hours_ago]


# --- the ledger -------------------------------------------------------------------------------------------


def test_usage_counts_and_records_in_order() -> None:
    usage = Usage({"b": times(1, 30)})
    usage.record("b", NOW - 2 * H)
    assert usage.count("b", NOW - 3 * H, NOW) == 2
    assert usage.count("b", NOW - 48 * H, NOW) == 3
    assert usage.count("other", NOW - 48 * H, NOW) == 0


@pytest.mark.parametrize(
    ("existing", "limit", "expected"),
    [
        ((), 2, NOW),
        (times(1), 2, NOW),
        (times(1, 3), 2, NOW + 21 * H),  # when the send of 3 h ago ages out of the rolling 24 h
        (times(1, 3, 30), 2, NOW + 21 * H),  # older sends do not count
        # A planned send 10 h from now fills the windows that contain it: wait until past it, and until
        # the send of 1 h ago has aged out too.
        ([NOW - H, NOW + 10 * H], 2, NOW + 23 * H),
    ],
)
def test_the_rolling_slot_keeps_every_window_at_the_limit(existing, limit, expected) -> None:
    slot = Usage({"b": existing}).rolling_slot("b", NOW, DAY, limit, 30 * DAY)
    assert slot is not None and abs(slot - expected) < timedelta(milliseconds=1)
    # Placing it there keeps every rolling 24 h within the limit.
    placed = sorted([*existing, slot])
    assert all(sum(1 for t in placed if x - DAY < t <= x) <= limit for x in placed)


def test_the_rolling_slot_gives_up_past_the_horizon_and_remembers_it() -> None:
    full = [NOW + timedelta(minutes=m) for m in range(0, 3 * 24 * 60, 60)]  # 24 a day for three days
    usage = Usage({"b": full})
    assert usage.rolling_slot("b", NOW, DAY, 24, 2 * DAY) is None
    assert usage.rolling_slot("b", NOW + H, DAY, 24, 2 * DAY) is None  # starts past what is known to be full
    # The first hour of the last full day ages out 24 h after it was sent.
    assert usage.rolling_slot("b", NOW + H, DAY, 24, 4 * DAY) == full[48] + DAY


def test_the_search_stops_after_its_step_budget(monkeypatch) -> None:
    from herald.rules import usage as module

    monkeypatch.setattr(module, "MAX_STEPS", 1)
    assert Usage({"b": times(1, 3)}).rolling_slot("b", NOW, DAY, 2, 30 * DAY) is None


def test_a_remembered_slot_is_where_the_next_search_starts() -> None:
    usage = Usage({"b": times(1, 3)})
    first = usage.rolling_slot("b", NOW, DAY, 2, 30 * DAY)
    usage.record("b", first)
    second = usage.rolling_slot("b", NOW + H, DAY, 2, 30 * DAY)
    assert second is not None and second > first


def test_the_daily_slot_moves_to_the_next_day_with_room() -> None:
    zone = ZoneInfo("UTC")
    usage = Usage({"b": [NOW - H, NOW - 2 * H]})
    assert usage.daily_slot("b", NOW, zone, lambda d: 3, 5) == NOW
    assert usage.daily_slot("b", NOW, zone, lambda d: 2, 5) == datetime(2026, 3, 11, tzinfo=UTC)
    assert usage.daily_slot("b", NOW, zone, lambda d: 2 if d.day == 10 else 0, 5) is None


# --- sender capacity --------------------------------------------------------------------------------------


def with_usage(usage: Usage | None, channel=SMS):
    return replace(intent(channel), usage=usage)


def test_a_sender_without_a_cap_passes() -> None:
    outcome = capacity.evaluate(recipient(), with_usage(Usage()), SMS, params("sender_capacity"), NOW)
    assert outcome.verdict is Verdict.PASS and "no daily cap" in outcome.detail and outcome.bucket is None


def test_without_usage_facts_the_cap_is_not_applied() -> None:
    p = params("sender_capacity", daily_cap={"sms": 1})
    outcome = capacity.evaluate(recipient(), with_usage(None), SMS, p, NOW)
    assert outcome.verdict is Verdict.PASS and "not known" in outcome.detail


@pytest.mark.parametrize(
    ("sent_today", "cap", "verdict", "until"),
    [(1, 2, Verdict.PASS, None), (2, 2, Verdict.DEFER, datetime(2026, 3, 11, tzinfo=UTC))],
)
def test_the_daily_cap_defers_to_tomorrow(sent_today, cap, verdict, until) -> None:
    usage = Usage({"sender:sms": times(*range(1, sent_today + 1))})
    outcome = capacity.evaluate(
        recipient(), with_usage(usage), SMS, params("sender_capacity", daily_cap={"sms": cap}), NOW
    )
    assert (outcome.verdict, outcome.until, outcome.bucket) == (verdict, until, "sender:sms")


def test_the_day_is_the_senders_own() -> None:
    # 14:00 UTC is 23:00 in Tokyo: two sends at 10:00 and 11:00 UTC were today there, one left before midnight.
    p = params("sender_capacity", daily_cap={"sms": 2}, timezone="Asia/Tokyo")
    usage = Usage({"sender:sms": times(3, 4)})
    outcome = capacity.evaluate(recipient(), with_usage(usage), SMS, p, NOW)
    assert outcome.until == datetime(2026, 3, 10, 15, tzinfo=UTC)  # midnight in Tokyo


def test_the_warm_up_doubles_each_day() -> None:
    p = params("sender_capacity", warmup_start=2, started_on="2026-03-09")
    assert capacity.day_cap(p, SMS, date(2026, 3, 8), date(2026, 3, 10), False) == 2
    assert capacity.day_cap(p, SMS, date(2026, 3, 10), date(2026, 3, 10), False) == 4
    assert capacity.day_cap(p, SMS, date(2026, 3, 12), date(2026, 3, 10), False) == 16
    # A failing sender stops growing.
    assert capacity.day_cap(p, SMS, date(2026, 3, 12), date(2026, 3, 10), True) == 4
    # The daily cap bounds the ramp.
    capped = params("sender_capacity", warmup_start=2, started_on="2026-03-09", daily_cap={"sms": 10})
    assert capacity.day_cap(capped, SMS, date(2026, 3, 20), date(2026, 3, 10), False) == 10
    assert capacity.day_cap(capped, EMAIL, date(2026, 3, 20), date(2026, 3, 10), False) == 2 * 2**11


def test_a_held_ramp_is_explained() -> None:
    p = params("sender_capacity", warmup_start=2, started_on="2026-03-10")
    usage = Usage({"sender:sms": times(1, 2)}, failure_rate={"sms": 0.2})
    outcome = capacity.evaluate(recipient(), with_usage(usage), SMS, p, NOW)
    assert outcome.verdict is Verdict.DEFER and "warm-up held at 2 a day (failure rate 20.0%)" in outcome.detail


def test_a_sender_full_past_the_horizon_skips() -> None:
    p = params("sender_capacity", daily_cap={"sms": 1}, horizon_days=1)
    usage = Usage({"sender:sms": [NOW - H, NOW + DAY]})
    assert capacity.evaluate(recipient(), with_usage(usage), SMS, p, NOW).verdict is Verdict.SKIP


# --- WhatsApp limits --------------------------------------------------------------------------------------


def test_whatsapp_limits_leave_other_channels_alone() -> None:
    outcome = whatsapp_limits.evaluate(recipient(), with_usage(Usage()), SMS, params("whatsapp_limits"), NOW)
    assert outcome.verdict is Verdict.PASS


@pytest.mark.parametrize(
    ("kw", "portfolio", "overrides", "verdict", "words"),
    [
        ({}, [], {}, Verdict.PASS, "within the messaging limit of 250"),
        ({}, times(*[0.01 * i for i in range(1, 251)]), {}, Verdict.DEFER, "limit of 250 customers in 24 h is reached"),
        ({}, times(*[0.01 * i for i in range(1, 251)]), {"portfolio_limit": "unlimited"}, Verdict.PASS, "no messaging"),
        (
            {"last_inbound": {WA: NOW - H}},
            times(*[0.01 * i for i in range(1, 251)]),
            {},
            Verdict.PASS,
            "inside the customer-service window",
        ),
        (
            {"sends": (sent(2, NOW, channel=WA),)},
            times(*[0.01 * i for i in range(1, 251)]),
            {},
            Verdict.PASS,
            "already reached",
        ),
        ({"sends": (sent(0.001, NOW, channel=WA),)}, [], {}, Verdict.DEFER, "6 s apart"),
        ({"sends": (sent(30, NOW, channel=WA),)}, [], {}, Verdict.PASS, "within the messaging limit"),
    ],
)
def test_whatsapp_limits(kw, portfolio, overrides, verdict, words) -> None:
    usage = Usage({"whatsapp:portfolio": portfolio})
    outcome = whatsapp_limits.evaluate(
        recipient(**kw), with_usage(usage, WA), WA, params("whatsapp_limits", **overrides), NOW
    )
    assert outcome.verdict is verdict and words in outcome.detail


def test_whatsapp_limit_without_usage_or_room() -> None:
    p = params("whatsapp_limits", horizon_days=1)
    unknown = whatsapp_limits.evaluate(recipient(), with_usage(None, WA), WA, p, NOW)
    assert unknown.verdict is Verdict.PASS and "not known" in unknown.detail
    full = Usage({"whatsapp:portfolio": [NOW + timedelta(seconds=s) for s in range(0, 3 * 86400, 300)]})
    assert whatsapp_limits.evaluate(recipient(), with_usage(full, WA), WA, p, NOW).verdict is Verdict.SKIP


@pytest.mark.parametrize(
    ("rule", "overrides", "message"),
    [
        ("whatsapp_limits", {"portfolio_limit": 300}, "portfolio_limit: expected one of 250"),
        ("whatsapp_limits", {"min_spacing_seconds": -1}, "min_spacing_seconds"),
        ("sender_capacity", {"daily_cap": {"sms": 0}}, "daily_cap.sms"),
        ("sender_capacity", {"warmup_start": 100}, "started_on: a warm-up needs"),
        ("sender_capacity", {"started_on": "yesterday"}, "started_on: expected a date"),
        ("sender_capacity", {"warmup_factor": 0.5}, "warmup_factor"),
        ("sender_capacity", {"timezone": "Mars/Olympus"}, "timezone: 'Mars/Olympus' is not a time zone"),
        ("sender_capacity", {"timezone": ""}, "is not a time zone"),
    ],
)
def test_bad_parameters_are_refused(rule, overrides, message) -> None:
    with pytest.raises(ValueError, match=message):
        RULES[rule].check({**RULES[rule].defaults, **overrides})
