"""Saved segments on SQLite and PostgreSQL: dynamic ones follow the data, static snapshots do not, and
expressions name them."""

from __future__ import annotations

import pytest

from herald.contacts.importing import importer
from herald.errors import Conflict, Invalid, NotFound
from herald.segments import queries
from herald.segments import service as segments
from herald.tags import service as tags
from tests.conftest import NOW
from tests.scenario import contact_id, setup

RAM = "+9779851234567"


def test_dynamic_and_static_segments(container, tmp_path, write_csv) -> None:
    setup(container, tmp_path)  # three contacts in Nepal
    ram = contact_id(container, RAM)
    with container.uow() as uow:
        live = segments.save_segment(uow, "nepal", "region:NP", NOW)
        frozen = segments.save_segment(uow, "nepal-then", "segment:nepal", NOW, kind="static")
        assert (live.size_at_save, frozen.size_at_save) == (3, 3)
        segments.save_segment(uow, "nepal-vip", "segment:nepal and tag:vip", NOW)
        tags.tag_contacts(uow, "vip", [ram], "ana", NOW)
    with container.uow() as uow:  # a fourth Nepali number arrives
        importer.import_file(
            uow, write_csv("phone\n+9779801234567\n", "new.csv"), NOW, erasure_key=container.settings.secret_key
        )
    with container.uow() as uow:
        assert queries.count(uow.session, "segment:nepal", NOW) == 4  # dynamic: follows the data
        assert queries.count(uow.session, "segment:nepal-vip", NOW) == 1
        shown = segments.describe(uow, "nepal-then", NOW, sample=2)
        assert shown["count"] == 3 and len(shown["sample"]) == 2 and shown["kind"] == "static"
        assert [s["name"] for s in segments.list_segments(uow)] == ["nepal", "nepal-then", "nepal-vip"]


def test_bad_saved_segments_are_refused(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        segments.save_segment(uow, "a", "region:NP", NOW)
        with pytest.raises(Conflict):
            segments.save_segment(uow, "a", "all", NOW)
        with pytest.raises(Invalid, match="unknown saved segment"):
            segments.save_segment(uow, "b", "segment:nope", NOW)
        with pytest.raises(Invalid, match="dynamic or static"):
            segments.save_segment(uow, "c", "all", NOW, kind="frozen")
        with pytest.raises(Invalid, match="segment name"):
            segments.save_segment(uow, "no spaces", "all", NOW)
        segments.save_segment(uow, "d", "segment:a", NOW)
        segments.get_segment(uow, "a").expression = "segment:d"  # a loop made behind its back
        with pytest.raises(Invalid, match="refers to itself"):
            queries.count(uow.session, "segment:d", NOW)
        segments.delete_segment(uow, "d")
        with pytest.raises(NotFound):
            segments.get_segment(uow, "d")
