"""Contacts out, on SQLite and PostgreSQL: spreadsheet exports no cell of which runs as a formula and which
import back unchanged; everything held about one person; and erasure for good."""

from __future__ import annotations

import csv
import json
from datetime import timedelta

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import delete, select

from herald import people
from herald.campaigns import service as campaigns
from herald.config import Settings
from herald.contacts import export, service
from herald.contacts.importing import importer
from herald.contacts.importing.workbook import scan
from herald.contacts.models import Consent, ConsentEvent, Contact, Suppression
from herald.errors import Conflict
from herald.outbox.models import Message
from herald.tags import service as tags
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, plan, setup

SITA = "+9779841234567"
TRICKY = (
    "name,phone,email,city,consent_sms\n\"=cmd|' /C calc'!A0\",+9779841234567,sita@example.com,@SUM(1),yes\n"
    "-2 dogs,+264811234567,,+1 tip,no\n王伟,+8613800138000,,北京,\n"
)


def load(container, write_csv, text: str = TRICKY):
    with container.uow() as uow:
        return importer.import_file(
            uow, write_csv(text), NOW, unknown="attribute", erasure_key=container.settings.secret_key
        )


def test_a_csv_export_neutralizes_formulas_and_imports_back_unchanged(container, write_csv, tmp_path) -> None:
    load(container, write_csv)
    out = tmp_path / "out.csv"
    with container.uow() as uow:
        assert export.write_csv(uow, out) == 3
    rows = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    sita = rows[0]
    assert sita["name"] == "'=cmd|' /C calc'!A0" and sita["attr.city"] == "'@SUM(1)"
    assert sita["phone"] == SITA and sita["consent_sms"] == "yes"  # strict E.164 round-trips untouched
    assert rows[1]["name"] == "'-2 dogs" and rows[1]["attr.city"] == "'+1 tip" and rows[1]["consent_sms"] == "no"
    assert rows[2]["name"] == "王伟" and rows[2]["attr.city"] == "北京"
    with container.uow() as uow:
        again = importer.import_file(uow, out, NOW, erasure_key=container.settings.secret_key)
    assert again.counts["unchanged"] == 3 and again.rows == 3
    with container.uow() as uow:
        overwrite = importer.import_file(uow, out, NOW, merge="overwrite", erasure_key=container.settings.secret_key)
    assert overwrite.counts["unchanged"] == 3  # the neutralizing quote is read off, not taken as a change


def test_an_export_imported_into_an_empty_database_gives_back_the_same_values(container, write_csv, tmp_path) -> None:
    load(container, write_csv)
    out = tmp_path / "out.csv"
    with container.uow() as uow:
        export.write_csv(uow, out)
        before = {c.phone: (c.name, c.attributes) for c in uow.session.scalars(select(Contact))}
        uow.session.execute(delete(Contact))
    with container.uow() as uow:
        report = importer.import_file(uow, out, NOW, erasure_key=container.settings.secret_key)
        after = {c.phone: (c.name, c.attributes) for c in uow.session.scalars(select(Contact))}
    assert report.counts["imported"] == 3 and after == before
    assert after[SITA] == ("=cmd|' /C calc'!A0", {"city": "@SUM(1)"})


def test_an_xlsx_export_holds_strings_only(container, write_csv, tmp_path) -> None:
    load(container, write_csv)
    out = tmp_path / "out.xlsx"
    with container.uow() as uow:
        assert export.write_xlsx(uow, out) == 3
    sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    assert all(isinstance(cell, str) for row in sheet for cell in row)
    assert sheet[1][sheet[0].index("phone")] == SITA
    assert scan(out, None).formulas == set()


def test_an_export_can_be_one_segment_and_skips_erased_people(container, write_csv, tmp_path) -> None:
    load(container, write_csv)
    with container.uow() as uow:
        nepal = select(Contact.id).where(Contact.region == "NP")
        people.erase_person(uow, 2, NOW, container.settings.secret_key)
        assert [r[0] for batch in export.rows(uow, export.header(uow), nepal) for r in batch] == ["1"]
        assert export.write_csv(uow, tmp_path / "all.csv") == 2


def test_attribute_columns_come_in_natural_order(container, write_csv) -> None:
    path = write_csv("phone,col10,Col2,col1,size_3b,size_3a,٣x\n+9779841234567,a,b,c,d,e,f\n")
    with container.uow() as uow:
        importer.import_file(uow, path, NOW, unknown="attribute", erasure_key="k")
    with container.uow() as uow:
        attributes = [c for c in export.header(uow) if c.startswith("attr.")]
    assert attributes == ["attr.٣x", "attr.col1", "attr.col2", "attr.col10", "attr.size_3a", "attr.size_3b"]


