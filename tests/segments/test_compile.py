"""The compiler gives the same answer as a brute-force Python evaluator, on random data and expressions,
on SQLite and PostgreSQL."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from herald.contacts import service as contacts
from herald.contacts.addresses.normalize import normalize_phone
from herald.contacts.service import ContactInput
from herald.db.jsonpath import date_of, number_of
from herald.errors import Invalid
from herald.events.service import EventIn, record_events
from herald.segments import queries
from herald.segments.compile import COMPARE
from herald.segments.dsl import All, And, AttrTerm, EventTerm, Node, Not, Or, parse
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
            items.append(
                ContactInput(
                    row=i,
                    phone=phone,
                    email=email,
                    timezone="Asia/Tokyo" if rng.random() < 0.1 else None,
                    attributes=random_attributes(rng),
                )
            )
        outcomes = contacts.upsert_contacts(uow, items, NOW, "test")
        for item, outcome in zip(items, outcomes, strict=True):
            cid = outcome.contact_id
            f = facts[cid] = {
                "phone": item.phone,
                "email": item.email,
                "tags": set(),
                "consent": set(),
                "suppressed": set(),
                "tz": item.timezone,
                "attributes": item.attributes,
            }
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
                    contacts.record_consents(
                        uow, [(cid, ch, "revoked", None)], "marketing", "test", NOW + timedelta(seconds=1)
                    )
            if item.phone and rng.random() < 0.15:
                contacts.suppress(uow, Channel.SMS, item.phone.e164, "opt-out", NOW)
                f["suppressed"].add("sms")
            f["events"] = [
                (rng.choice(EVENT_TYPES), NOW - timedelta(hours=rng.randint(1, 24 * 120)), random_properties(rng))
                for _ in range(rng.choice([0, 0, 1, 2, 3, 5]))
            ]
            record_events(
                uow, [EventIn(kind, at, contact_id=cid, properties=props) for kind, at, props in f["events"]], NOW
            )
    return facts


def random_attributes(rng: random.Random) -> dict[str, str]:
    values = {
        "city": ["北京", "上海", "Kathmandu", "kathmandu"],
        "age": ["17", "30", "45.5", "-3", "unknown", "1e3"],
        "signup": ["2026-01-02", "2026-03-20T10:00:00Z", "2025-12-31", "soon", "2026-03-0"],
        "城市": ["北京", "上海", "Zürich"],
        "等级": ["3", "10", "金卡"],
    }
    return {k: rng.choice(v) for k, v in values.items() if rng.random() < 0.7}


def random_properties(rng: random.Random) -> dict[str, object]:
    values = {
        "product": ["A", "B", "a", "Apple"],
        "amount": [5, 120, 99.5, "250", "lots", True],
        "gift": [True, False, "true"],
        "产品": ["苹果", "香蕉", "Äpfel"],
        "数量": [1, 3, "五"],
    }
    return {k: rng.choice(v) for k, v in values.items() if rng.random() < 0.7}


def text_of(value: object) -> str | None:
    """A JSON value as both databases read it out as text."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return None if value is None else str(value)


def passes(node: Node, values: dict) -> bool:
    if isinstance(node, Not):
        return not passes(node.item, values)
    if isinstance(node, And | Or):
        return (all if isinstance(node, And) else any)(passes(i, values) for i in node.items)
    text = text_of(values.get(node.name))
    if text is None:
        return False
    if node.op == "contains":
        return node.value in text
    if node.kind == "span":
        day = date_of(text)
        return day is not None and (NOW - node.value).date().isoformat() <= day <= NOW.date().isoformat()
    subject = {"number": number_of, "date": date_of}.get(node.kind, lambda t: t)(text)
    return subject is not None and COMPARE[node.op](subject, node.value)


def brute(node: Node, f: dict) -> bool:
    if isinstance(node, All):
        return True
    if isinstance(node, EventTerm):
        n = sum(
            kind == node.type
            and (node.within is None or at >= NOW - node.within)
            and (node.where is None or passes(node.where, props))
            for kind, at, props in f["events"]
        )
        return COMPARE[node.op](n, node.count)
    if isinstance(node, AttrTerm):
        return passes(node.test, f["attributes"])
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


ATOMS = [
    "tag:vip",
    "tag:churned",
    'tag:"会员"',
    "region:NP",
    "region:CN",
    "region:US",
    "consent:sms",
    "consent:email",
    "suppressed:sms",
    "has:email",
    "has:phone",
    "line:mobile",
    "tz:Asia/Kathmandu",
    "tz:Asia/Tokyo",
    'carrier:"Nepal Telecom"',
    "all",
    "event:purchase",
    "event:page_view within 7d",
    "event:purchase count >= 2 within 90d",
    "event:purchase count = 0",
    "event:purchase count < 2 within 30d",
    "event:page_view count != 1",
    "event:purchase count > 3",
    'attr.city = "北京"',
    "attr.city != Kathmandu",
    'attr.city in ("上海", kathmandu)',
    'attr.city contains "mand"',
    "attr.age >= 30",
    "attr.age < 0",
    "attr.age = 45.5",
    "attr.age != 17",
    "attr.signup >= 2026-01-01",
    "attr.signup = 2026-03-20",
    "attr.signup within 90d",
    "attr.age in (17, 30)",
    'event:purchase where product = "A"',
    "event:purchase where amount > 100 within 60d",
    "event:purchase where (product in (A, B) and not amount < 100) count >= 2",
    "event:page_view where gift = true",
    'event:purchase where product contains "A"',
    "event:purchase where amount = 250 count = 0",
    "last_purchase within 30d",
    'event:purchase where amount = "250"',
    "event:purchase where amount != lots",
    'event:page_view where gift != "true"',
    'event:purchase where amount = "120"',
    'attr.城市 = "北京"',
    "attr.城市 != Zürich",
    "attr.等级 >= 5",
    'attr.城市 contains "海"',
    'event:purchase where 产品 = "苹果"',
    "event:purchase where 数量 >= 2",
    "event:page_view where 产品 = Äpfel",
]
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
        for _ in range(200):
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


def test_attribute_and_property_atoms_each_split_the_contacts(container) -> None:
    """Each attribute or property atom matches some contacts and not others, so agreement above means something."""
    facts = seed(container)
    for text in [a for a in ATOMS if a.startswith(("attr.", "event:purchase where", "event:page_view where"))]:
        hits = sum(brute(parse(text), f) for f in facts.values())
        assert 0 < hits < len(facts), text


def test_unknown_attributes_are_named(container) -> None:
    seed(container, n=5)
    with container.uow() as uow, pytest.raises(Invalid, match="unknown attribute.*ciyt: no contact has"):
        queries.count(uow.session, 'attr.ciyt = "北京" or attr.city = "北京"')


@pytest.mark.parametrize(
    ("text", "number", "day"),
    [
        ("12", 12.0, None),
        ("-3.25", -3.25, None),
        ("1e3", None, None),
        ("12\n", None, None),
        ("", None, None),
        ("2026-03-10T09:00:00Z", None, "2026-03-10"),
        ("2026-3-10", None, None),
        ("soon", None, None),
    ],
)
def test_sqlite_reads_numbers_and_dates_as_postgresql_does(text, number, day) -> None:
    assert number_of(text) == number and date_of(text) == day
    assert number_of(None) is None and date_of(None) is None
