"""The tag taxonomy on SQLite and PostgreSQL: categories, colour and kind; rename, merge and delete;
search; tagging from a file of numbers; tags that expire."""

from __future__ import annotations

from datetime import timedelta

import pytest

from herald.access import Actor
from herald.errors import Conflict, Forbidden, Invalid, NotFound
from herald.segments import queries as segments
from herald.tags import service as tags
from herald.tags.queries import contact_ids_in, names_by_contact
from tests.conftest import NOW
from tests.scenario import contact_id, setup

SITA, RAM = "+9779841234567", "+9779851234567"


def test_categories_colours_and_kinds(container) -> None:
    with container.uow() as uow:
        made = tags.create_category(uow, "interests", NOW, "what they like", ["marketer", "Marketer", "admin"])
        assert made.editors == ["admin", "marketer"]
        with pytest.raises(Invalid, match="unknown role 'marketing'"):
            tags.create_category(uow, "other", NOW, editors=["marketing"])
        tag = tags.create_tag(uow, "interested:shoes", NOW, category="interests", colour="#1F77B4", kind="rule")
        assert (tag.colour, tag.kind, tag.category_id) == ("#1f77b4", "rule", made.id)
        for bad, where in (({"colour": "blue"}, "colour"), ({"kind": "magic"}, "kind")):
            with pytest.raises(Invalid, match=where):
                tags.create_tag(uow, "x", NOW, **bad)
        with pytest.raises(NotFound, match="herald tags category nope"):
            tags.create_tag(uow, "y", NOW, category="nope")
        with pytest.raises(Conflict):
            tags.create_category(uow, "interests", NOW)
        with pytest.raises(Invalid):
            tags.create_category(uow, "no spaces allowed", NOW)
        table = tags.tags_table(uow, NOW)
    assert table == [
        {
            "tag": "interested:shoes",
            "category": "interests",
            "colour": "#1f77b4",
            "kind": "rule",
            "description": None,
            "contacts": 0,
        }
    ]


def test_rename_merge_delete_and_search(container, tmp_path) -> None:
    setup(container, tmp_path)  # creates the tag vip
    sita, ram = contact_id(container, SITA), contact_id(container, RAM)
    with container.uow() as uow:
        tags.create_tag(uow, "VIP-old", NOW)
        tags.tag_contacts(uow, "vip", [sita], "ana", NOW)
        tags.tag_contacts(uow, "VIP-old", [sita, ram], "ana", NOW)
        assert tags.search_tags(uow, "vi") == ["vip", "VIP-old"]
        assert tags.search_tags(uow, "v_") == []  # _ is a character here, not a wildcard
        assert tags.merge_tags(uow, "VIP-old", "vip") == 1  # Ram; Sita had it
        with pytest.raises(NotFound):
            tags.get_tag(uow, "VIP-old")
        with pytest.raises(Invalid, match="itself"):
            tags.merge_tags(uow, "vip", "vip")
        tags.rename_tag(uow, "vip", "gold")
        with pytest.raises(Conflict):
            tags.rename_tag(uow, "gold", "gold")
        assert names_by_contact(uow.session, [sita, ram]) == {sita: ["gold"], ram: ["gold"]}
        assert tags.delete_tag(uow, "gold") == 2
        assert names_by_contact(uow.session, [sita, ram]) == {}


def test_tags_expire(container, tmp_path) -> None:
    setup(container, tmp_path)
    sita, ram = contact_id(container, SITA), contact_id(container, RAM)
    with container.uow() as uow:
        tags.tag_contacts(uow, "vip", [sita], "rule:shoes", NOW, NOW + timedelta(days=30))
        tags.tag_contacts(uow, "vip", [ram], "ana", NOW)
        assert segments.count(uow.session, "tag:vip", NOW + timedelta(days=29)) == 2
        assert segments.count(uow.session, "tag:vip", NOW + timedelta(days=31)) == 1
        assert dict(tags.tag_counts(uow, NOW + timedelta(days=31)))["vip"] == 1
        later = NOW + timedelta(days=40)  # applied again after it expired: it counts afresh
        assert tags.tag_contacts(uow, "vip", [sita], "ana", later) == 1
        assert segments.count(uow.session, "tag:vip", later) == 2


def test_a_file_of_numbers_names_contacts(container, tmp_path) -> None:
    setup(container, tmp_path)
    listing = tmp_path / "vips.csv"
    listing.write_text("手机号,备注\n984-1234567,a\n+9779851234567,b\n+9779800000000,c\n", encoding="utf-8")
    with container.uow() as uow:
        found, missing = contact_ids_in(uow, listing, "NP")
    assert found == sorted([contact_id(container, SITA), contact_id(container, RAM)])
    assert missing == ["+9779800000000"]


def actor(role: str | None, kind: str = "user") -> Actor:
    return Actor(kind, f"a-{role}", frozenset(), "10.0.0.1", role=role)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        (actor("marketer"), True),
        (actor("owner"), True),
        (actor("admin"), True),
        (actor(None, "system"), True),
        (actor("support"), False),
        (actor("analyst"), False),
        (actor(None, "key"), False),  # a key has no role: it touches only tags of categories without editors
    ],
)
def test_a_category_with_editors_lets_only_them_touch_its_tags(container, tmp_path, who: Actor, allowed: bool) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        tags.create_category(uow, "vip-tier", NOW, editors=["marketer"])
        tags.create_tag(uow, "tier:gold", NOW, category="vip-tier")
        tags.create_tag(uow, "free", NOW)
    changes = [
        lambda uow: tags.tag_contacts(uow, "tier:gold", [1], who.label, NOW),
        lambda uow: tags.untag_contacts(uow, "tier:gold", [1]),
        lambda uow: tags.rename_tag(uow, "tier:gold", "tier:platinum"),
        lambda uow: tags.create_tag(uow, "tier:silver", NOW, category="vip-tier"),
        lambda uow: tags.merge_tags(uow, "free", "tier:gold"),
        lambda uow: tags.delete_tag(uow, "tier:gold"),
    ]
    for change in changes:
        if allowed:
            with container.uow(dry_run=True, actor=who, action="test") as uow:
                change(uow)
        else:
            with (
                pytest.raises(Forbidden, match="its editors are: marketer"),
                container.uow(actor=who, action="t") as uow,
            ):
                change(uow)
    with container.uow(actor=who, action="test") as uow:  # a tag outside such a category: anyone with tags:write
        tags.tag_contacts(uow, "free", [1], who.label, NOW)
