"""Tags: names, tagging by id list and by audience select, counts."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from herald.contacts.models import Contact
from herald.errors import Conflict, Invalid, NotFound
from herald.segments.queries import audience_select
from herald.tags import service as tags
from tests.conftest import NOW
from tests.scenario import setup


def ids(container) -> list[int]:
    with container.uow() as uow:
        return list(uow.session.scalars(select(Contact.id).order_by(Contact.id)))


@pytest.mark.parametrize("name", ["vip", "bought:A", "会员", "region.np", "x" * 64])
def test_good_names(container, name) -> None:
    with container.uow() as uow:
        assert tags.create_tag(uow, name, NOW).name == name


@pytest.mark.parametrize("name", ["", "with space", "-lead", "x" * 65, "a;b", "vip\n"])
def test_bad_names_are_refused(container, name) -> None:
    with container.uow() as uow, pytest.raises(Invalid, match="not a valid tag name"):
        tags.create_tag(uow, name, NOW)


def test_duplicate_tags_conflict(container) -> None:
    with container.uow() as uow:
        tags.create_tag(uow, "vip", NOW)
        with pytest.raises(Conflict):
            tags.create_tag(uow, "vip", NOW)


def test_tagging_by_ids_counts_only_new_taggings(container, tmp_path) -> None:
    setup(container, tmp_path)
    first, second, *_ = ids(container)
    with container.uow() as uow:
        assert tags.tag_contacts(uow, "vip", [first, second, first], "test", NOW) == 2
        assert tags.tag_contacts(uow, "vip", [second], "test", NOW) == 0
    with container.uow() as uow:
        assert dict(tags.tag_counts(uow)) == {"vip": 2}
        assert tags.untag_contacts(uow, "vip", [first]) == 1
        assert dict(tags.tag_counts(uow)) == {"vip": 1}


def test_unknown_contacts_and_tags_are_named(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.uow() as uow, pytest.raises(NotFound, match="no contact with id 999"):
        tags.tag_contacts(uow, "vip", [999], "test", NOW)
    with container.uow() as uow, pytest.raises(NotFound, match="tag 'ghost'"):
        tags.tag_contacts(uow, "ghost", ids(container)[:1], "test", NOW)


def test_tagging_everyone_in_a_segment(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        added = tags.tag_matching(uow, "vip", audience_select(uow.session, "region:NP"), "segment", NOW)
        assert added == 3
        assert tags.tag_matching(uow, "vip", audience_select(uow.session, "region:NP or region:NA"), "x", NOW) == 1
    with container.uow() as uow:
        assert len(list(uow.session.scalars(audience_select(uow.session, "tag:vip")))) == 4


def test_a_contacts_tags_are_those_it_carries_now_each_with_its_end(container, tmp_path) -> None:
    from datetime import timedelta

    setup(container, tmp_path)
    first = ids(container)[0]
    with container.uow() as uow:
        for name, until in (("vip", None), ("trial", NOW + timedelta(days=3)), ("gone", NOW - timedelta(hours=1))):
            tags.ensure_tag(uow, name, NOW - timedelta(days=1))
            tags.tag_contacts(uow, name, [first], "ana", NOW - timedelta(days=1), until)
        carried = tags.tags_of(uow, first, NOW)
        held = tags.tags_of(uow, first)
    assert [(t["tag"], t["expires_at"] is not None) for t in carried] == [("trial", True), ("vip", False)]
    assert [t["tag"] for t in held] == ["gone", "trial", "vip"]  # an access request lists all it holds
