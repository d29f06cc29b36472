"""The A/B test phase's pure part: settings, what a campaign can measure, when to judge, what follows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.campaigns.abtests.experiment import DEFAULTS, Measures, after, check, step, unmeasurable
from herald.errors import Invalid

NOW = datetime(2026, 3, 10, 14, tzinfo=UTC)
SMS_LINK = Measures(("sms",), links=True)
TWO = {"A": SMS_LINK, "B": SMS_LINK}


def test_defaults_fill_what_is_not_given_and_the_test_starts_testing() -> None:
    found = check({}, TWO, tracks_links=True)
    assert found == {**DEFAULTS, "method": "bayes", "state": "testing"}


def test_revenue_is_judged_by_welch_and_a_rate_keeps_the_method_asked() -> None:
    coupons = {"A": Measures(("sms",), coupons=True), "B": Measures(("email",), coupons=True)}
    assert check({"metric": "revenue"}, coupons, tracks_links=False)["method"] == "welch"
    assert check({"metric": "revenue", "method": "welch"}, coupons, tracks_links=False)["method"] == "welch"
    assert check({"metric": "delivered", "method": "z"}, TWO, tracks_links=False)["method"] == "z"


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"metric": "opens"}, "metric: choose one of delivered, read, click, conversion, revenue"),
        ({"if_no_winner": "coin"}, "if_no_winner: choose one of control, split, pause"),
        ({"test_percent": 0}, "test_percent: expected a number from 1 to 90, got 0"),
        ({"test_percent": 95}, "test_percent: expected a number from 1 to 90"),
        ({"hold_minutes": 0}, "hold_minutes: expected a number from 1 to 20160"),
        ({"min_sample": True}, "min_sample: expected a number"),
        ({"confidence": 1.5}, "confidence: expected a number from 0.5 to 0.999"),
        ({"method": "t"}, "method: choose bayes or z for a rate, not 't'"),
        ({"metric": "revenue", "method": "bayes"}, "revenue is compared by Welch's t-test"),
        ({"colour": "red"}, "unknown setting(s) colour"),
    ],
)
def test_bad_settings_are_refused_with_the_reason(settings, words) -> None:
    coupons = {"A": Measures(("sms",), coupons=True), "B": Measures(("sms",), coupons=True)}
    with pytest.raises(Invalid, match="A/B test") as found:
        check(settings, coupons, tracks_links=True)
    assert words in str(found.value)


def test_a_test_needs_two_variants() -> None:
    with pytest.raises(Invalid, match="two variants at least"):
        check({}, {"A": SMS_LINK}, tracks_links=True)


@pytest.mark.parametrize(
    ("metric", "variants", "tracks", "words"),
    [
        ("delivered", {"A": Measures(("sms",))}, False, None),
        ("read", {"A": Measures(("whatsapp", "sms"))}, False, None),
        ("read", {"A": Measures(("whatsapp",)), "B": Measures(("sms", "email"))}, False, "variant B sends no WhatsApp"),
        ("click", {"A": SMS_LINK}, True, None),
        ("click", {"A": SMS_LINK}, False, "no public_url is set"),
        ("click", {"A": SMS_LINK, "B": Measures(("sms",))}, True, "variant B's SMS and e-mail templates carry no link"),
        ("conversion", {"A": Measures(("sms",), coupons=True)}, False, None),
        ("conversion", {"A": SMS_LINK}, True, None),
        ("conversion", {"A": SMS_LINK}, False, "variant A has no conversion source"),
        ("revenue", {"A": Measures(("whatsapp",))}, True, "variant A has no conversion source"),
    ],
)
def test_a_metric_is_measurable_only_where_every_variant_can_report_it(metric, variants, tracks, words) -> None:
    found = unmeasurable(metric, variants, tracks)
    assert (found is None) if words is None else (words in (found or ""))


def test_an_unmeasurable_metric_is_refused_with_the_reason() -> None:
    with pytest.raises(Invalid, match="the metric read cannot be measured: variant A sends no WhatsApp"):
        check({"metric": "read"}, TWO, tracks_links=True)


SETTINGS = {"hold_minutes": 60}


@pytest.mark.parametrize(
    ("pending", "last_sent", "until", "words"),
    [
        (12, NOW, NOW + timedelta(minutes=5), "12 of the test share's messages are still to be sent"),
        (0, NOW - timedelta(minutes=30), NOW + timedelta(minutes=30), "until 2026-03-10 14:30 UTC"),
        (0, NOW - timedelta(minutes=60), NOW, ""),
        (0, None, NOW, ""),
    ],
)
def test_it_judges_once_every_test_message_went_and_had_its_hold(pending, last_sent, until, words) -> None:
    moment, why = step(SETTINGS, pending, last_sent, NOW)
    assert moment == until and words in why and (why == "") == (words == "")


@pytest.mark.parametrize(
    ("otherwise", "winner", "expected"),
    [
        ("control", "B", ("send", "B")),
        ("pause", "B", ("send", "B")),
        ("control", None, ("send", "A")),
        ("split", None, ("split", None)),
        ("pause", None, ("pause", None)),
    ],
)
def test_what_the_rest_of_the_audience_gets(otherwise, winner, expected) -> None:
    assert after({"if_no_winner": otherwise}, winner, "A") == expected
