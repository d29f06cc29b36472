"""An import's tags, on SQLite and PostgreSQL: a `tags` column and the tags given for a whole file reach the
contacts the rows came to; new tags are created; bad names are a row's problem or refused up front."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from herald.access import Actor
from herald.contacts.importing import importer
from herald.contacts.models import Contact
from herald.errors import Forbidden, Invalid
from herald.tags import service as tags
from herald.tags.models import ContactTag, Tag
from tests.conftest import NOW

CSV = """name,phone,标签
Sita,+9779841234567,"vip, 北京"
Ram,+9779851234567,vip|bad!name
Ram again,+9779851234567,lapsed
Nobody,12,vip
"""


def imported(container, tmp_path, dry_run=False, actor=None, text=CSV, **kw):
    path = tmp_path / "c.csv"
    path.write_text(text, encoding="utf-8")
    with container.uow(dry_run=dry_run, actor=actor, action="test import" if actor else None) as uow:
        report = importer.import_file(uow, path, NOW, erasure_key=container.settings.secret_key, **kw)
        container.tag_imported(uow, report, NOW)
    return report


def tagged(container) -> dict[str, set[str]]:
    """Tag name -> the names of the contacts carrying it."""
    with container.uow() as uow:
        rows = uow.session.execute(
            select(Tag.name, Contact.name).join(ContactTag, ContactTag.tag_id == Tag.id).join(Contact)
        ).all()
    found: dict[str, set[str]] = {}
    for tag, name in rows:
        found.setdefault(tag, set()).add(name)
    return found


def test_a_tags_column_tags_each_rows_contact_and_creates_the_tags_not_yet_known(container, tmp_path) -> None:
    with container.uow() as uow:
        tags.create_tag(uow, "vip", NOW)
    report = imported(container, tmp_path)
    assert tagged(container) == {"vip": {"Sita", "Ram"}, "北京": {"Sita"}, "lapsed": {"Ram"}}
    assert report.as_dict()["tags"] == {
        "lapsed": {"contacts": 1, "tagged": 1, "extended": 0, "created": True},
        "vip": {"contacts": 2, "tagged": 2, "extended": 0, "created": False},
        "北京": {"contacts": 1, "tagged": 1, "extended": 0, "created": True},
    }
    bad = [p for p in report.problems if p["field"] == "tags"]
    assert [(p["row"], p["value"]) for p in bad] == [(3, "bad!name")] and "left out" in bad[0]["reason"]
    with container.uow() as uow:
        assert set(uow.session.scalars(select(ContactTag.applied_by))) == {"import c.csv"}


def test_the_tags_given_for_the_file_reach_every_rows_contact(container, tmp_path) -> None:
    report = imported(container, tmp_path, tags=["spring-fair", "lead"])
    assert tagged(container)["spring-fair"] == tagged(container)["lead"] == {"Sita", "Ram"}
    assert report.preview[0]["tags"] == ["spring-fair", "lead", "vip", "北京"]


def test_a_bad_tag_for_the_file_is_refused_before_anything_is_written(container, tmp_path) -> None:
    with pytest.raises(Invalid, match="'bad!' is not a valid tag name") as refused:
        imported(container, tmp_path, tags=["ok", "bad!"])
    assert refused.value.where == "--tag"
    with container.uow() as uow:
        assert uow.session.scalar(select(Contact.id)) is None


def test_a_dry_run_says_what_it_would_tag_and_writes_nothing(container, tmp_path) -> None:
    report = imported(container, tmp_path, dry_run=True)
    assert report.as_dict()["tags"]["vip"] == {"contacts": 2, "tagged": 2, "extended": 0, "created": True}
    assert tagged(container) == {}
    with container.uow() as uow:
        assert uow.session.scalar(select(Tag.id)) is None


def test_a_row_that_conflicts_tags_nobody_and_a_held_tag_becomes_permanent(container, tmp_path) -> None:
    from datetime import timedelta

    imported(container, tmp_path, text="name,phone,external_id\nSita,+9779841234567,A1\n")
    with container.uow() as uow:
        sita = uow.session.scalar(select(Contact.id))
        tags.create_tag(uow, "vip", NOW)
        tags.tag_contacts(uow, "vip", [sita], "rule:x@1", NOW, NOW + timedelta(days=3))
    text = "name,phone,external_id,tags\nSita,+9779841234567,A1,vip\nOther,+9779841234567,B2,lapsed\n"
    report = imported(container, tmp_path, text=text)
    assert report.counts["conflict"] == 1 and "lapsed" not in report.tags
    assert report.tagged["vip"] == {"contacts": 1, "tagged": 0, "extended": 1, "created": False}
    with container.uow() as uow:
        assert uow.session.scalar(select(ContactTag.expires_at)) is None


def test_a_category_whose_editors_exclude_the_importer_refuses_the_whole_import(container, tmp_path) -> None:
    with container.uow() as uow:
        tags.create_category(uow, "tiers", NOW, editors=["approver"])
        tags.create_tag(uow, "vip", NOW, category="tiers")
    marketer = Actor("user", "mei", frozenset(), "10.0.0.1", role="marketer")
    with pytest.raises(Forbidden, match="may not change tags of category 'tiers'"):
        imported(container, tmp_path, actor=marketer)
    with container.uow() as uow:
        assert uow.session.scalar(select(Contact.id)) is None  # one unit of work: nothing half-written
