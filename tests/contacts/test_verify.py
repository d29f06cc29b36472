"""Verifying the contacts' numbers, on SQLite and PostgreSQL, against the Twilio Lookup stand-in."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from herald.contacts import verify
from herald.contacts.models import Contact, Suppression
from herald.errors import Invalid
from tests.fakes.twilio_lookup import SID, TOKEN, FakeLookup, running
from tests.scenario import contact_id, setup

SITA, JOHANNES, WEI, RAM = "+9779841234567", "+264811234567", "+8613800138000", "+9779851234567"


def configure(container, url: str) -> None:
    container.settings = replace(
        container.settings,
        lookup_provider="twilio",
        twilio_account_sid=SID,
        twilio_auth_token=TOKEN,
        twilio_lookup_url=url,
    )


def test_live_numbers_get_their_carrier_and_dead_ones_are_suppressed(container, tmp_path) -> None:
    setup(container, tmp_path)
    fake = FakeLookup(
        numbers={
            SITA: {"type": "mobile", "carrier_name": "Ncell"},
            WEI: {"type": "fixedVoip", "carrier_name": "China Telecom"},
        },
        busy={RAM},
    )
    wanted = [(contact_id(container, p), p) for p in (SITA, JOHANNES, WEI, RAM)]
    with running(fake):
        configure(container, fake.url)
        result = verify.verify(container.uow, container.lookup(), container.clock, wanted)
    assert {k: result[k] for k in ("checked", "verified", "invalid", "retry_later", "refused")} == {
        "checked": 4,
        "verified": 2,
        "invalid": 1,
        "retry_later": 1,
        "refused": 0,
    }
    assert result["line_types"] == {"mobile": 1, "voip": 1}
    assert result["problems"] == [
        {"contact": contact_id(container, RAM), "phone": RAM, "reason": "Twilio 429 20429: Too Many Requests"}
    ]
    with container.uow() as uow:
        wei = uow.session.scalar(select(Contact).where(Contact.phone == WEI))
        assert (wei.line_type, wei.carrier) == ("voip", "China Telecom")
        dead = uow.session.scalars(select(Suppression).where(Suppression.address == JOHANNES)).all()
        assert {(s.channel, s.reason) for s in dead} == {("sms", "invalid"), ("whatsapp", "invalid")}
        assert dead[0].detail == "twilio lookup: NOT_A_NUMBER"


def test_lookup_is_off_until_configured(container) -> None:
    with pytest.raises(Invalid, match="number lookup is off"):
        container.lookup()
    container.settings = replace(container.settings, lookup_provider="twilio")
    with pytest.raises(Invalid, match="twilio_account_sid"):
        container.lookup()
