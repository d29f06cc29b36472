"""An SMS campaign through an `smpp` account to a stand-in SMSC: the texts arrive whole, their receipts
come back on the bind, and a number the SMSC calls invalid is suppressed."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from herald import bootstrap
from herald.config import Settings
from herald.contacts.models import Suppression
from herald.outbox.models import Message
from herald.sandbox.smsc import PASSWORD, SYSTEM_ID, FakeSmsc, running
from tests.scenario import plan, setup

SITA, JOHANNES = "+9779841234567", "+264811234567"


def built(db_url, tmp_path, clock, smsc: FakeSmsc) -> bootstrap.Container:
    account = {"kind": "smpp", "host": smsc.host, "port": smsc.port, "system_id": SYSTEM_ID, "source": "Herald"}
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        provider_accounts={"carrier": {**account, "password": "env:SMPP_PASSWORD", "timeout": 2}},
        routing={"sms": ["carrier"]},
    )
    return bootstrap.build(settings, clock=clock, environ={"SMPP_PASSWORD": PASSWORD})


def test_a_campaign_goes_through_the_smsc_and_an_invalid_number_is_suppressed(db_url, tmp_path, clock) -> None:
    with running(FakeSmsc(faults={JOHANNES.lstrip("+"): "invalid"})) as smsc:
        container = built(db_url, tmp_path, clock, smsc)
        plan(container, setup(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert (stats.sent, stats.failed) == (1, 1)
    [got] = smsc.received
    assert got["to"] == SITA.lstrip("+") and got["text"].startswith("Hi Sita") and got["from"] == "Herald"
    with container.uow() as uow:
        rows = dict(uow.session.execute(select(Message.address, Message.error_code)).all())
        listed = uow.session.execute(select(Suppression.address, Suppression.reason)).all()
    assert rows[JOHANNES] == "0x0000000B" and (JOHANNES, "invalid") in [tuple(r) for r in listed]
    # The receipt came back on the bind and was recorded: the message is delivered.
    assert stats.receipts == 1 and container.providers["carrier"].reports == []
    with container.uow() as uow:
        delivered = uow.session.execute(
            select(Message.delivery, Message.provider_message_id).where(Message.address == SITA)
        )
        assert [tuple(r) for r in delivered] == [("delivered", got["id"])]


def test_a_long_texts_receipt_names_its_last_part_and_delivers_the_whole(db_url, tmp_path, clock) -> None:
    long = (
        "Hi {{ first_name }}, " + "the winter sale starts today with 20% off everything in store. " * 3 + "STOP to end"
    )
    with running(FakeSmsc()) as smsc:
        container = built(db_url, tmp_path, clock, smsc)
        plan(container, setup(container, tmp_path, template=long))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert stats.sent == 2 and stats.receipts == 2 and smsc.submits > 2  # each text went in parts
    with container.uow() as uow:
        rows = uow.session.execute(
            select(Message.delivery, Message.provider_message_id).where(Message.status == "sent")
        )
        found = [tuple(r) for r in rows]
    assert [d for d, _ in found] == ["delivered", "delivered"] and all("," in pid for _, pid in found)


def test_a_text_from_a_handset_on_the_bind_is_read_and_acted_on(db_url, tmp_path, clock) -> None:
    from herald.providers.smpp import pdu
    from herald.tracking.models import InboundMessage

    with running(FakeSmsc()) as smsc:
        container = built(db_url, tmp_path, clock, smsc)
        plan(container, setup(container, tmp_path))
        # Johannes texts 退订 while the campaign goes out: the SMSC delivers it on the bind.
        container.providers["carrier"]._delivered(
            pdu.Delivered(JOHANNES.lstrip("+"), "Herald", 0, 8, "退订".encode("utf-16-be"))
        )
        asyncio.run(container.worker().run(until_idle=True))
    with container.uow() as uow:
        (reply,) = uow.session.scalars(select(InboundMessage)).all()
        listed = [tuple(r) for r in uow.session.execute(select(Suppression.address, Suppression.reason))]
    assert (reply.account, reply.address, reply.intent) == ("carrier", JOHANNES, "stop")
    assert (JOHANNES, "opted out") in listed
