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
    reports = container.providers["carrier"].reports
    assert [(r.provider_message_id, r.status) for r in reports] == [(got["id"], "delivered")]
