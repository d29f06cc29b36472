"""Consent, suppression and frequency-cap rules, table by table."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from herald.rules import Verdict
from herald.rules.builtin import consent as consent_rule
from herald.rules.builtin import frequency, suppression
from tests.builders import EMAIL, MKT, SMS, TXN, WA, consent, intent, params, recipient, sent

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("consents", "purpose", "channel", "verdict", "words"),
    [
        ((), MKT, SMS, Verdict.SKIP, "no marketing consent on sms"),
        ((consent(SMS),), MKT, SMS, Verdict.PASS, "granted on 2026-03-07"),
        ((consent(SMS, "revoked"),), MKT, SMS, Verdict.SKIP, "withdrawn on 2026-03-07"),
        ((consent(EMAIL),), MKT, SMS, Verdict.SKIP, "no marketing consent on sms"),
        ((consent(SMS, purpose=TXN),), MKT, SMS, Verdict.SKIP, "no marketing consent"),
        ((), TXN, SMS, Verdict.PASS, "transactional messages need no consent"),
        # The latest record wins, whichever order they come in.
        (
            (consent(SMS, at=NOW - timedelta(days=9)), consent(SMS, "revoked", NOW - timedelta(days=1))),
            MKT,
            SMS,
            Verdict.SKIP,
            "withdrawn",
        ),
        (
            (consent(SMS, "revoked", NOW - timedelta(days=9)), consent(SMS, at=NOW - timedelta(days=1))),
            MKT,
            SMS,
            Verdict.PASS,
            "granted on 2026-03-09",
        ),
        ((consent(WA),), MKT, WA, Verdict.PASS, "consent on whatsapp granted"),
    ],
)
def test_consent_rule(consents, purpose, channel, verdict, words) -> None:
    outcome = consent_rule.evaluate(
        recipient(consents=consents), intent(channel, purpose=purpose), channel, params("consent"), NOW
    )
    assert outcome.verdict is verdict
    assert words in outcome.detail


def test_consent_can_be_required_for_transactional_too() -> None:
    outcome = consent_rule.evaluate(
        recipient(), intent(SMS, purpose=TXN), SMS, params("consent", required_for=["marketing", "transactional"]), NOW
    )
    assert outcome.verdict is Verdict.SKIP


@pytest.mark.parametrize(
    ("suppressions", "channel", "verdict"),
    [
        ({}, SMS, Verdict.PASS),
        ({SMS: "opt-out"}, SMS, Verdict.SKIP),
        ({EMAIL: "bounce"}, SMS, Verdict.PASS),
        ({WA: "complaint"}, WA, Verdict.SKIP),
    ],
)
def test_suppression_rule(suppressions, channel, verdict) -> None:
    outcome = suppression.evaluate(
        recipient(suppressions=suppressions), intent(channel), channel, params("suppression"), NOW
    )
    assert outcome.verdict is verdict
    if verdict is Verdict.SKIP:
        # Trails are shared by everyone with the same facts, so they never name the address.
        assert suppressions[channel] in outcome.detail and "+9779841234567" not in outcome.detail


@pytest.mark.parametrize(
    ("sends", "overrides", "channel", "verdict", "until_hours"),
    [
        ((), {}, SMS, Verdict.PASS, None),
        ((sent(3, NOW),), {}, SMS, Verdict.DEFER, 21),  # 1 per 24 h: free again 24 h after that send
        ((sent(25, NOW),), {}, SMS, Verdict.PASS, None),  # outside the window
        ((sent(3, NOW, EMAIL),), {}, SMS, Verdict.DEFER, 21),  # scope "all" counts every channel
        ((sent(3, NOW, EMAIL),), {"scope": "channel"}, SMS, Verdict.PASS, None),
        ((sent(3, NOW, SMS, TXN),), {}, SMS, Verdict.PASS, None),  # transactional sends are not counted
        ((sent(3, NOW), sent(10, NOW)), {"max": 3}, SMS, Verdict.PASS, None),
        ((sent(3, NOW), sent(10, NOW), sent(20, NOW)), {"max": 3}, SMS, Verdict.DEFER, 4),  # oldest ages out
        ((sent(1, NOW), sent(2, NOW), sent(30, NOW)), {"max": 2, "window_hours": 48}, SMS, Verdict.DEFER, 46),
        ((sent(3, NOW),), {"on_exceed": "skip"}, SMS, Verdict.SKIP, None),
        ((sent(-1, NOW),), {}, SMS, Verdict.PASS, None),  # a send in the future is not history
    ],
)
def test_frequency_cap(sends, overrides, channel, verdict, until_hours) -> None:
    outcome = frequency.evaluate(
        recipient(sends=sends), intent(channel), channel, params("frequency_cap", **overrides), NOW
    )
    assert outcome.verdict is verdict
    if until_hours is not None:
        assert outcome.until == NOW + timedelta(hours=until_hours)


def test_transactional_messages_are_not_capped() -> None:
    outcome = frequency.evaluate(
        recipient(sends=(sent(1, NOW),)), intent(SMS, purpose=TXN), SMS, params("frequency_cap"), NOW
    )
    assert outcome.verdict is Verdict.PASS and "not capped" in outcome.detail


@pytest.mark.parametrize(
    ("rule", "bad", "message"),
    [
        ("frequency_cap", {"max": 0}, "max"),
        ("frequency_cap", {"max": True}, "max"),
        ("frequency_cap", {"window_hours": "24"}, "window_hours"),
        ("frequency_cap", {"scope": "planet"}, "scope"),
        ("frequency_cap", {"on_exceed": "explode"}, "on_exceed"),
        ("frequency_cap", {"purposes": "marketing"}, "purposes"),
        ("frequency_cap", {"purposes": ["spam"]}, "purposes"),
        ("quiet_hours", {"start": "25:00"}, "start"),
        ("quiet_hours", {"end": "8am"}, "end"),
        ("quiet_hours", {"start": "08:00", "end": "08:00"}, "no moment"),
        ("quiet_hours", {"channels": ["fax"]}, "channels"),
        ("quiet_hours", {"unknown_timezone": "guess"}, "unknown_timezone"),
        ("consent", {"required_for": ["everything"]}, "required_for"),
    ],
)
def test_bad_parameters_are_refused_with_their_name(rule, bad, message) -> None:
    with pytest.raises(ValueError, match=message):
        params(rule, **bad)


@pytest.mark.parametrize(
    ("consents", "purpose", "channel", "overrides", "verdict", "words"),
    [
        ((), TXN, WA, {"opt_in_channels": ["whatsapp"]}, Verdict.SKIP, "needs an opt-in"),
        ((consent(WA, "revoked"),), TXN, WA, {"opt_in_channels": ["whatsapp"]}, Verdict.SKIP, "needs an opt-in"),
        ((consent(WA),), TXN, WA, {"opt_in_channels": ["whatsapp"]}, Verdict.PASS, "opted in on whatsapp"),
        ((), TXN, SMS, {"opt_in_channels": ["whatsapp"]}, Verdict.PASS, "need no consent"),
        ((consent(SMS),), MKT, SMS, {"evidence_for": ["marketing"]}, Verdict.SKIP, "unknown source) has no recorded"),
        (
            (replace(consent(SMS), evidence=True, source="form"),),
            MKT,
            SMS,
            {"evidence_for": ["marketing"]},
            Verdict.PASS,
            "granted",
        ),
    ],
)
def test_consent_by_jurisdiction(consents, purpose, channel, overrides, verdict, words) -> None:
    outcome = consent_rule.evaluate(
        recipient(consents=consents), intent(channel, purpose=purpose), channel, params("consent", **overrides), NOW
    )
    assert outcome.verdict is verdict and words in outcome.detail


@pytest.mark.parametrize(
    ("allowed", "suppressions", "verdict", "words"),
    [
        (frozenset(), {}, Verdict.SKIP, "allow-list mode: the sms address is not on the allow-list"),
        (frozenset({SMS}), {}, Verdict.PASS, "on the allow-list"),
        (frozenset({SMS}), {SMS: "opt-out"}, Verdict.SKIP, "suppressed (opt-out)"),  # suppression still wins
        (frozenset({EMAIL}), {}, Verdict.SKIP, "not on the allow-list"),
    ],
)
def test_allow_list_mode(allowed, suppressions, verdict, words) -> None:
    outcome = suppression.evaluate(
        recipient(allow_listed=allowed, suppressions=suppressions),
        intent(SMS),
        SMS,
        params("suppression", allow_list_only=True),
        NOW,
    )
    assert outcome.verdict is verdict and words in outcome.detail
