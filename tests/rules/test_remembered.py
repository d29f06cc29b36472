"""Remembered rule outcomes (the rules' lru caches) decide exactly as outcomes made afresh."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from herald.rules import ConsentFact, MessageIntent, Recipient, SendFact, decide, load_policy
from herald.rules.builtin import consent, frequency, line_type, quiet_hours
from herald.types import Channel, Purpose

NOW = datetime(2026, 3, 10, 14, 0, tzinfo=UTC)
REMEMBERED = ((consent, "_granted"), (frequency, "_room"), (line_type, "_judge"), (quiet_hours, "_judge"))
ZONES = [("NP", "Asia/Kathmandu"), ("CN", "Asia/Shanghai"), ("US", "America/New_York"), ("GB", "Europe/London")]


def recipients(count: int = 300) -> list[Recipient]:
    rng = random.Random(3)
    found = []
    for i in range(count):
        region, zone = rng.choice(ZONES)
        consents = (ConsentFact(Channel.SMS, Purpose.MARKETING, "granted", NOW - timedelta(days=rng.choice([1, 9]))),)
        sends = tuple(
            SendFact(Channel.SMS, Purpose.MARKETING, NOW - timedelta(hours=rng.randint(1, 30)))
            for _ in range(rng.randint(0, 2))
        )
        line = rng.choice(["mobile", "fixed_line", "voip", None])
        found.append(
            Recipient(
                i,
                {Channel.SMS: f"+97798{i:08d}"},
                (zone,),
                region,
                line,
                consents if rng.random() < 0.8 else (),
                sends=sends,
            )
        )
    return found


def decisions(policy, intent) -> list:
    return [decide(r, intent, policy, NOW + timedelta(hours=h)) for h in (0, 7) for r in recipients()]


@pytest.mark.parametrize("preset", ["default", "cn-sms", "us-tcpa"])
def test_remembered_outcomes_decide_as_outcomes_made_afresh(preset, monkeypatch) -> None:
    policy, intent = load_policy(preset), MessageIntent(Purpose.MARKETING, (Channel.SMS,))
    remembered = decisions(policy, intent)
    assert remembered == decisions(policy, intent)  # asked again, answered from memory
    for module, name in REMEMBERED:
        monkeypatch.setattr(module, name, getattr(module, name).__wrapped__)
    assert decisions(policy, intent) == remembered
