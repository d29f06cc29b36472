"""Merging two contacts that are one person, on SQLite and PostgreSQL: nothing of either is lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from herald import people
from herald.campaigns.models import CampaignMember
from herald.contacts import service
from herald.contacts.models import Consent, ConsentEvent, Contact, ContactMerge
from herald.errors import Conflict, Invalid, NotFound
from herald.outbox.models import Message
from herald.tags import service as tags
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, plan, setup

SITA, RAM = "+9779841234567", "+9779851234567"


def test_a_merge_moves_everything_and_keeps_what_the_other_held(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    sita, ram = contact_id(container, SITA), contact_id(container, RAM)
    later = NOW + timedelta(days=1)
    with container.uow() as uow:
        other = uow.session.get(Contact, ram)
        other.email, other.attributes = "ram@example.com", {"city": "Pokhara", "tier": "gold"}
        uow.session.get(Contact, sita).attributes = {"city": "Kathmandu"}
        service.set_consent(uow, ram, Channel.WHATSAPP, Purpose.MARKETING, ConsentStatus.GRANTED, "form", "v2", NOW)
        service.set_consent(uow, ram, Channel.SMS, Purpose.MARKETING, ConsentStatus.REVOKED, "keyword", "STOP", later)
        tags.tag_contacts(uow, "vip", [sita, ram], "ana", NOW)
        uow.session.add(CampaignMember(campaign_id=cid, contact_id=ram))
    with container.uow() as uow:
        result = people.merge_people(uow, sita, ram, later, "ana")
    assert result["moved"] == {"tags": 0, "messages": 1, "lists": 1}  # vip: Sita had it already
    with container.uow() as uow:
        assert uow.session.get(Contact, ram) is None
        kept = uow.session.get(Contact, sita)
        assert kept.phone == SITA and kept.email == "sita@example.com"  # the kept contact's fields win
        assert kept.attributes == {"city": "Kathmandu", "tier": "gold"}
        now = {(c.channel, c.status) for c in uow.session.scalars(select(Consent).where(Consent.contact_id == sita))}
        assert now == {("sms", "revoked"), ("whatsapp", "granted")}  # the latest consent stands
        history = uow.session.scalars(select(ConsentEvent.evidence).where(ConsentEvent.contact_id == sita)).all()
        assert {"v2", "STOP"} <= set(history)
        messages = uow.session.scalars(select(Message).where(Message.campaign_id == cid)).all()
        assert len(messages) == 6 and ram not in {m.contact_id for m in messages}
        assert sum(m.contact_id == sita for m in messages) == 2  # Ram's message is Sita's now
        record = uow.session.scalar(select(ContactMerge))
        assert (record.contact_id, record.merged_id, record.merged_by) == (sita, ram, "ana")
        assert record.snapshot["phone"] == RAM and record.snapshot["email"] == "ram@example.com"
        assert people.export_person(uow, sita)["merged"][0]["held"]["phone"] == RAM


def test_the_merged_contact_gives_its_empty_fields_to_the_kept_one(container, tmp_path) -> None:
    setup(container, tmp_path)
    sita, ram = contact_id(container, SITA), contact_id(container, RAM)
    with container.uow() as uow:
        uow.session.get(Contact, sita).email = None
        uow.session.get(Contact, ram).email = "ram@example.com"
    with container.uow() as uow:
        people.merge_people(uow, sita, ram, NOW, "ana")
    with container.uow() as uow:
        assert uow.session.get(Contact, sita).email == "ram@example.com"  # its unique key freed first


def test_bad_merges_are_refused(container, tmp_path) -> None:
    setup(container, tmp_path)
    sita, ram = contact_id(container, SITA), contact_id(container, RAM)
    with container.uow() as uow:
        with pytest.raises(Invalid, match="into itself"):
            people.merge_people(uow, sita, sita, NOW, "ana")
        with pytest.raises(NotFound):
            people.merge_people(uow, sita, 999, NOW, "ana")
        people.erase_person(uow, ram, NOW, container.settings.secret_key)
        with pytest.raises(Conflict, match="was erased"):
            people.merge_people(uow, sita, ram, NOW, "ana")
