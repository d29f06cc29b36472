"""Automatic tag rules apply as events arrive and over history, the same way, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from herald.autotag import service as autotag
from herald.autotag.models import TagRule
from herald.contacts import service as contacts
from herald.contacts.service import ContactInput
from herald.errors import Invalid
from herald.events.service import EventIn, record_events
from herald.tags import service as tags
from herald.tags.models import ContactTag, Tag
from tests.conftest import NOW

DAY = timedelta(days=1)
VIEWS = {
    "kind": "event",
    "event": "page_view",
    "count": 3,
    "within": "7d",
    "tag": "interested:{category}",
    "expires": "30d",
    "category": None,
}
BOUGHT_A = {"kind": "event", "event": "purchase", "where": 'product = "A" and amount >= 10', "tag": "bought:A"}
PRICE = {
    "kind": "keyword",
    "keywords": ["price", "价格"],
    "synonyms": {"price": ["多少钱", "cost"]},
    "tag": "asked:price",
    "expires": "90d",
}


def people(container, n: int, prefix: str = "p") -> list[int]:
    with container.uow() as uow:
        items = [ContactInput(row=i, email=f"{prefix}{i}@example.com") for i in range(n)]
        return [o.contact_id for o in contacts.upsert_contacts(uow, items, NOW, "test")]


def carried(container, name: str) -> dict[int, tuple[str, object]]:
    """Who carries the tag: contact id -> (applied_by, expires_at)."""
    with container.uow() as uow:
        stmt = (
            select(ContactTag.contact_id, ContactTag.applied_by, ContactTag.expires_at)
            .join(Tag, Tag.id == ContactTag.tag_id)
            .where(Tag.name == name)
        )
        return {cid: (by, until) for cid, by, until in uow.session.execute(stmt)}


def views(cid: int, category: str, *ages: timedelta) -> list[EventIn]:
    # Each view is one of its own (views at the same moment with the same properties would be one event).
    return [
        EventIn("page_view", NOW - age, contact_id=cid, properties={"category": category, "view": i})
        for i, age in enumerate(ages)
    ]


def test_a_purchase_tags_its_buyer_as_it_arrives(container) -> None:
    a, b, c = people(container, 3)
    with container.uow() as uow:
        autotag.save_rule(uow, "bought-a", BOUGHT_A, "ops", NOW)
        autotag.record(
            uow,
            [
                EventIn("purchase", NOW - DAY, contact_id=a, properties={"product": "A", "amount": 12}),
                EventIn("purchase", NOW, contact_id=b, properties={"product": "A", "amount": "5"}),
                EventIn("purchase", NOW, contact_id=c, properties={"product": "B", "amount": 50}),
            ],
            NOW,
        )
    assert carried(container, "bought:A") == {a: ("rule:bought-a@1", None)}
    with container.uow() as uow:
        assert uow.session.scalar(select(Tag.kind).where(Tag.name == "bought:A")) == "rule"


def test_three_views_in_a_week_tag_an_interest_per_category_until_it_lapses(container) -> None:
    a, b = people(container, 2)
    with container.uow() as uow:
        autotag.save_rule(uow, "interest", VIEWS, "ops", NOW)
        autotag.record(
            uow,
            views(a, "shoes", 6 * DAY, 2 * DAY, DAY)
            + views(a, "hats", DAY, DAY)
            + views(b, "shoes", 9 * DAY, 2 * DAY, DAY),
            NOW,
        )
    assert carried(container, "interested:shoes") == {a: ("rule:interest@1", NOW - DAY + 30 * DAY)}
    assert carried(container, "interested:hats") == {}
    with container.uow() as uow:  # a third hat view arrives: now the hats count too
        autotag.record(uow, views(a, "hats", timedelta(0)), NOW)
    assert carried(container, "interested:hats") == {a: ("rule:interest@1", NOW + 30 * DAY)}


def test_back_fill_gives_what_arrival_would_have_and_dry_run_counts_it_first(container) -> None:
    ids = people(container, 4)
    events = (
        views(ids[0], "shoes", DAY, DAY, DAY)
        + views(ids[1], "shoes", DAY, 2 * DAY, 3 * DAY)
        + views(ids[2], "shoes", DAY)
        + views(ids[3], "bags", DAY, DAY, DAY)
    )
    with container.uow() as uow:
        record_events(uow, events, NOW)  # history from before the rule existed
        autotag.save_rule(uow, "interest", VIEWS, "ops", NOW)
        preview = autotag.dry_run(uow, VIEWS, NOW)
    assert preview["qualify"] == 3 and preview["would_tag"] == 3 and preview["would_extend"] == 0
    assert preview["tags"]["interested:shoes"] == {"qualify": 2, "would_tag": 2, "would_extend": 0}
    assert carried(container, "interested:shoes") == {}  # a dry run writes nothing
    with container.uow() as uow:
        done = autotag.backfill(uow, "interest", NOW)
        assert done["tagged"] == 3 and autotag.dry_run(uow, VIEWS, NOW)["would_tag"] == 0
    expected = set(carried(container, "interested:shoes"))
    # the same history arriving live, into a fresh set of contacts, tags the same people
    fresh = people(container, 4, prefix="fresh")
    with container.uow() as uow:
        autotag.record(
            uow,
            [
                EventIn(e.type, e.occurred_at, contact_id=fresh[ids.index(e.contact_id)], properties=e.properties)
                for e in events
            ],
            NOW,
        )
    live = set(carried(container, "interested:shoes")) - expected
    assert {ids[fresh.index(c)] for c in live} == expected == {ids[0], ids[1]}


def test_replies_saying_a_keyword_tag_their_sender(container) -> None:
    a, b, c, d = people(container, 4)
    replies = [(a, "这个多少钱？"), (b, "What are your PRICES"), (c, "thanks, see you"), (d, "the cost?")]
    with container.uow() as uow:
        autotag.save_rule(uow, "price", PRICE, "ops", NOW)
        autotag.record(
            uow,
            [EventIn("message.replied", NOW - DAY, contact_id=cid, properties={"text": text}) for cid, text in replies],
            NOW,
        )
    assert carried(container, "asked:price") == {cid: ("rule:price@1", NOW - DAY + 90 * DAY) for cid in (a, b, d)}


def test_keyword_back_fill_reads_history_within_its_span(container) -> None:
    a, b = people(container, 2)
    with container.uow() as uow:
        record_events(
            uow,
            [
                EventIn("message.replied", NOW - 40 * DAY, contact_id=a, properties={"text": "价格?"}),
                EventIn("message.replied", NOW - DAY, contact_id=b, properties={"text": "价格?"}),
            ],
            NOW,
        )
        autotag.save_rule(uow, "price", {**PRICE, "within": "30d", "expires": None}, "ops", NOW)
        assert autotag.dry_run(uow, {**PRICE, "within": "30d"}, NOW)["would_tag"] == 1
        autotag.backfill(uow, "price", NOW)
    assert carried(container, "asked:price") == {b: ("rule:price@1", None)}


def test_saving_a_changed_rule_makes_a_new_version_and_an_unchanged_one_does_not(container) -> None:
    with container.uow() as uow:
        autotag.save_rule(uow, "bought-a", BOUGHT_A, "ops", NOW)
        autotag.save_rule(uow, "bought-a", BOUGHT_A, "ops", NOW)
        rule = autotag.save_rule(uow, "bought-a", {**BOUGHT_A, "expires": "365d"}, "lead", NOW + DAY)
        versions = autotag.history(uow, "bought-a")
    assert rule.version == 2 and rule.updated_by == "lead"
    assert [(v.version, v.definition.get("expires"), v.saved_by) for v in versions] == [
        (1, None, "ops"),
        (2, "365d", "lead"),
    ]


def test_a_switched_off_rule_waits_and_a_deleted_one_leaves_its_tags(container) -> None:
    (a,) = people(container, 1)
    buy = EventIn("purchase", NOW, contact_id=a, properties={"product": "A", "amount": 20})
    with container.uow() as uow:
        autotag.save_rule(uow, "bought-a", BOUGHT_A, "ops", NOW)
        autotag.set_enabled(uow, "bought-a", False)
        autotag.record(uow, [buy], NOW)
    assert carried(container, "bought:A") == {}
    with container.uow() as uow:
        autotag.set_enabled(uow, "bought-a", True)
        autotag.backfill(uow, "bought-a", NOW)
        autotag.delete_rule(uow, "bought-a")
        assert autotag.list_rules(uow) == []
    assert set(carried(container, "bought:A")) == {a}


def test_a_rule_never_shortens_a_tag_nor_limits_a_manual_one(container) -> None:
    a, b = people(container, 2)
    with container.uow() as uow:
        tags.create_tag(uow, "interested:shoes", NOW)
        tags.tag_contacts(uow, "interested:shoes", [a], "ops", NOW)  # for good
        tags.tag_contacts(uow, "interested:shoes", [b], "ops", NOW, expires_at=NOW + 100 * DAY)
        autotag.save_rule(uow, "interest", VIEWS, "ops", NOW)
        done = autotag.record(uow, views(a, "shoes", DAY, DAY, DAY) + views(b, "shoes", DAY, DAY, DAY), NOW)
    assert all(r["status"] == "stored" for r in done)
    assert carried(container, "interested:shoes") == {a: ("ops", None), b: ("ops", NOW + 100 * DAY)}


def test_a_bad_rule_is_refused_and_nothing_is_saved(container) -> None:
    with container.uow() as uow, pytest.raises(Invalid, match="rule keywords: give at least one keyword"):
        autotag.save_rule(uow, "empty", {**PRICE, "keywords": []}, "ops", NOW)
    with container.uow() as uow, pytest.raises(Invalid, match="rule name"):
        autotag.save_rule(uow, "no spaces please", PRICE, "ops", NOW)
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(TagRule)) == 0


def test_people_erased_at_their_request_are_not_tagged_by_back_fill(container) -> None:
    a, b = people(container, 2)
    with container.uow() as uow:
        record_events(
            uow,
            [EventIn("purchase", NOW, contact_id=c, properties={"product": "A", "amount": 10}) for c in (a, b)],
            NOW,
        )
        record_events(
            uow, [EventIn("message.replied", NOW, contact_id=c, properties={"text": "价格?"}) for c in (a, b)], NOW
        )
        contacts.erase(uow, b, NOW, "k" * 32)
        autotag.save_rule(uow, "bought-a", BOUGHT_A, "ops", NOW)
        autotag.save_rule(uow, "price", PRICE, "ops", NOW)
        assert autotag.dry_run(uow, PRICE, NOW)["would_tag"] == 1
        autotag.backfill(uow, "bought-a", NOW)
        autotag.backfill(uow, "price", NOW)
    assert set(carried(container, "bought:A")) == {a} and set(carried(container, "asked:price")) == {a}
