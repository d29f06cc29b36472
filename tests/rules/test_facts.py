"""The facts a decision reads are defined once (`DECISION_FACTS`); the memory's key derives from them."""

from dataclasses import fields, replace
from datetime import UTC, datetime, timedelta

import pytest

from herald.rules import DECISION_FACTS, STORED_FACTS, ConsentFact, Decider, Recipient, SendFact, load_policy
from herald.rules.builtin import RULES
from herald.rules.facts import IDENTITY_FIELDS
from herald.types import Channel, Purpose

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)
BASE = Recipient(
    1,
    {Channel.SMS: "+8613800000001", Channel.EMAIL: "a@example.com"},
    ("Asia/Shanghai",),
    "CN",
    "mobile",
    (ConsentFact(Channel.SMS, Purpose.MARKETING, "granted", NOW - timedelta(days=3)),),
)
# One other value for each field a decision reads.
CHANGED = {
    "addresses": {Channel.SMS: "+4915100000001", Channel.EMAIL: "a@example.com"},
    "timezones": ("Europe/Berlin",),
    "region": "DE",
    "line_type": "fixed_line",
    "consents": (),
    "suppressions": {Channel.SMS: "stop"},
    "lifecycle": "churned",
    "sends": (SendFact(Channel.SMS, Purpose.MARKETING, NOW - timedelta(hours=1)),),
    "last_inbound": {Channel.WHATSAPP: NOW - timedelta(hours=2)},
    "allow_listed": frozenset({Channel.SMS}),
}


def test_every_recipient_field_is_a_decision_fact_or_the_recipients_identity():
    facts = [f.field for f in DECISION_FACTS]
    assert len(facts) == len(set(facts))
    assert sorted([*facts, *IDENTITY_FIELDS]) == sorted(f.name for f in fields(Recipient))
    assert set(CHANGED) == set(facts)


def test_every_fact_a_rule_reads_is_a_stored_decision_fact():
    for rule in RULES.values():
        assert rule.reads <= STORED_FACTS, rule.name


@pytest.mark.parametrize("field", sorted(CHANGED))
def test_the_memory_tells_apart_recipients_that_differ_in_one_fact(field):
    key = Decider(load_policy("default"))._facts
    channels = (Channel.SMS, Channel.EMAIL)
    assert key(BASE, channels) != key(replace(BASE, **{field: CHANGED[field]}), channels)


def test_the_memory_treats_alike_recipients_that_differ_only_in_who_they_are():
    key = Decider(load_policy("default"))._facts
    other = replace(BASE, contact_id=2, addresses={Channel.SMS: "+8613800000002", Channel.EMAIL: "a@example.com"})
    assert key(BASE, (Channel.SMS, Channel.EMAIL)) == key(other, (Channel.SMS, Channel.EMAIL))
