"""Line type and lifecycle cadence, table by table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.rules import Verdict
from herald.rules.builtin import RULES, cadence, line_type
from tests.builders import EMAIL, SMS, TXN, WA, intent, params, recipient, sent

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "channel", "overrides", "verdict", "words"),
    [
        ("mobile", SMS, {}, Verdict.PASS, "a mobile line"),
        ("fixed_line", SMS, {}, Verdict.SKIP, "the number is a fixed line, which cannot take sms"),
        ("fixed_line", WA, {}, Verdict.SKIP, "cannot take whatsapp"),
        ("fixed_line_or_mobile", SMS, {}, Verdict.PASS, "fixed line or mobile"),  # US numbers
        ("premium_rate", SMS, {}, Verdict.SKIP, "a premium-rate number, which"),
        ("voip", SMS, {}, Verdict.PASS, "is a VoIP number"),
        ("voip", SMS, {"blocked": {"sms": ["voip"]}}, Verdict.SKIP, "VoIP"),
        ("satellite", SMS, {}, Verdict.PASS, "is a satellite number"),  # a type the library may add later
        ("fixed_line", EMAIL, {}, Verdict.PASS, "phone channels only"),
        (None, SMS, {}, Verdict.PASS, "unknown"),
        ("unknown", SMS, {"unknown": "skip"}, Verdict.SKIP, "unknown"),
    ],
)
def test_line_type(line, channel, overrides, verdict, words) -> None:
    r = recipient(line_type=line, addresses={SMS: "+9779841234567", WA: "+9779841234567", EMAIL: "a@b.np"})
    outcome = line_type.evaluate(r, intent(channel), channel, params("line_type", **overrides), NOW)
    assert outcome.verdict is verdict and words in outcome.detail


@pytest.mark.parametrize(
    ("stage", "sends", "overrides", "purpose", "verdict", "until"),
    [
        ("new", (), {}, None, Verdict.PASS, None),
        ("new", (sent(24 * 3, NOW),), {}, None, Verdict.DEFER, NOW + timedelta(days=4)),
        ("new", (sent(24 * 8, NOW),), {}, None, Verdict.PASS, None),
        ("dormant", (sent(24 * 8, NOW, channel=EMAIL),), {}, None, Verdict.DEFER, NOW + timedelta(days=22)),
        ("active", (sent(24, NOW),), {"on_exceed": "skip"}, None, Verdict.SKIP, None),
        ("active", (sent(24, NOW, purpose=TXN),), {}, None, Verdict.PASS, None),  # transactional sends don't count
        ("active", (sent(24, NOW),), {}, TXN, Verdict.PASS, None),  # nor are transactional messages held
        ("churned", (sent(1, NOW),), {}, None, Verdict.PASS, None),  # no cadence for this stage
        (None, (sent(1, NOW),), {}, None, Verdict.PASS, None),
    ],
)
def test_lifecycle_cadence(stage, sends, overrides, purpose, verdict, until) -> None:
    r = recipient(lifecycle=stage, sends=sends)
    it = intent(SMS, purpose=purpose) if purpose else intent(SMS)
    outcome = cadence.evaluate(r, it, SMS, params("lifecycle_cadence", **overrides), NOW)
    assert (outcome.verdict, outcome.until) == (verdict, until)


@pytest.mark.parametrize(
    ("rule", "overrides", "message"),
    [
        ("line_type", {"blocked": ["fixed_line"]}, "blocked: expected a table keyed by channel"),
        ("line_type", {"blocked": {"fax": ["fixed_line"]}}, "'fax' is not a channel"),
        ("line_type", {"blocked": {"sms": "fixed_line"}}, "blocked.sms: expected a list"),
        ("line_type", {"unknown": "maybe"}, "unknown: expected one of pass, skip"),
        ("lifecycle_cadence", {"every_days": {}}, "every_days: expected a table"),
        ("lifecycle_cadence", {"every_days": {"new": 0}}, "every_days.new"),
    ],
)
def test_bad_parameters_are_refused(rule, overrides, message) -> None:
    with pytest.raises(ValueError, match=message):
        RULES[rule].check({**RULES[rule].defaults, **overrides})
