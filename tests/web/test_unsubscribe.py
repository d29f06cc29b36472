"""The unsubscribe link of marketing mail: a page that asks first, and the one-click POST (RFC 8058) that
revokes e-mail marketing consent with its proof; forged links are refused."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from herald.campaigns import service as campaigns
from herald.contacts.models import Consent, ConsentEvent
from herald.outbox.models import Message
from herald.providers.adapters.unsubscribe import signing_key, token
from herald.types import Channel, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, plan, publish, setup
from tests.web.clients import api_client

SITA = "+9779841234567"


def sent_mail(container, tmp_path) -> Message:
    plan(container, setup(container, tmp_path))  # the SMS sale too
    with container.uow() as uow:
        publish(
            uow,
            "receipt",
            Channel.EMAIL,
            {"subject": "Hi", "html": "<p>Hi {{ first_name }}</p>"},
            purpose=Purpose.TRANSACTIONAL,
        )
        cid = campaigns.create_campaign(uow, "Mail", "has:email", "receipt", NOW, purpose=Purpose.TRANSACTIONAL).id
    plan(container, cid)
    asyncio.run(container.worker().run(until_idle=True))
    with container.uow() as uow:
        message = uow.session.scalars(select(Message).where(Message.channel == "email")).one()
        uow.session.expunge(message)
        return message


def email_marketing(container, contact: int) -> list[tuple[str, str | None]]:
    with container.uow() as uow:
        now = uow.session.scalars(
            select(Consent.status).where(Consent.contact_id == contact, Consent.channel == "email")
        )
        proof = uow.session.scalars(
            select(ConsentEvent.evidence).where(ConsentEvent.contact_id == contact, ConsentEvent.channel == "email")
        )
        return list(zip(now, proof, strict=False))


def test_one_click_revokes_email_marketing_consent_with_its_proof_and_a_visit_only_asks(container, tmp_path) -> None:
    message = sent_mail(container, tmp_path)
    link = "/unsubscribe/" + token(signing_key(container.settings.secret_key), message.id)
    client = api_client(container)
    asked = client.get(link)
    assert asked.status_code == 200 and '<form method="post">' in asked.text and "退订" in asked.text
    sita = contact_id(container, SITA)
    assert email_marketing(container, sita) == []  # a visit (or a link scanner) changes nothing
    done = client.post(
        link, content=b"List-Unsubscribe=One-Click", headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert done.status_code == 200 and "s***@example.com" in done.text and "sita@" not in done.text
    assert email_marketing(container, sita) == [("revoked", f"one-click unsubscribe (RFC 8058) (message {message.id})")]
    assert client.post(link).status_code == 200 and len(email_marketing(container, sita)) == 1  # twice: no more


def test_a_forged_or_foreign_link_is_refused(container, tmp_path) -> None:
    message = sent_mail(container, tmp_path)
    client = api_client(container)
    forged = token(b"another key", message.id)
    assert client.get(f"/unsubscribe/{forged}").status_code == 404
    assert client.post(f"/unsubscribe/{forged}").status_code == 404
    assert client.post("/unsubscribe/12.abc").status_code == 404
    with container.uow() as uow:
        sms = uow.session.scalars(select(Message.id).where(Message.channel == "sms")).first()
    assert sms is not None
    # A genuine token of a message that is no e-mail unsubscribes nobody.
    assert client.post("/unsubscribe/" + token(signing_key(container.settings.secret_key), sms)).status_code == 404


def test_the_page_lets_a_person_choose_marketing_channel_by_channel(container, tmp_path) -> None:
    message = sent_mail(container, tmp_path)
    link = "/unsubscribe/" + token(signing_key(container.settings.secret_key), message.id)
    client = api_client(container)
    asked = client.get(link).text
    # Sita can be reached by e-mail, SMS and WhatsApp; she consented to SMS marketing at import.
    assert 'value="sms" checked' in asked and 'value="email">' in asked and 'value="whatsapp">' in asked
    form = {"content-type": "application/x-www-form-urlencoded"}
    done = client.post(link, content=b"preferences=1&channel=email&channel=whatsapp", headers=form)
    assert done.status_code == 200 and "已保存" in done.text and 'value="whatsapp" checked' in done.text
    sita = contact_id(container, SITA)
    with container.uow() as uow:
        now = dict(
            uow.session.execute(
                select(Consent.channel, Consent.status).where(
                    Consent.contact_id == sita, Consent.purpose == "marketing"
                )
            ).all()
        )
        proof = set(uow.session.scalars(select(ConsentEvent.evidence).where(ConsentEvent.contact_id == sita)))
    assert now == {"email": "granted", "sms": "revoked", "whatsapp": "granted"}
    assert f"preference page (message {message.id})" in proof
    again = client.post(link, content=b"preferences=1&channel=email&channel=whatsapp", headers=form)
    assert "nothing changed" in again.text
