"""Every preset on the cases it exists for: US and Florida, China, the EU, France and WhatsApp Business."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from herald.errors import Invalid
from herald.rules import ConsentFact, Defer, Send, Skip, decide, load_policy
from herald.rules.policy import preset_names, presets_for, presets_for_region
from herald.rules.usage import Usage
from tests.builders import EMAIL, MKT, SMS, TXN, WA, consent, intent, recipient, sent


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


MIAMI = "+13055550123"
NEW_YORK = "+12125550123"
SHANGHAI = "+8613800138000"
PARIS = "+33612345678"


def person(phone: str, zone: str, region: str, **kw) -> object:
    base = {
        "addresses": {SMS: phone, WA: phone},
        "timezones": (zone,),
        "region": region,
        "line_type": "mobile",
        "consents": (consent(SMS, at=utc(2026, 1, 1)), consent(WA, at=utc(2026, 1, 1))),
    }
    return recipient(**{**base, **kw})


def first_rule(decision, verdict: str) -> str | None:
    return next((o.rule for o in decision.trail if o.verdict == verdict), None)


@pytest.mark.parametrize(
    ("preset", "who", "now", "action", "rule", "until"),
    [
        # 20:30 in Miami (EST, UTC-5): Florida's 20:00 close holds; New York at 20:30 is inside TCPA's 21:00.
        (
            "us-tcpa",
            person(MIAMI, "America/New_York", "US"),
            utc(2026, 12, 23, 1, 30),
            "defer",
            "florida_hours",
            utc(2026, 12, 23, 13, 0),
        ),
        ("us-tcpa", person(NEW_YORK, "America/New_York", "US"), utc(2026, 12, 23, 1, 30), "send", None, None),
        (
            "us-tcpa",
            person(NEW_YORK, "America/New_York", "US"),
            utc(2026, 12, 23, 2, 30),
            "defer",
            "quiet_hours",
            utc(2026, 12, 23, 13, 0),
        ),
        # DST: 07:30 EDT on the first Monday after spring-forward is still quiet.
        (
            "us-tcpa",
            person(NEW_YORK, "America/New_York", "US"),
            utc(2026, 3, 9, 11, 30),
            "defer",
            "quiet_hours",
            utc(2026, 3, 9, 12, 0),
        ),
        # China: promotional SMS until 22:00 (Shanghai is UTC+8).
        ("cn-sms", person(SHANGHAI, "Asia/Shanghai", "CN"), utc(2026, 12, 22, 13, 30), "send", None, None),
        (
            "cn-sms",
            person(SHANGHAI, "Asia/Shanghai", "CN"),
            utc(2026, 12, 22, 14, 30),
            "defer",
            "quiet_hours",
            utc(2026, 12, 23, 0, 0),
        ),
        # France: no Sundays, no public holidays, 08:00-20:00.
        (
            "fr",
            person(PARIS, "Europe/Paris", "FR", consents=(replace(consent(SMS, at=utc(2026, 1, 1)), evidence=True),)),
            utc(2026, 12, 27, 10),
            "defer",
            "send_window",
            utc(2026, 12, 28, 7, 0),
        ),
        (
            "fr",
            person(PARIS, "Europe/Paris", "FR", consents=(replace(consent(SMS, at=utc(2026, 1, 1)), evidence=True),)),
            utc(2026, 11, 11, 10),
            "defer",
            "send_window",
            utc(2026, 11, 12, 7, 0),
        ),
        (
            "fr",
            person(PARIS, "Europe/Paris", "FR", consents=(replace(consent(SMS, at=utc(2026, 1, 1)), evidence=True),)),
            utc(2026, 11, 12, 10),
            "send",
            None,
            None,
        ),
        # France and the EU want consent with proof.
        ("fr", person(PARIS, "Europe/Paris", "FR"), utc(2026, 11, 12, 10), "skip", "consent", None),
        ("eu-gdpr", person(PARIS, "Europe/Paris", "FR"), utc(2026, 11, 12, 10), "skip", "consent", None),
        # A fixed line is never texted.
        (
            "default",
            person(PARIS, "Europe/Paris", "FR", line_type="fixed_line"),
            utc(2026, 11, 12, 10),
            "skip",
            "line_type",
            None,
        ),
    ],
)
def test_presets(preset, who, now, action, rule, until) -> None:
    decision = decide(who, intent(SMS), load_policy(preset), now)
    assert decision.action == action
    if action == "defer":
        assert (first_rule(decision, "defer"), decision.until) == (rule, until)
    if action == "skip":
        assert decision.reason == rule


def test_florida_allows_three_a_day_and_then_skips() -> None:
    policy = load_policy("us-tcpa", {"frequency_cap": {"max": 10}})
    now = utc(2026, 12, 22, 18)
    two = person(MIAMI, "America/New_York", "US", sends=(sent(3, now), sent(2, now)))
    three = replace(two, sends=(*two.sends, sent(1, now)))
    assert isinstance(decide(two, intent(SMS), policy, now), Send)
    decision = decide(three, intent(SMS), policy, now)
    assert isinstance(decision, Skip) and decision.reason == "florida_cap"
    # Raising the general cap left New York alone at 10.
    assert isinstance(decide(replace(three, addresses={SMS: NEW_YORK}), intent(SMS), policy, now), Send)


def test_florida_rules_say_they_do_not_apply_elsewhere() -> None:
    decision = decide(
        person(NEW_YORK, "America/New_York", "US"), intent(SMS), load_policy("us-tcpa"), utc(2026, 12, 22, 18)
    )
    details = {o.rule: o.detail for o in decision.trail}
    assert details["florida_hours"] == details["florida_cap"] == "applies to Florida numbers only"


def test_whatsapp_business_wants_an_opt_in_even_for_transactional_messages() -> None:
    policy, now = load_policy("whatsapp-business"), utc(2026, 12, 22, 10)
    wa = replace(intent(WA, purpose=TXN), template_category="UTILITY", template_status="APPROVED")
    nobody = person(PARIS, "Europe/Paris", "FR", consents=())
    assert decide(nobody, wa, policy, now).reason == "consent"
    opted = replace(nobody, consents=(ConsentFact(WA, MKT, "granted", utc(2026, 1, 1)),))
    assert isinstance(decide(opted, wa, policy, now), Send)
    # SMS stays exempt for transactional messages.
    assert isinstance(decide(nobody, intent(SMS, purpose=TXN), policy, now), Send)


def test_whatsapp_business_holds_the_portfolio_limit_and_falls_back() -> None:
    policy, now = load_policy("whatsapp-business"), utc(2026, 12, 22, 10)
    full = Usage({"whatsapp:portfolio": [now - timedelta(minutes=m) for m in range(1, 251)]})
    wa_first = replace(intent(WA, SMS), template_category="MARKETING", template_status="APPROVED", usage=full)
    decision = decide(person(PARIS, "Europe/Paris", "FR"), wa_first, policy, now)
    # WhatsApp must wait for the limit; the decision is to wait on the first channel that can send at all.
    assert isinstance(decision, Defer) and decision.channel is WA and decision.buckets == ("whatsapp:portfolio",)
    room = replace(wa_first, usage=Usage())
    decision = decide(person(PARIS, "Europe/Paris", "FR"), room, policy, now)
    assert isinstance(decision, Send) and decision.buckets == ("whatsapp:portfolio",)


def test_fallback_only_to_a_consented_channel() -> None:
    policy, now = load_policy("default"), utc(2026, 12, 22, 10)
    who = person(
        PARIS,
        "Europe/Paris",
        "FR",
        consents=(consent(SMS, at=utc(2026, 1, 1)),),
        addresses={WA: PARIS, SMS: PARIS, EMAIL: "a@example.fr"},
    )
    wa = replace(intent(WA, SMS, EMAIL), template_category="MARKETING", template_status="APPROVED")
    decision = decide(who, wa, policy, now)
    assert isinstance(decision, Send) and decision.channel is SMS
    no_sms = replace(who, consents=(consent(EMAIL, at=utc(2026, 1, 1)),))
    assert decide(no_sms, wa, policy, now).channel is EMAIL
    assert isinstance(decide(replace(who, consents=()), wa, policy, now), Skip)


def test_every_preset_loads() -> None:
    assert {"default", "us-tcpa", "cn-sms", "eu-gdpr", "fr", "whatsapp-business"} <= set(preset_names())
    for name in preset_names():
        assert load_policy(name).rules


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"evening": {"rule": "send_window", "prefixes": "+1305"}}, "prefixes: expected a list"),
        ({"evening": {"rule": "send_window", "prefixes": ["1305"]}}, "expected E.164 prefixes"),
        ({"evening": {"rule": "send_window", "regions": [""]}}, "regions: expected a list"),
        ({"evening": {"rule": "sleep"}}, "unknown rule 'sleep'"),
        ({"evening": {"rule": "send_window", "when": "later"}}, "unknown parameter(s) when"),
    ],
)
def test_bad_rule_tables_are_refused(overrides, message) -> None:
    with pytest.raises(Invalid) as err:
        load_policy("default", overrides)
    assert message in str(err.value) and "evening" in str(err.value)


def test_a_rule_can_run_twice_under_two_names_and_for_a_region_only() -> None:
    policy = load_policy(
        "default",
        {
            "weekly_cap": {"rule": "frequency_cap", "max": 3, "window_hours": 168},
            "np_window": {"rule": "send_window", "windows": ["10:00-11:00"], "regions": ["np"]},
        },
    )
    now = utc(2026, 3, 10, 3)  # 08:45 in Kathmandu
    nepali = recipient(consents=(consent(SMS),), region="NP", sends=(sent(48, now), sent(72, now), sent(96, now)))
    decision = decide(nepali, intent(SMS), policy, now)
    rules = [o.rule for o in decision.trail if o.verdict == "defer"]
    assert rules[:2] == ["weekly_cap", "np_window"]
    others = decide(replace(nepali, region="IN", sends=()), intent(SMS), policy, now)
    assert next(o for o in others.trail if o.rule == "np_window").detail == "applies to np only"


@pytest.mark.parametrize(
    ("locale", "channel", "expected"),
    [
        ("zh-CN", "sms", ["cn-sms"]),
        ("ZH-cn", "sms", ["cn-sms"]),
        ("zh-CN", "email", []),
        ("zh-TW", "sms", []),
        ("fr", "sms", ["fr"]),
        ("de-DE", "email", ["eu-gdpr"]),
        ("en-US", "sms", ["us-tcpa"]),
        ("en", "sms", []),
        ("en", "whatsapp", ["whatsapp-business"]),
        ("fr-FR", "whatsapp", ["fr", "whatsapp-business"]),
    ],
)
def test_a_templates_locale_and_channel_name_the_jurisdictions_it_is_written_for(locale, channel, expected) -> None:
    assert presets_for(locale, channel) == expected


@pytest.mark.parametrize(
    ("region", "channel", "expected"),
    [
        ("CN", "sms", ["cn-sms"]),
        ("cn", "sms", ["cn-sms"]),
        ("CN", "whatsapp", ["whatsapp-business"]),
        ("HK", "sms", []),
        ("US", "sms", ["us-tcpa"]),
        ("PR", "sms", ["us-tcpa"]),
        ("US", "email", []),
        ("FR", "sms", ["eu-gdpr", "fr"]),
        ("RE", "email", ["eu-gdpr", "fr"]),
        ("DE", "whatsapp", ["eu-gdpr", "whatsapp-business"]),
        ("NO", "sms", ["eu-gdpr"]),
        ("GB", "sms", []),
        ("NP", "sms", []),
        (None, "sms", []),
        ("", "whatsapp", ["whatsapp-business"]),
    ],
)
def test_a_recipients_country_and_channel_name_the_jurisdictions_that_speak_for_them(region, channel, expected) -> None:
    assert presets_for_region(region, channel) == expected