def test_everything_held_about_a_person_is_exported(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    sita = contact_id(container, SITA)
    with container.uow() as uow:
        service.set_consent(
            uow,
            sita,
            Channel.WHATSAPP,
            Purpose.MARKETING,
            ConsentStatus.GRANTED,
            "form",
            "signup form v2, IP 203.0.113.9",
            NOW,
        )
        tags.tag_contacts(uow, "vip", [sita], "ana", NOW)
        found = people.export_person(uow, sita)
    assert found["contact"]["phone"] == SITA and found["contact"]["name"] == "Sita Sharma"
    assert {c["channel"] for c in found["consents"]} == {"sms", "whatsapp"}
    assert any(e["evidence"] == "signup form v2, IP 203.0.113.9" for e in found["consent_history"])
    assert found["tags"][0]["tag"] == "vip" and found["tags"][0]["applied_by"] == "ana"
    assert found["messages"][0]["address"] == SITA and found["messages"][0]["decision"]
    json.dumps(found, default=str)  # it serializes


def test_erasure_leaves_nothing_personal_and_keeps_them_out(container, tmp_path, write_csv) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    sita = contact_id(container, SITA)
    key = container.settings.secret_key
    with container.uow() as uow:
        service.suppress(uow, Channel.SMS, SITA, "opt-out", NOW)
        tags.tag_contacts(uow, "vip", [sita], "ana", NOW)
        result = people.erase_person(uow, sita, NOW + timedelta(hours=1), key)
    assert result["tags_removed"] == 1 and result["messages_scrubbed"] == 1
    with container.uow() as uow:
        person = uow.session.get(Contact, sita)
        assert (person.name, person.phone, person.email, person.attributes) == (None, None, None, {})
        assert person.erased_at is not None
        for model in (Consent, ConsentEvent):
            assert not uow.session.scalars(select(model).where(model.contact_id == sita)).all()
        entries = uow.session.scalars(select(Suppression)).all()
        assert SITA not in {s.address for s in entries}  # the plain opt-out entry names her: gone
        assert {(s.channel, s.reason) for s in entries} == {
            ("sms", "erased"),
            ("whatsapp", "erased"),
            ("email", "erased"),
        }
        message = uow.session.scalar(select(Message).where(Message.contact_id == sita))
        assert (message.address, message.status, message.reason) == (None, "cancelled", "erased")
        dump = json.dumps(people.export_person(uow, sita), default=str)
        assert SITA not in dump and "Sita" not in dump and "sita@example.com" not in dump
        with pytest.raises(Conflict, match="was erased"):
            people.erase_person(uow, sita, NOW, key)
    with container.uow() as uow:  # the same person in a later file is refused, by phone or by email
        report = importer.import_file(
            uow, write_csv(f"phone,email\n{SITA},\n,sita@example.com\n+9779800000001,\n"), NOW, erasure_key=key
        )
    assert report.counts == {"imported": 1, "updated": 0, "unchanged": 0, "duplicate": 0, "conflict": 0, "invalid": 2}
    assert "erased at their request" in report.problems[0]["reason"]
    with container.uow() as uow:  # and no audience holds the nameless row
        new = campaigns.create_campaign(uow, "Again", "all", "sale", NOW).id
    assert plan(container, new).audience == 6  # the six others, the newcomer included
    with container.uow() as uow:
        assert uow.session.scalar(select(Message).where(Message.campaign_id == new, Message.contact_id == sita)) is None


def test_people_erased_under_an_earlier_secret_stay_out_after_the_key_changes(container, write_csv) -> None:
    load(container, write_csv)
    with container.uow() as uow:
        people.erase_person(uow, contact_id(container, SITA), NOW, "the-old-secret")
    rotated = Settings(secret_key="the-new-secret", previous_secret_keys="the-old-secret, ")
    forgot = Settings(secret_key="the-new-secret")
    assert rotated.erasure_keys == ("the-new-secret", "the-old-secret")
    row = f"phone\n{SITA}\n"
    with container.uow() as uow:
        report = importer.import_file(uow, write_csv(row), NOW, erasure_key=rotated.erasure_keys)
    assert report.counts["invalid"] == 1 and "erased at their request" in report.problems[0]["reason"]
    with container.uow() as uow:  # without the earlier key the digest is not recognized: list it when changing
        report = importer.import_file(uow, write_csv(row), NOW, erasure_key=forgot.erasure_keys)
    assert report.counts["imported"] == 1
