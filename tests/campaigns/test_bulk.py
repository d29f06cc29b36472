"""The set-based planner writes the rows the recipient-by-recipient planner writes, on SQLite and
PostgreSQL: random contacts with every kind of fact, variants with fallbacks, a hold-out, a canary and a
local-time schedule."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import delete, select

from herald.campaigns import service as campaigns
from herald.campaigns.planning import bulk, keys, planner, plans, runs
from herald.contacts.models import AllowedAddress, Consent, Contact, Suppression
from herald.outbox.models import Message
from herald.rules import ConsentFact, MessageIntent, Recipient, SendFact
from herald.rules.memo import Decider
from herald.types import Channel, Purpose
from tests.conftest import NOW
from tests.scenario import publish

ZONES = [
    ("NP", "+97798", "Asia/Kathmandu"),
    ("US", "+1305", "America/New_York"),
    ("US", "+1415", None),
    ("FR", "+336", "Europe/Paris"),
    ("CN", "+86138", None),
    ("AU", "+614", "Australia/Sydney"),
]
COLUMNS = (
    "idempotency_key",
    "contact_id",
    "template_id",
    "purpose",
    "channel",
    "address",
    "status",
    "planned_action",
    "reason",
    "due_at",
    "trail_id",
    "variant",
    "run",
    "held",
    "buckets",
)


def people(uow, n: int, seed: int) -> None:
    """Contacts with consents, suppressions, the allow-list, lifecycle stages and past sends, at random."""
    rng = random.Random(seed)
    days = [NOW - timedelta(days=d) for d in (1, 30, 400)]
    facts = []  # added once every contact is in (the rows have no relationships to order them by)
    for i in range(1, n + 1):
        region, prefix, zone = rng.choice(ZONES)
        phone = f"{prefix}{i:07d}" if rng.random() < 0.9 else None
        email = f"p{i}@example.com" if phone is None or rng.random() < 0.4 else None
        derived = {"US": "America/New_York,America/Los_Angeles", "CN": "Asia/Shanghai"}.get(region)
        stage = rng.choice([None, None, "new", "active", "dormant"])
        uow.session.add(
            Contact(
                id=i,
                phone=phone,
                email=email,
                region=region,
                timezone=zone,
                phone_timezones=derived,
                line_type=rng.choice(["mobile"] * 5 + ["fixed_line", None]),
                attributes={"lifecycle": stage, "city": f"c{i}"} if stage else {"city": f"c{i}"},
                created_at=NOW,
                updated_at=NOW,
            )
        )
        for channel in ("sms", "whatsapp", "email"):
            if rng.random() < 0.6:
                facts.append(
                    Consent(
                        contact_id=i,
                        channel=channel,
                        purpose="marketing",
                        status=rng.choice(["granted"] * 4 + ["revoked"]),
                        recorded_at=rng.choice(days),
                        source=rng.choice(["import", "form"]),
                        has_evidence=rng.random() < 0.5,
                    )
                )
        address = phone or email
        channel = "sms" if phone else "email"
        if rng.random() < 0.08:
            expires = rng.choice([None, NOW - timedelta(days=1), NOW + timedelta(days=1)])
            facts.append(
                Suppression(
                    channel=channel,
                    address=address,
                    reason=rng.choice(["opt-out", "bounce"]),
                    created_at=NOW,
                    expires_at=expires,
                )
            )
        if rng.random() < 0.05:
            facts.append(AllowedAddress(channel=channel, address=address, created_at=NOW))
        if rng.random() < 0.3:
            sent = NOW - timedelta(hours=rng.choice([2, 20, 30, 24 * 10, 24 * 40]))
            status = rng.choice(["sent", "sent", "inflight"])  # in flight: handed to a provider, not sent yet
            facts.append(
                Message(
                    idempotency_key=f"old:{i}",
                    campaign_id=None,
                    contact_id=i,
                    purpose="marketing",
                    channel=channel,
                    address=address,
                    status=status,
                    planned_action="send",
                    due_at=sent,
                    attempts=1,
                    sent_at=sent if status == "sent" else None,
                    created_at=sent,
                    updated_at=sent,
                )
            )
    uow.session.flush()
    uow.session.add_all(facts)


def campaign(uow, **options) -> int:
    publish(uow, "sms-a", Channel.SMS, {"body": "Sale today. Reply STOP to opt out."})
    publish(uow, "sms-b", Channel.SMS, {"body": "Big sale today. Reply STOP to opt out."})
    publish(uow, "mail", Channel.EMAIL, {"subject": "Sale", "text": "Sale today."})
    variants = [("A", 60.0, ["sms-a"]), ("B", 40.0, ["sms-b", "mail"])]
    return campaigns.create_campaign(
        uow, "Bulk", "has:phone or has:email", "sms-a", NOW, variants=variants, **options
    ).id


def planned_rows(uow, cid: int) -> list[tuple]:
    stmt = select(*(getattr(Message, c) for c in COLUMNS)).where(Message.campaign_id == cid)
    return sorted(tuple(r) for r in uow.session.execute(stmt.order_by(Message.contact_id)))


def both_ways(
    container, cid: int, preset_overrides: dict | None = None
) -> tuple[list, list, plans.PlanStats, plans.PlanStats]:
    """Plan the campaign set-based, keep its rows and counts, clear them and plan row by row."""
    found = []
    for how in (bulk.plan, planner.plan):
        with container.uow() as uow:
            c = campaigns.get_campaign(uow, cid)
            p = runs.build_plan(uow, c, NOW)
            assert bulk.applies(uow, p)
            stats = how(uow, p, runs.audience(uow, c), NOW)
            found.append((planned_rows(uow, cid), stats))
        with container.uow() as uow:
            uow.session.execute(delete(Message).where(Message.campaign_id == cid))
    (set_rows, set_stats), (row_rows, row_stats) = found
    return set_rows, row_rows, set_stats, row_stats


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"audience": campaigns.Audience(holdout_percent=20)},
        {"rollout_settings": {"canary_percent": 30, "hold_minutes": 60}},
        {"preset": "us-tcpa", "audience": campaigns.Audience(holdout_percent=10)},
        {"preset": "default", "overrides": {"lifecycle_cadence": {}, "suppression": {"allow_list_only": True}}},
    ],
    ids=["plain", "holdout", "canary", "us-tcpa", "cadence-allow-list"],
)
def test_set_based_rows_match_row_by_row(container, options) -> None:
    with container.uow() as uow:
        people(uow, 400, seed=len(str(options)))
        cid = campaign(uow, **options)
    set_rows, row_rows, set_stats, row_stats = both_ways(container, cid)
    assert len(set_rows) == 400 and set_rows == row_rows
    assert set_stats.as_dict() == row_stats.as_dict()
    # The data is varied enough that the comparison means something.
    assert {r[7] for r in set_rows} == {"send", "defer", "skip"}
    assert len({r[10] for r in set_rows}) > 8


def test_a_table_without_rows_is_left_out_of_the_key_and_the_rows_still_match(container) -> None:
    with container.uow() as uow:
        people(uow, 200, seed=9)
        uow.session.flush()
        uow.session.execute(delete(AllowedAddress))
        cid = campaign(uow, overrides={"suppression": {"allow_list_only": True}})
    with container.uow() as uow:
        assert keys.empty_facts(uow.session.connection()) == {"allow_list"}
    set_rows, row_rows, *_ = both_ways(container, cid)
    assert set_rows == row_rows
    assert {r[7] for r in set_rows} == {"skip"} and "suppression" in {r[8] for r in set_rows}  # nobody is allowed


def test_local_time_schedules_match_row_by_row(container) -> None:
    with container.uow() as uow:
        people(uow, 300, seed=3)
        cid = campaign(uow)
        campaigns.schedule_campaign(uow, cid, NOW, local_time="10:00")
        c = campaigns.get_campaign(uow, cid)
        c.status = "draft"  # planned here by hand, not by the worker's beat
    set_rows, row_rows, *_ = both_ways(container, cid)
    assert set_rows == row_rows
    assert len({r[9] for r in set_rows if r[7] == "send"}) > 2  # different moments in different zones


def test_it_does_not_apply_to_a_replan_or_to_shared_usage(container) -> None:
    with container.uow() as uow:
        people(uow, 20, seed=1)
        cid = campaign(uow)
        campaigns.plan_campaign(uow, cid, NOW)
    with container.uow() as uow:
        assert not bulk.applies(uow, runs.build_plan(uow, campaigns.get_campaign(uow, cid), NOW))
        cid = campaign_with(uow, "Capped", {"sender_capacity": {"daily_cap": {"sms": 5}}})
        assert not bulk.applies(uow, runs.build_plan(uow, campaigns.get_campaign(uow, cid), NOW))


def campaign_with(uow, name: str, overrides: dict) -> int:
    return campaigns.create_campaign(uow, name, "has:phone", "sms-a", NOW, overrides=overrides).id


def test_the_key_leaves_out_sends_no_rule_can_see() -> None:
    """A send older than every rule's look-back changes no decision, so it may be left out of the key."""
    policy = runs.load_policy("default")
    assert policy.send_lookback == timedelta(hours=24)
    decider = Decider(policy)
    old = SendFact(Channel.SMS, Purpose.MARKETING, NOW - timedelta(hours=25))
    consent = (ConsentFact(Channel.SMS, Purpose.MARKETING, "granted", NOW - timedelta(days=3)),)
    intent = MessageIntent(Purpose.MARKETING, (Channel.SMS,))
    base = Recipient(1, {Channel.SMS: "+9779841000001"}, ("Asia/Kathmandu",), "NP", "mobile", consent)
    with_old = Recipient(2, {Channel.SMS: "+9779841000002"}, ("Asia/Kathmandu",), "NP", "mobile", consent, sends=(old,))
    assert decider(base, intent, NOW).trail == decider(with_old, intent, NOW).trail
    recent = replace(with_old, sends=(replace(old, at=NOW - timedelta(hours=23)),))
    assert decider(base, intent, NOW).trail != decider(recent, intent, NOW).trail


def test_the_set_based_key_has_sql_for_every_decision_fact(container) -> None:
    from herald.rules import DECISION_FACTS

    with container.uow() as uow:
        people(uow, 5, seed=2)
        cid = campaign(uow)
        plan = runs.build_plan(uow, campaigns.get_campaign(uow, cid), NOW)
        assert set(keys.fact_sql(plan, NOW, None)) == {f.name for f in DECISION_FACTS}
