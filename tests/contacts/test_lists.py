"""Suppression lists in bulk, on SQLite and PostgreSQL: every row added, already there, or refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from herald.contacts import service
from herald.contacts.importing import lists
from herald.contacts.models import Suppression
from herald.errors import Invalid
from herald.types import Channel
from tests.conftest import NOW
from tests.contacts import corpus


def run(container, path, entry=lists.Entry("all", "dnd"), **kw) -> lists.ListReport:
    with container.uow() as uow:
        return lists.import_list(uow, path, entry, NOW, **kw)


def entries(container) -> dict[tuple[str, str], Suppression]:
    with container.uow() as uow:
        return {(s.channel, s.address): s for s in uow.session.scalars(select(Suppression))}


def test_a_headerless_register_suppresses_phones_on_sms_and_whatsapp(container, write_csv) -> None:
    path = write_csv("9841234567\n+264 81 123 4567\n12345\n\n9841234567\nsita@example.com\n", "dnd.txt")
    report = run(container, path, default_region="NP")
    assert (report.rows, report.added, report.already, report.invalid) == (5, 3, 1, 1)
    assert report.problems == [{"row": 3, "field": "address", "value": "12345", "reason": "too short"}]
    found = entries(container)
    assert set(found) == {
        ("sms", "+9779841234567"),
        ("whatsapp", "+9779841234567"),
        ("sms", "+264811234567"),
        ("whatsapp", "+264811234567"),
        ("email", "sita@example.com"),
    }
    assert {s.reason for s in found.values()} == {"dnd"}
    again = run(container, path, default_region="NP")
    assert (again.added, again.already, again.invalid) == (0, 4, 1)  # nothing changes on a second run


def test_a_list_never_changes_an_existing_entry(container, write_csv) -> None:
    with container.uow() as uow:
        service.suppress(uow, Channel.SMS, "+9779841234567", "opt-out", NOW)
    until = NOW + timedelta(days=90)
    report = run(
        container,
        write_csv("手机号,备注\n+9779841234567,x\n+9779851234567,y\n"),
        lists.Entry("sms", "bounce", "from the old tool", until),
    )
    assert (report.added, report.already) == (1, 1)
    found = entries(container)
    assert found[("sms", "+9779841234567")].reason == "opt-out"
    new = found[("sms", "+9779851234567")]
    assert (new.reason, new.detail, new.expires_at) == ("bounce", "from the old tool", until)


def test_an_address_for_another_channel_is_refused(container, write_csv) -> None:
    report = run(
        container,
        write_csv("email\nsita@example.com\n+9779841234567\nnot-an-address@\n"),
        lists.Entry("email", "complaint"),
    )
    assert (report.added, report.invalid) == (1, 2)
    assert report.problems[0]["reason"] == "not an address for email"
    assert "not a valid email address" in report.problems[1]["reason"]


def test_a_workbook_list_reads_number_cells_and_refuses_formulas(container, tmp_path) -> None:
    report = run(container, corpus.workbook(tmp_path), default_region="NP", sheet="Contacts")
    assert (report.rows, report.added, report.invalid) == (4, 3, 1)
    assert "formula" in report.problems[0]["reason"]
    assert ("sms", "+8613800138000") in entries(container)  # a number cell lost its "+"


@pytest.mark.parametrize(
    ("entry", "where"), [(lists.Entry("fax", "dnd"), "--channel"), (lists.Entry("sms", "because"), "--reason")]
)
def test_bad_settings_are_named(container, write_csv, entry, where) -> None:
    with pytest.raises(Invalid, match=where):
        run(container, write_csv("+9779841234567\n"), entry)
