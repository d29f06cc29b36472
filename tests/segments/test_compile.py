"""The compiler gives the same answer as a brute-force Python evaluator, on random data and expressions,
on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from herald.contacts import service as contacts
from herald.contacts.normalize import normalize_phone
from herald.contacts.service import ContactInput
from herald.errors import Invalid
from herald.events.service import EventIn, record_events
from herald.segments import queries
from herald.segments.compile import COMPARE
from herald.segments.dsl import All, And, EventTerm, Node, Not, Or, parse
from herald.tags import service as tags
from herald.types import Channel
from tests.conftest import NOW

NUMBERS = ["+9779841{:06d}", "+8613800{:06d}", "+26481{:07d}", "+1415555{:04d}", "+91981{:07d}"]
TAGS = ["vip", "churned", "会员"]


def seed(container, n: int = 60, seed: int = 3) -> dict[int, dict]:
    """Random contacts; returns the facts the brute-force evaluator needs, by contact id."""
    rng = random.Random(seed)
    facts: dict[int, dict] = {}
    with container.uow() as uow:
        for name in TAGS:
            tags.create_tag(uow, name, NOW)
        items = []
        for i in range(n):
            phone = normalize_phone(rng.choice(NUMBERS).format(i), None) if rng.random() < 0.8 else None
            email = f"user{i}@example.com" if rng.random() < 0.6 or phone is None else None
            items.append(ContactInput(row=i, phone=phone, email=email,
                                      timezone="Asia/Tokyo" if rng.random() < 0.1 else None))
        outcomes = contacts.upsert_contacts(uow, items, NOW, "test")
        for item, outcome in zip(items, outcomes, strict=True):
            cid = outcome.contact_id
            f = facts[cid] = {"phone": item.phone, "email": item.email, "tags": set(), "consent": set(),
                              "suppressed": set(), "tz": item.timezone}
            for tag in TAGS:
                if rng.random() < 0.35:
                    tags.tag_contacts(uow, tag, [cid], "test", NOW)
                    f["tags"].add(tag)
            for ch in ("sms", "email"):
                roll = rng.random()
                if roll < 0.5:
                    contacts.record_consents(uow, [(cid, ch, "granted", None)], "marketing", "test", NOW)
                    f["consent"].add(ch)
                elif roll < 0.6:
                    contacts.record_consents(uow, [(cid, ch, "granted", None)], "marketing", "test", NOW)
                    contacts.record_consents(uow, [(cid, ch, "revoked", None)], "marketing", "test",
                                             NOW + timedelta(seconds=1))
            if item.phone and rng.random() < 0.15:
                contacts.suppress(uow, Channel.SMS, item.phone.e164, "opt-out", NOW)
                f["suppressed"].add("sms")
            f["events"] = [(rng.choice(EVENT_TYPES), NOW - timedelta(hours=rng.randint(1, 24 * 120)))
                           for _ in range(rng.choice([0, 0, 1, 2, 3, 5]))]
            record_events(uow, [EventIn(kind, at, contact_id=cid) for kind, at in f["events"]], NOW)
    return facts


def brute(node: Node, f: dict) -> bool:
    if isinstance(node, All):
        return True
    if isinstance(node, EventTerm):
        n = sum(kind == node.type and (node.within is None or at >= NOW - node.within) for kind, at in f["events"])
        return COMPARE[node.op](n, node.count)
    if isinstance(node, Not):
        return not brute(node.item, f)
    if isinstance(node, And):
        return all(brute(i, f) for i in node.items)
    if isinstance(node, Or):
        return any(brute(i, f) for i in node.items)
    phone = f["phone"]
    match node.field:
        case "tag":
            return node.value in f["tags"]
        case "region":
            return phone is not None and phone.region == node.value
        case "consent":
            return node.value in f["consent"]
        case "suppressed":
            return node.value in f["suppressed"]
        case "has":
            return (f["email"] if node.value == "email" else phone) is not None
        case "line":
            return phone is not None and phone.line_type == node.value
        case "tz":
            return f["tz"] == node.value if f["tz"] else phone is not None and node.value in phone.timezones
        case "carrier":
            return phone is not None and phone.carrier == node.value
    raise AssertionError(node)


ATOMS = ["tag:vip", "tag:churned", 'tag:"会员"', "region:NP", "region:CN", "region:US", "consent:sms",
         "consent:email", "suppressed:sms", "has:email", "has:phone", "line:mobile", "tz:Asia/Kathmandu",
         "tz:Asia/Tokyo", 'carrier:"Nepal Telecom"', "all", "event:purchase", "event:page_view within 7d",
         "event:purchase count >= 2 within 90d", "event:purchase count = 0", "event:purchase count < 2 within 30d",
         "event:page_view count != 1", "event:purchase count > 3"]
EVENT_TYPES = ("purchase", "page_view")


def random_expression(rng: random.Random, depth: int = 0) -> str:
    roll = rng.random()
    if depth > 2 or roll < 0.35:
        return rng.choice(ATOMS)
    if roll < 0.5:
        return f"not {random_expression(rng, depth + 1)}"
    op = rng.choice(["and", "or"])
    return f"({random_expression(rng, depth + 1)} {op} {random_expression(rng, depth + 1)})"


def test_compiled_sql_agrees_with_brute_force(container) -> None:
    facts = seed(container)
    rng = random.Random(11)
    with container.uow() as uow:
        for _ in range(120):
            text = random_expression(rng)
            expected = sorted(cid for cid, f in facts.items() if brute(parse(text), f))
            got = list(uow.session.scalars(queries.audience_select(uow.session, text, NOW)))
            assert got == expected, text
            assert queries.count(uow.session, text, NOW) == len(expected)


def test_members_pages_in_id_order(container) -> None:
    seed(container, n=30)
    with container.uow() as uow:
        everyone = [c.id for c in queries.members(uow.session, "all", limit=100)]
        page = [c.id for c in queries.members(uow.session, "all", limit=5, offset=5)]
    assert everyone == sorted(everyone) and page == everyone[5:10]


def test_unknown_tags_are_named(container) -> None:
    with container.uow() as uow, pytest.raises(Invalid, match="unknown tag.*ghost"):
        queries.count(uow.session, "tag:vip or tag:ghost")


def test_values_are_bound_parameters_not_sql(container) -> None:
    seed(container, n=5)
    with container.uow() as uow:
        assert queries.count(uow.session, """carrier:"x' OR '1'='1" """.strip()) == 0
