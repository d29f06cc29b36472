"""The planner's decision memory: the same decision for the same facts, a fresh one where anything differs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from herald.rules import decide, load_policy
from herald.rules.memo import Decider
from herald.rules.usage import Usage
from tests.builders import SMS, consent, intent, recipient

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)


def test_recipients_with_the_same_facts_share_one_decision() -> None:
    decider = Decider(load_policy("default"))
    one = recipient(contact_id=1, consents=(consent(SMS),), addresses={SMS: "+9779841000001"})
    two = replace(one, contact_id=2, addresses={SMS: "+9779841000002"})
    same = intent(SMS)  # one intent for a whole batch, as the planner asks
    first, second = decider(one, same, NOW), decider(two, same, NOW)
    assert first is second and first == decide(two, intent(SMS), load_policy("default"), NOW)
    assert (decider.hits, decider.misses) == (1, 1)
    # A different fact, moment or intent is decided afresh.
    assert decider(replace(one, consents=()), intent(SMS), NOW).action == "skip"
    decider(one, intent(SMS), NOW.replace(hour=16))
    assert decider.misses == 3


def test_suppressed_recipients_share_a_decision_that_names_no_address() -> None:
    decider = Decider(load_policy("default"))
    one = recipient(
        contact_id=1, consents=(consent(SMS),), addresses={SMS: "+9779841000001"}, suppressions={SMS: "opt-out"}
    )
    two = replace(one, contact_id=2, addresses={SMS: "+9779841000002"})
    bounced = replace(one, contact_id=3, suppressions={SMS: "bounce"})
    assert decider(one, intent(SMS), NOW) is decider(two, intent(SMS), NOW)
    assert "+977" not in decider(one, intent(SMS), NOW).trail[1].detail
    assert "bounce" in decider(bounced, intent(SMS), NOW).trail[1].detail


def test_scoped_prefixes_widen_what_is_remembered_of_an_address() -> None:
    decider = Decider(load_policy("us-tcpa"))
    assert decider.prefix == 5  # "+1305": Florida's area codes
    miami = recipient(addresses={SMS: "+13055550100"}, timezones=("America/New_York",), consents=(consent(SMS),))
    york = replace(miami, addresses={SMS: "+12125550100"})
    late = datetime(2026, 3, 11, 0, 30, tzinfo=UTC)  # 20:30 in New York
    assert decider(miami, intent(SMS), late).action == "defer"
    assert decider(york, intent(SMS), late).action == "send"


def test_capacity_rules_with_usage_are_always_decided_afresh_and_the_memory_is_bounded() -> None:
    policy = load_policy("default", {"sender_capacity": {"daily_cap": {"sms": 1}}})
    decider = Decider(policy, limit=1)
    r = recipient(consents=(consent(SMS),))
    usage = Usage()
    counted = replace(intent(SMS), usage=usage)
    assert decider(r, counted, NOW).action == "send"
    usage.record("sender:sms", NOW)
    assert decider(r, counted, NOW).action == "defer"
    decider(r, intent(SMS), NOW)
    decider(replace(r, consents=()), intent(SMS), NOW)
    assert decider.size == 1
