"""Policy details and explanations that the table tests of the engine do not reach."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from herald.errors import Invalid
from herald.rules import Decision, RuleOutcome, Skip, Verdict, decide, load_policy
from herald.rules.builtin import RuleType
from herald.rules.builtin.common import clock_time
from herald.rules.decision import trail_json
from herald.rules.policy import Policy, RuleSpec, parse_preset
from herald.rules.wording import explain, headline
from tests.builders import SMS, consent, intent, recipient

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_a_rule_that_keeps_deferring_is_given_up_with_a_reason() -> None:
    def restless(r, it, channel, params, now) -> RuleOutcome:
        return RuleOutcome("restless", channel, Verdict.DEFER, "later", now + timedelta(minutes=1))

    rule = RuleType("restless", restless, {}, lambda p: p, "never satisfied", lambda p: timedelta(0), frozenset())
    decision = decide(recipient(), intent(SMS), Policy("test", (RuleSpec(rule, {}, {}),)), NOW)
    assert isinstance(decision, Skip) and decision.reason == "engine"
    assert "kept deferring" in decision.trail[-1].detail


def test_a_deferral_that_lands_where_another_rule_skips_leaves_the_channel_out() -> None:
    def wait(r, it, channel, params, now) -> RuleOutcome:
        return (
            RuleOutcome("wait", channel, Verdict.DEFER, "later", NOW + timedelta(hours=1))
            if now == NOW
            else RuleOutcome("wait", channel, Verdict.PASS, "now")
        )

    def closing(r, it, channel, params, now) -> RuleOutcome:
        verdict = Verdict.PASS if now == NOW else Verdict.SKIP
        return RuleOutcome("closing", channel, verdict, "open" if now == NOW else "closed from then on")

    rules = tuple(
        RuleSpec(RuleType(name, fn, {}, lambda p: p, name, lambda p: timedelta(0), frozenset()), {}, {})
        for name, fn in (("wait", wait), ("closing", closing))
    )
    decision = decide(recipient(), intent(SMS), Policy("test", rules), NOW)
    assert isinstance(decision, Skip) and decision.reason == "closing"
    assert [(o.rule, o.verdict) for o in decision.trail] == [
        ("wait", Verdict.DEFER),
        ("closing", Verdict.PASS),
        ("closing", Verdict.SKIP),
    ]


def test_a_broken_preset_names_itself() -> None:
    with pytest.raises(Invalid, match="preset mine"):
        parse_preset("[rules.consent\n", "mine")


def test_describe_lists_rules_with_their_parameters() -> None:
    described = load_policy("us-tcpa").describe()
    cap = next(r for r in described if r["rule"] == "frequency_cap")
    assert cap["params"]["max"] == 3 and cap["summary"].startswith("limits")


def test_clock_times_accept_time_objects() -> None:
    assert clock_time(time(8, 30), "start") == time(8, 30)


@pytest.mark.parametrize(
    ("action", "expected"),
    [("send", "Send on sms now."), ("defer", "Send on sms, deferred until T."), ("skip", "Not sent: why.")],
)
def test_headlines(action, expected) -> None:
    assert headline(action, "sms", "T", "why") == expected


def test_trail_json_is_what_the_ledger_stores() -> None:
    decision: Decision = decide(recipient(consents=(consent(SMS),)), intent(SMS), load_policy("default"), NOW)
    stored = trail_json(decision)
    assert stored[0] == {
        "rule": "consent",
        "channel": "sms",
        "verdict": "pass",
        "detail": "marketing consent on sms granted on 2026-03-07",
        "until": None,
    }
    assert explain("send", "sms", None, stored).splitlines()[0] == "Send on sms now."


@pytest.mark.parametrize(
    ("preset", "overrides", "expected"),
    [
        ("default", {}, timedelta(hours=24)),
        ("default", {"frequency_cap": {"enabled": False}, "lifecycle_cadence": {}}, timedelta(days=30)),
        (
            "default",
            {"frequency_cap": {"enabled": False}, "whatsapp_limits": {"min_spacing_seconds": 90_000}},
            timedelta(seconds=90_000),
        ),
        ("default", {"frequency_cap": {"enabled": False}, "whatsapp_limits": {}}, timedelta(hours=24)),
        ("default", {"frequency_cap": {"enabled": False}}, timedelta(0)),
    ],
)
def test_send_lookback_is_the_farthest_any_rule_reads_back(preset, overrides, expected) -> None:
    assert load_policy(preset, overrides).send_lookback == expected


def test_a_policy_names_the_stored_facts_its_rules_read() -> None:
    assert load_policy("default").reads == {"consents", "suppressions", "allow_list", "sends", "inbound"}
    assert "lifecycle" in load_policy("default", {"lifecycle_cadence": {}}).reads
    assert (
        load_policy(
            "default", {r: {"enabled": False} for r in ("consent", "suppression", "frequency_cap", "whatsapp_window")}
        ).reads
        == frozenset()
    )
