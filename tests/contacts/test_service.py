"""Consent with proof and suppression."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from herald.contacts import service as contacts
from herald.contacts.models import ConsentEvent, Suppression
from herald.errors import Invalid, NotFound
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, setup


def test_consent_history_is_append_only_and_records_only_changes(container, tmp_path) -> None:
    setup(container, tmp_path)
    cid = contact_id(container, "+9779851234567")
    grant = (Channel.WHATSAPP, Purpose.MARKETING, ConsentStatus.GRANTED)
    with container.uow() as uow:
        assert contacts.set_consent(uow, cid, *grant, "form", "signup form v2, IP 203.0.113.9", NOW)
        assert not contacts.set_consent(uow, cid, *grant, "form", "again", NOW + timedelta(minutes=1))
        assert contacts.set_consent(
            uow,
            cid,
            Channel.WHATSAPP,
            Purpose.MARKETING,
            ConsentStatus.REVOKED,
            "keyword",
            "replied STOP",
            NOW + timedelta(days=1),
        )
    with container.uow() as uow:
        events = uow.session.scalars(
            select(ConsentEvent)
            .where(ConsentEvent.contact_id == cid, ConsentEvent.channel == "whatsapp")
            .order_by(ConsentEvent.id)
        ).all()
        assert [(e.status, e.source, e.evidence) for e in events] == [
            ("granted", "form", "signup form v2, IP 203.0.113.9"),
            ("revoked", "keyword", "replied STOP"),
        ]


def test_consent_for_an_unknown_contact_is_not_found(container) -> None:
    with container.uow() as uow, pytest.raises(NotFound, match="contact 42"):
        contacts.set_consent(uow, 42, Channel.SMS, Purpose.MARKETING, ConsentStatus.GRANTED, "cli", None, NOW)


def test_suppression_is_idempotent_and_can_be_lifted(container) -> None:
    with container.uow() as uow:
        first = contacts.suppress(uow, Channel.SMS, "+9779841234567", "opt-out", NOW)
        again = contacts.suppress(uow, Channel.SMS, "+9779841234567", "manual", NOW)
        assert again.id == first.id and again.reason == "opt-out"
        contacts.suppress(uow, Channel.EMAIL, "+9779841234567", "manual", NOW)
    with container.uow() as uow:
        assert len(uow.session.scalars(select(Suppression)).all()) == 2
        assert contacts.unsuppress(uow, Channel.SMS, "+9779841234567")
        assert not contacts.unsuppress(uow, Channel.SMS, "+9779841234567")


def test_a_suppression_needs_an_address(container) -> None:
    with container.uow() as uow, pytest.raises(Invalid, match="address is required"):
        contacts.suppress(uow, Channel.SMS, "", "manual", NOW)
