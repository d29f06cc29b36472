"""decide(): channels, fallbacks, deferrals that meet other rules, and complete trails."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from herald.errors import Invalid
from herald.rules import Defer, Send, Skip, Verdict, decide, load_policy
from herald.rules.policy import preset_names
from herald.rules.wording import explain
from tests.builders import EMAIL, SMS, TXN, WA, consent, intent, recipient, sent

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)  # 19:45 in Kathmandu
POLICY = load_policy("default")


def test_it_sends_now_when_every_rule_passes() -> None:
    decision = decide(recipient(consents=(consent(SMS),)), intent(SMS), POLICY, NOW)
    assert isinstance(decision, Send) and decision.channel is SMS and decision.at == NOW
    assert [o.rule for o in decision.trail] == [
        "consent",
        "suppression",
        "line_type",
        "frequency_cap",
        "quiet_hours",
        "whatsapp_window",
    ]
    assert all(o.verdict is Verdict.PASS for o in decision.trail)


def test_a_skip_keeps_the_whole_trail() -> None:
    decision = decide(recipient(), intent(SMS), POLICY, NOW)
    assert isinstance(decision, Skip) and decision.reason == "consent"
    assert len(decision.trail) == 6


def test_a_missing_address_skips_the_channel() -> None:
    decision = decide(recipient(consents=(consent(EMAIL),)), intent(EMAIL), POLICY, NOW)
    assert isinstance(decision, Skip) and decision.reason == "address"
    assert "no email address" in decision.trail[0].detail


def test_it_falls_back_to_the_next_channel_with_consent() -> None:
    decision = decide(recipient(consents=(consent(SMS),)), intent(WA, SMS), POLICY, NOW)
    assert isinstance(decision, Send) and decision.channel is SMS
    assert {o.channel for o in decision.trail} == {WA, SMS}  # both channels evaluated and recorded


def test_the_first_channel_left_wins_even_when_deferred() -> None:
    late = NOW + timedelta(hours=2)  # 21:45 in Kathmandu
    r = recipient(consents=(consent(SMS), consent(EMAIL)), addresses={SMS: "+9779841234567", EMAIL: "a@b.np"})
    decision = decide(r, intent(SMS, EMAIL), POLICY, late)
    assert isinstance(decision, Defer) and decision.channel is SMS
    assert decision.until == datetime(2026, 3, 11, 2, 15, tzinfo=UTC)


def test_a_deferral_that_lands_in_quiet_hours_moves_on_to_morning() -> None:
    # The cap frees up at 16:15 UTC = 22:00 in Kathmandu, inside quiet hours.
    r = recipient(consents=(consent(SMS),), sends=(sent(21.75, NOW),))
    decision = decide(r, intent(SMS), POLICY, NOW)
    assert isinstance(decision, Defer)
    assert decision.until == datetime(2026, 3, 11, 2, 15, tzinfo=UTC)
    assert [o.rule for o in decision.trail if o.verdict is Verdict.DEFER] == ["frequency_cap", "quiet_hours"]


def test_transactional_messages_pass_the_default_policy_without_consent() -> None:
    decision = decide(recipient(sends=(sent(1, NOW),)), intent(SMS, purpose=TXN), POLICY, NOW + timedelta(hours=3))
    assert isinstance(decision, Send)


def test_suppression_beats_consent() -> None:
    r = recipient(consents=(consent(SMS),), suppressions={SMS: "opt-out"})
    decision = decide(r, intent(SMS), POLICY, NOW)
    assert isinstance(decision, Skip) and decision.reason == "suppression"


def test_explanations_read_as_sentences() -> None:
    decision = decide(recipient(consents=(consent(SMS),)), intent(SMS), POLICY, NOW + timedelta(hours=2))
    text = explain(decision.action, "sms", "2026-03-11 02:15 UTC", [o.as_dict() for o in decision.trail])
    assert text.splitlines()[0] == "Send on sms, deferred until 2026-03-11 02:15 UTC."
    assert "wait sms      quiet_hours" in text
    skipped = decide(recipient(), intent(SMS), POLICY, NOW)
    assert explain("skip", None, None, [o.as_dict() for o in skipped.trail]).startswith(
        "Not sent: consent — no marketing consent on sms on record."
    )


def test_trail_round_trips_through_json() -> None:
    from herald.rules import RuleOutcome

    decision = decide(recipient(consents=(consent(SMS),)), intent(SMS), POLICY, NOW + timedelta(hours=2))
    assert tuple(RuleOutcome.from_dict(o.as_dict()) for o in decision.trail) == decision.trail


def test_every_preset_loads() -> None:
    assert {"default", "us-tcpa"} <= set(preset_names())
    for name in preset_names():
        assert load_policy(name).rules


@pytest.mark.parametrize(
    ("preset", "overrides", "message"),
    [
        ("nope", None, "unknown preset 'nope'"),
        ("../etc", None, "unknown preset"),
        ("default", {"teleport": {}}, "unknown rule 'teleport'"),
        ("default", {"frequency_cap": {"maximum": 2}}, "unknown parameter(s) maximum"),
        ("default", {"frequency_cap": {"max": -1}}, "rule frequency_cap: max"),
        ("default", {"quiet_hours": "off"}, "expected a table"),
    ],
)
def test_broken_policies_are_refused(preset, overrides, message) -> None:
    with pytest.raises(Invalid) as err:
        load_policy(preset, overrides)
    assert message in str(err.value)


def test_overrides_change_drop_and_add_rules() -> None:
    policy = load_policy("default", {"frequency_cap": {"max": 5}, "quiet_hours": {"enabled": False}})
    assert [s.name for s in policy.rules] == ["consent", "suppression", "line_type", "frequency_cap", "whatsapp_window"]
    assert policy.rules[3].params["max"] == 5
    late = NOW + timedelta(hours=2)
    assert isinstance(decide(recipient(consents=(consent(SMS),)), intent(SMS), policy, late), Send)
