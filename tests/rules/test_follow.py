"""A preset that follows others (`global`): each recipient is also judged by the rules of the presets that
speak for their number's country, where those differ from the preset's own."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from herald.errors import Invalid
from herald.rules import Decider, decide, load_policy
from herald.rules.policy import _followed
from tests.builders import SMS, WA, consent, intent, recipient

MIAMI, PARIS, SHANGHAI, KATHMANDU = "+13055550123", "+33612345678", "+8613800138000", "+9779841234567"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def person(phone: str, zone: str, region: str | None, proof: bool = True, **kw) -> object:
    given = (
        replace(consent(SMS, at=utc(2026, 1, 1)), evidence=proof),
        replace(consent(WA, at=utc(2026, 1, 1)), evidence=proof),
    )
    base = {
        "addresses": {SMS: phone, WA: phone},
        "timezones": (zone,),
        "region": region,
        "line_type": "mobile",
        "consents": given,
    }
    return recipient(**{**base, **kw})


def outcome(decision) -> tuple[str, str | None]:
    first = next((o.rule for o in decision.trail if o.verdict in ("skip", "defer")), None)
    return type(decision).__name__.lower(), first


@pytest.mark.parametrize(
    ("who", "now", "under_default", "under_global"),
    [
        # 20:30 in Miami: default's quiet hours start at 21:00; Florida's own window closes at 20:00.
        (
            person(MIAMI, "America/New_York", "US"),
            utc(2026, 12, 23, 1, 30),
            ("send", None),
            ("defer", "us-tcpa.florida_hours"),
        ),
        # A Sunday in Paris: France sends no marketing on Sundays.
        (person(PARIS, "Europe/Paris", "FR"), utc(2026, 12, 27, 10), ("send", None), ("defer", "fr.send_window")),
        # Consent without proof counts in default, not in the EU.
        (
            person(PARIS, "Europe/Paris", "FR", proof=False),
            utc(2026, 11, 12, 10),
            ("send", None),
            ("skip", "eu-gdpr.consent"),
        ),
        # Nepal has no preset of its own: the same decision either way; a lower-case region is read too.
        (person(KATHMANDU, "Asia/Kathmandu", "NP"), utc(2026, 11, 12, 6), ("send", None), ("send", None)),
        (person(SHANGHAI, "Asia/Shanghai", "cn"), utc(2026, 11, 12, 6), ("send", None), ("send", None)),
        (person(KATHMANDU, "Asia/Kathmandu", None), utc(2026, 11, 12, 6), ("send", None), ("send", None)),
    ],
)
def test_each_recipient_is_judged_by_the_rules_of_their_own_country_too(who, now, under_default, under_global) -> None:
    assert outcome(decide(who, intent(SMS), load_policy("default"), now)) == under_default
    assert outcome(decide(who, intent(SMS), load_policy("global"), now)) == under_global


def test_only_the_followed_rules_that_differ_are_added_and_only_for_their_channels() -> None:
    policy = load_policy("global")
    assert policy.follows == ["cn-sms", "us-tcpa", "eu-gdpr", "fr"]
    shanghai = decide(person(SHANGHAI, "Asia/Shanghai", "CN"), intent(SMS, WA), policy, utc(2026, 11, 12, 6))
    sms_rules = [o.rule for o in shanghai.trail if o.channel == SMS]
    assert sms_rules[-1] == "cn-sms.quiet_hours" and "cn-sms.consent" not in sms_rules  # the same as default's
    assert not any(o.rule.startswith("cn-sms.") for o in shanghai.trail if o.channel == WA)  # China's is SMS only
    described = {r["rule"]: r.get("for") for r in policy.describe()}
    assert described["cn-sms.quiet_hours"] == ["CN"] and described["quiet_hours"] is None


def test_overrides_reach_a_followed_rule_by_its_name_and_a_dropped_own_rule_leaves_theirs() -> None:
    sunday = utc(2026, 12, 27, 10)
    paris = person(PARIS, "Europe/Paris", "FR")
    dropped = load_policy("global", {"fr.send_window": {"enabled": False}})
    assert outcome(decide(paris, intent(SMS), dropped, sunday)) == ("send", None)
    later = load_policy("global", {"cn-sms.quiet_hours": {"start": "20:00"}})
    evening = utc(2026, 11, 12, 12, 30)  # 20:30 in Shanghai: inside 20:00-08:00, outside default's 21:00
    assert outcome(decide(person(SHANGHAI, "Asia/Shanghai", "CN"), intent(SMS), later, evening)) == (
        "defer",
        "cn-sms.quiet_hours",
    )
    no_hours = load_policy("global", {"quiet_hours": {"enabled": False}})
    assert "cn-sms.quiet_hours" in [s.name for s in no_hours.rules] and "quiet_hours" not in [
        s.name for s in no_hours.rules
    ]


def test_the_memory_gives_what_deciding_afresh_gives() -> None:
    policy, now = load_policy("global"), utc(2026, 12, 27, 10)
    decider = Decider(policy)
    people = [
        person(p, z, r, proof=proof)
        for p, z, r in (
            (MIAMI, "America/New_York", "US"),
            (PARIS, "Europe/Paris", "FR"),
            (SHANGHAI, "Asia/Shanghai", "CN"),
        )
        for proof in (True, False)
    ]
    for who in people * 2:
        assert decider(who, intent(SMS), now) == decide(who, intent(SMS), policy, now)
    assert decider.prefix == 5  # Florida's area codes are told apart


@pytest.mark.parametrize(
    ("preset", "follow", "says"),
    [
        ("x", "cn-sms", "expected a list of preset names"),
        ("x", ["cn-sms", 3], "expected a list of preset names"),
        ("x", ["whatsapp-business"], "'whatsapp-business' speaks for no country of its own"),
        ("x", ["default"], "'default' speaks for no country of its own"),
        ("cn-sms", ["cn-sms"], "'cn-sms' speaks for no country of its own"),
        ("x", ["nowhere"], "unknown preset 'nowhere'"),
    ],
)
def test_a_preset_follows_only_presets_of_countries(preset, follow, says) -> None:
    with pytest.raises(Invalid, match=says):
        _followed(preset, follow)


def test_policies_without_followed_presets_add_nothing() -> None:
    policy = load_policy("default")
    assert policy.follows == [] and policy.regional == {}
