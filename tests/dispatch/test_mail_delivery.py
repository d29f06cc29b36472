"""A marketing e-mail campaign through an `smtp` account to a stand-in mail server: the letter carries
its reference, its bounce address and one-click unsubscribe; a mailbox that does not exist is marked
invalid."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from herald import bootstrap
from herald.campaigns import service as campaigns
from herald.config import Settings
from herald.contacts import service as people
from herald.contacts.models import Suppression
from herald.errors import Invalid
from herald.outbox.models import Message
from herald.providers import unsubscribe_key, unsubscribed_message
from herald.sandbox.mail import PASSWORD, USER, FakeMailServer, running
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, plan, publish, setup

SITA = "+9779841234567"
SALE = {
    "subject": "Winter sale, {{ first_name }}",
    "html": "<p>20% off.</p><p><a href='https://shop.example/u'>Unsubscribe</a> 1 Main St, Kathmandu</p>",
    "preheader": "Two days only",
}


def built(db_url, tmp_path, clock, mail: FakeMailServer) -> bootstrap.Container:
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        public_url="https://herald.shop.example/",
        provider_accounts={
            "mail": {
                "kind": "smtp",
                "host": mail.host,
                "port": mail.port,
                "security": "none",
                "username": USER,
                "password": "env:MAIL_PASSWORD",
                "from": "Shop <news@shop.example>",
                "bounce_address": "bounces@mail.shop.example",
            }
        },
        routing={"email": ["mail"]},
    )
    return bootstrap.build(settings, clock=clock, environ={"MAIL_PASSWORD": PASSWORD})


def email_campaign(container, tmp_path) -> int:
    setup(container, tmp_path)
    with container.uow() as uow:
        sita = contact_id(container, SITA)
        people.set_consent(uow, sita, Channel.EMAIL, Purpose.MARKETING, ConsentStatus.GRANTED, "form", "signup", NOW)
        publish(uow, "winter", Channel.EMAIL, SALE)
        return campaigns.create_campaign(uow, "Winter", "has:email", "winter", NOW).id


def test_a_marketing_letter_goes_out_with_its_reference_bounce_address_and_one_click_unsubscribe(
    db_url, tmp_path, clock
) -> None:
    with running(FakeMailServer()) as mail:
        container = built(db_url, tmp_path, clock, mail)
        plan(container, email_campaign(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert stats.sent == 1 and len(mail.received) == 1
    with container.uow() as uow:
        message_id, reference = uow.session.execute(select(Message.id, Message.provider_message_id)).one()
    letter = mail.received[reference]
    assert letter["to"] == "sita@example.com" and letter["envelope_from"] == f"bounces+m{message_id}@mail.shop.example"
    assert letter["headers"]["Subject"] == "Winter sale, Sita"
    assert "Two days only</div>" in letter["html"] and "20% off." in letter["text"]
    link = letter["headers"]["List-Unsubscribe"]
    assert link.startswith("<https://herald.shop.example/unsubscribe/") and letter["headers"]["List-Unsubscribe-Post"]
    token = link.removeprefix("<https://herald.shop.example/unsubscribe/").removesuffix(">")
    assert unsubscribed_message(token, [unsubscribe_key(container.settings.secret_key)]) == message_id


def test_a_mailbox_the_server_says_does_not_exist_fails_and_is_suppressed_as_invalid(db_url, tmp_path, clock) -> None:
    with running(FakeMailServer(faults={"sita@example.com": "refuse"})) as mail:
        container = built(db_url, tmp_path, clock, mail)
        plan(container, email_campaign(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert (stats.sent, stats.failed) == (0, 1) and not mail.received
    with container.uow() as uow:
        status, code, error = uow.session.execute(select(Message.status, Message.error_code, Message.error)).one()
        listed = uow.session.execute(select(Suppression.address, Suppression.reason)).all()
    assert (status, code) == ("failed", "5.1.1") and "550 5.1.1" in error
    assert [tuple(r) for r in listed] == [("sita@example.com", "invalid")]


MAIL = {"kind": "smtp", "host": "127.0.0.1", "from": "news@shop.example"}
SIGNING = {"dkim_domain": "shop.example", "dkim_selector": "s1"}


@pytest.mark.parametrize(
    ("settings", "where", "words"),
    [
        ({"public_url": "herald.shop.example"}, "setting public_url", "expected an http(s) address"),
        ({"public_url": "https://herald.shop.example/?x=1"}, "setting public_url", "got 'https://"),
        (
            {"provider_accounts": {"mail": {**MAIL, **SIGNING, "dkim_key": "/no/such/key.pem"}}},
            "[providers.mail] dkim_key",
            "or the path of a PEM file",
        ),
        (
            {"provider_accounts": {"mail": {**MAIL, **SIGNING, "dkim_key": "-----BEGIN PRIVATE KEY-----\nx\n"}}},
            "[providers.mail] dkim_key",
            "not a PEM private key",
        ),
    ],
)
def test_a_wrong_public_address_or_dkim_key_is_refused_at_start(db_url, settings, where, words) -> None:
    accounts = {"provider_accounts": {"mail": MAIL}, "routing": {"email": ["mail"]}}
    with pytest.raises(Invalid) as err:
        bootstrap.build(Settings(env="test", database_url=db_url, **{**accounts, **settings}), environ={})
    assert err.value.where == where and words in err.value.reason
    assert "BEGIN" not in err.value.reason  # the key is never repeated


def test_a_dkim_key_may_be_a_file_and_a_public_address_loses_its_last_slash(db_url, tmp_path) -> None:
    from tests.providers.conftest import openssl

    key = tmp_path / "dkim.pem"
    openssl("genrsa", "-out", str(key), "1024")
    table = {**MAIL, **SIGNING, "dkim_key": str(key)}
    settings = Settings(
        env="test",
        database_url=db_url,
        public_url="https://herald.shop.example/",
        provider_accounts={"mail": table},
        routing={"email": ["mail"]},
    )
    mail = bootstrap.build(settings, environ={}).providers["mail"]
    assert mail.head.dkim.selector == "s1" and mail.head.unsubscribe.public_url == "https://herald.shop.example"
