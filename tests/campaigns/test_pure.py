"""The campaign room's pure parts, table by table: assignment, schedules, states and rollout verdicts."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, time

import pytest

from herald.campaigns import deadends, rollout, states
from herald.campaigns.overrides import lines_of, overrides_of
from herald.campaigns.planning import assign, schedule
from herald.campaigns.planning.assign import Variant
from herald.errors import Conflict, Invalid


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# --- assignment -------------------------------------------------------------------------------------------

A = Variant("A", 70, (("sms", 1),))
B = Variant("B", 30, (("whatsapp", 2), ("sms", 3)))


def test_draws_are_stable_and_spread_evenly() -> None:
    draws = [assign.draw(7, c, assign.VARIANT) for c in range(20_000)]
    assert draws == [assign.draw(7, c, assign.VARIANT) for c in range(20_000)]
    assert all(0 <= d < assign.SCALE for d in draws)
    tenths = Counter(d * 10 // assign.SCALE for d in draws)
    assert all(1800 < n < 2200 for n in tenths.values())
    # Another campaign, or another purpose, draws independently.
    assert draws[:50] != [assign.draw(8, c, assign.VARIANT) for c in range(50)]
    assert draws[:50] != [assign.draw(7, c, assign.HOLDOUT) for c in range(50)]


def test_variants_follow_their_weights() -> None:
    picked = Counter(assign.pick((A, B), 3, c).name for c in range(10_000))
    assert 6700 < picked["A"] < 7300
    assert assign.pick((Variant("A", 99.99, (("sms", 1),)), Variant("B", 0.00999, (("sms", 2),))), 1, 0)


def test_the_top_edge_falls_to_the_last_variant(monkeypatch) -> None:
    monkeypatch.setattr(assign, "draw", lambda *a: assign.SCALE - 1)
    assert assign.pick((Variant("A", 50, (("sms", 1),)), Variant("B", 49.98, (("sms", 2),))), 1, 1).name == "B"


def test_shares_and_variant_helpers() -> None:
    inside = sum(assign.within(10, 1, c, assign.CANARY) for c in range(10_000))
    assert 900 < inside < 1100
    assert B.channels == ("whatsapp", "sms") and B.template_for("sms") == 3
    assert assign.from_stored([B.as_dict()]) == (B,)
    assert assign.percent(5, "x") == 5


@pytest.mark.parametrize(
    ("variants", "message"),
    [
        ((), "at least one variant"),
        ((A, Variant("A", 30, (("sms", 1),))), "must differ"),
        ((Variant("", 100, (("sms", 1),)),), "not a variant name"),
        ((Variant("a" * 17, 100, (("sms", 1),)),), "not a variant name"),
        ((Variant("A", 0, (("sms", 1),)), Variant("B", 100, (("sms", 1),))), "weight must be above 0"),
        ((Variant("A", 100, ()),), "has no template"),
        ((A,), "add up to 70, not 100"),
    ],
)
def test_bad_variants(variants, message) -> None:
    with pytest.raises(Invalid, match=message):
        assign.check_variants(variants)
    assign.check_variants((A, B))  # and a good set passes


def test_percentages_are_bounded() -> None:
    with pytest.raises(Invalid, match="hold-out: expected a percentage from 0 to 50"):
        assign.percent(51, "hold-out", 0, 50)


# --- schedules --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("now", "at", "zones", "on", "expected"),
    [
        (utc(2026, 3, 10, 2), time(10), ("Asia/Kathmandu",), None, utc(2026, 3, 10, 4, 15)),  # later today
        (utc(2026, 3, 10, 5), time(10), ("Asia/Kathmandu",), None, utc(2026, 3, 11, 4, 15)),  # tomorrow
        (utc(2026, 3, 10, 5), time(10), (), None, utc(2026, 3, 10, 10)),  # unknown zone: UTC
        # Several candidate zones: 10:00 in the latest of them.
        (utc(2026, 3, 10, 5), time(10), ("America/New_York", "America/Los_Angeles"), None, utc(2026, 3, 10, 17)),
        (utc(2026, 3, 10, 5), time(10), ("Europe/Paris",), date(2026, 3, 12), utc(2026, 3, 12, 9)),
        (utc(2026, 3, 12, 12), time(10), ("Europe/Paris",), date(2026, 3, 12), utc(2026, 3, 12, 12)),  # past: now
        # DST in New York starts 2026-03-08: 10:00 EDT is 14:00 UTC.
        (utc(2026, 3, 9, 5), time(10), ("America/New_York", "Mars/Olympus"), None, utc(2026, 3, 9, 14)),
    ],
)
def test_local_moments(now, at, zones, on, expected) -> None:
    assert schedule.next_local(now, at, zones, on) == expected


def test_cron_runs_in_its_zone_across_dst() -> None:
    # 09:00 every Monday in New York: before and after the switch to summer time.
    assert schedule.next_run("0 9 * * mon", "America/New_York", utc(2026, 3, 1)) == utc(2026, 3, 2, 14)
    assert schedule.next_run("0 9 * * mon", "America/New_York", utc(2026, 3, 3)) == utc(2026, 3, 9, 13)
    assert schedule.check_cron("*/15 8-20 * * 1-5") == "*/15 8-20 * * 1-5"


@pytest.mark.parametrize("text", ["", "0 10 * *", "0 10 * * * *", "99 * * * *", "0 10 * * someday"])
def test_bad_cron_expressions(text) -> None:
    with pytest.raises(Invalid, match="five fields"):
        schedule.check_cron(text)


def test_bad_zones_and_times() -> None:
    with pytest.raises(Invalid, match="'Nowhere' is not a time zone"):
        schedule.zone("Nowhere", "--zone")
    with pytest.raises(Invalid, match="--local-time: expected HH:MM"):
        schedule.wall_time("10h", "--local-time")
    assert schedule.wall_time("07:30", "x") == time(7, 30)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        (None, 0),
        ("", 0),
        ("  ", 0),
        ("30m", 30),
        ("45 min", 45),
        ("2h", 120),
        ("1 hour", 60),
        ("3d", 4320),
        ("90 days", 129_600),
        ("0m", 0),
    ],
)
def test_delays_read_in_minutes(text, minutes) -> None:
    assert schedule.delay_minutes(text) == minutes


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("soon", "expected a delay such as 30m"),
        ("2w", "expected a delay"),
        ("-1h", "expected a delay"),
        ("91d", "longer than 90 days"),
        ("2161h", "longer than 90 days"),
    ],
)
def test_bad_delays_are_refused_by_name(text, said) -> None:
    with pytest.raises(Invalid, match=f"--delay: .*{said}"):
        schedule.delay_minutes(text)


@pytest.mark.parametrize(
    ("minutes", "said"), [(0, "0m"), (45, "45m"), (90, "90m"), (120, "2h"), (4320, "3d"), (1500, "25h")]
)
def test_delays_are_said_as_written(minutes, said) -> None:
    assert schedule.said_delay(minutes) == said
    assert schedule.delay_minutes(said) == minutes


@pytest.mark.parametrize(
    ("trigger", "said"),
    [
        ({"event": "signup", "delay_minutes": 0, "once": False}, "on each 'signup' event"),
        ({"event": "purchase", "delay_minutes": 120, "once": False}, "on each 'purchase' event, 2h after it"),
        ({"event": "signup", "delay_minutes": 0, "once": True}, "on each 'signup' event (once a contact)"),
        ({"event": "cart", "delay_minutes": 30, "once": True}, "on each 'cart' event, 30m after it (once a contact)"),
        (
            {"event": "message.clicked", "delay_minutes": 1440, "once": False, "campaign": 1, "campaign_name": "Sale"},
            "on each 'message.clicked' event of campaign 'Sale', 1d after it",
        ),
    ],
)
def test_triggers_are_said_in_words(trigger, said) -> None:
    assert schedule.said_trigger(trigger) == said


# --- states -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        ("draft", "schedule", "scheduled"),
        ("draft", "start", "running"),
        ("scheduled", "start", "running"),
        ("running", "add-newcomers", "running"),
        ("paused", "add-newcomers", "paused"),
        ("running", "pause", "paused"),
        ("scheduled", "pause", "paused"),
        ("paused", "resume", "running"),
        ("running", "complete", "completed"),
        ("paused", "cancel", "cancelled"),
    ],
)
def test_moves(status, action, after) -> None:
    assert states.move(status, action, "x") == after


@pytest.mark.parametrize(
    ("status", "action", "words"),
    [
        ("completed", "resume", "it can: nothing (clone it)"),
        ("draft", "pause", "it can: schedule, start, cancel"),
        ("cancelled", "start", "is cancelled: it cannot start"),
        ("running", "start", "it can: add-newcomers, pause"),
        ("draft", "add-newcomers", "is draft: it cannot add-newcomers"),
    ],
)
def test_refused_moves(status, action, words) -> None:
    with pytest.raises(Conflict, match=words.replace("(", r"\(").replace(")", r"\)")):
        states.move(status, action, "x")


# --- rollout ----------------------------------------------------------------------------------------------


def test_rollout_settings_are_checked() -> None:
    assert rollout.check({"canary_percent": 5})["state"] == "canary"
    for bad, words in (
        ({"canary_percent": 100}, "canary_percent"),
        ({"hold_minutes": 0}, "hold_minutes"),
        ({"max_failure_rate": 2}, "max_failure_rate"),
        ({"max_optout_rate": "x"}, "max_optout_rate"),
        ({"min_settled": -1}, "min_settled"),
        ({"speed": 1}, r"unknown setting\(s\) speed"),
    ):
        with pytest.raises(Invalid, match=words):
            rollout.check(bad)


@pytest.mark.parametrize(
    ("sent", "failed", "opted", "done", "action", "words"),
    [
        (5, 0, 0, False, "wait", "only 5 of the canary's messages"),
        (5, 0, 0, True, "continue", "failure rate 0.0%"),
        (0, 0, 0, True, "continue", "opt-out rate 0.0%"),
        (90, 10, 0, False, "pause", "failure rate 10.0% of the canary is above the guardrail of 5.0%"),
        (100, 0, 2, False, "pause", "opt-out rate 2.0%"),
        (100, 1, 1, False, "continue", "canary held"),
    ],
)
def test_rollout_verdicts(sent, failed, opted, done, action, words) -> None:
    settings = rollout.check({"min_settled": 20})
    got, why = rollout.verdict(settings, sent, failed, opted, done)
    assert got == action and words in why


# --- dead ends --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sendable", "skipped", "expected"),
    [
        (1, {"consent": 9}, None),
        (0, {}, None),
        (0, {"whatsapp_window": 6}, "skipped: whatsapp_window 6) — Meta has not approved"),
        (0, {"consent": 2, "holdout": 5}, "skipped: holdout 5, consent 2) — everyone fell in the hold-out"),
        (0, {"mystery": 1}, "see herald campaigns why for mystery"),
    ],
)
def test_a_plan_nobody_receives_names_each_reason_and_its_fix(sendable, skipped, expected) -> None:
    found = deadends.nobody_receives(sendable, skipped)
    assert found is None if expected is None else expected in found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "quiet_hours.start=22:00\n\n frequency_cap.max = 2 ",
            {"quiet_hours": {"start": "22:00"}, "frequency_cap": {"max": 2}},
        ),
        ('send_window.days=["mon", "tue"]', {"send_window": {"days": ["mon", "tue"]}}),
        ("", {}),
    ],
)
def test_a_box_of_rule_changes_becomes_overrides(text, expected) -> None:
    assert overrides_of(lines_of(text, "overrides"), "overrides") == expected


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("quiet_hours.start=22:00\nnonsense", "line 2: expected RULE.PARAM=VALUE, got 'nonsense'"),
        ("=22:00", "line 1: expected RULE.PARAM=VALUE"),
        ("quiet_hours=22:00", "expected RULE.PARAM=VALUE, got 'quiet_hours'"),
        (".start=22:00", "expected RULE.PARAM=VALUE, got '.start'"),
    ],
)
def test_a_change_that_is_not_one_is_refused_naming_its_line(text, words) -> None:
    with pytest.raises(Invalid, match="overrides") as found:
        overrides_of(lines_of(text, "overrides"), "overrides")
    assert words in str(found.value)
