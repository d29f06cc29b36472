"""Receipts end to end: Herald's API is served on loopback, the Twilio, gateway and WhatsApp stand-ins
post each message's signed status callbacks to Herald's routes, and the messages move forward."""

from __future__ import annotations

import asyncio
import time

from sqlalchemy import select

from herald import bootstrap
from herald.config import Settings
from herald.outbox.models import Message
from herald.sandbox.gateway import SECRET as GATEWAY_SECRET
from herald.sandbox.gateway import FakeGateway
from herald.sandbox.gateway import running as gateway_running
from herald.sandbox.twilio import SID, TOKEN, FakeTwilio, running
from herald.sandbox.whatsapp import APP_SECRET, NUMBER_ID, FakeWhatsApp
from herald.sandbox.whatsapp import TOKEN as WA_TOKEN
from herald.sandbox.whatsapp import running as whatsapp_running
from herald.web import free_port, serving_api
from tests.dispatch.test_channel_fallback import SALE_WA, campaign, sitas
from tests.scenario import plan, setup

SITA, JOHANNES = "+9779841234567", "+264811234567"


def herald(db_url, tmp_path, clock, port: int, accounts: dict, routing: dict, environ: dict) -> bootstrap.Container:
    """A container whose public address is a loopback port, sending through these accounts."""
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        public_url=f"http://127.0.0.1:{port}",
        provider_accounts=accounts,
        routing=routing,
    )
    return bootstrap.build(settings, clock=clock, environ=environ)


def send_and_hear(container: bootstrap.Container, port: int, receipts, expected: int) -> list[int | str]:
    """Send what is due with the API served, wait for the stand-in's receipts, and apply the ones that beat
    their send results; what Herald answered each receipt."""
    with serving_api(container, port):
        worker = container.worker()
        asyncio.run(worker.run(until_idle=True))
        deadline = time.monotonic() + 10
        while len(receipts.answers) < expected and time.monotonic() < deadline:
            time.sleep(0.05)
        worker.tick()
    return sorted(status for _, _, status in receipts.answers)


def test_the_twilio_stand_ins_receipts_reach_herald_and_move_the_messages_forward(db_url, tmp_path, clock) -> None:
    port = free_port()
    with running(FakeTwilio(faults={JOHANNES: "unreachable"})) as twilio:
        account = {"kind": "twilio", "account_sid": SID, "auth_token": "env:TOKEN", "from": "+15005550006"}
        accounts = {"twilio-main": {**account, "base_url": twilio.url}}
        container = herald(db_url, tmp_path, clock, port, accounts, {"sms": ["twilio-main"]}, {"TOKEN": TOKEN})
        plan(container, setup(container, tmp_path))
        assert send_and_hear(container, port, twilio.receipts, 4) == [200, 200, 200, 200]
    with container.uow() as uow:
        rows = uow.session.execute(select(Message.address, Message.status, Message.delivery, Message.error_code))
        found = {r.address: (r.status, r.delivery, r.error_code) for r in rows if r.address in (SITA, JOHANNES)}
    assert found == {SITA: ("sent", "delivered", None), JOHANNES: ("sent", "undelivered", "30003")}


def test_a_gateways_signed_status_callbacks_reach_herald(db_url, tmp_path, clock) -> None:
    port = free_port()
    with gateway_running(FakeGateway(faults={JOHANNES: "unreachable"})) as gateway:
        accounts = {"gw": {"kind": "webhook", "url": gateway.url, "secret": "env:SECRET"}}
        container = herald(db_url, tmp_path, clock, port, accounts, {"sms": ["gw"]}, {"SECRET": GATEWAY_SECRET})
        plan(container, setup(container, tmp_path))
        assert send_and_hear(container, port, gateway.receipts, 2) == [200, 200]
    assert [m["status_callback"] for m in gateway.received.values()] == [
        f"http://127.0.0.1:{port}/webhooks/gateway/gw"
    ] * 2
    with container.uow() as uow:
        rows = uow.session.execute(select(Message.address, Message.delivery, Message.error_code))
        found = {r.address: (r.delivery, r.error_code) for r in rows if r.address in (SITA, JOHANNES)}
    assert found == {SITA: ("delivered", None), JOHANNES: ("undelivered", "UNREACHABLE")}


def test_the_whatsapp_stand_ins_signed_status_webhooks_reach_herald(db_url, tmp_path, clock) -> None:
    port = free_port()
    fake = FakeWhatsApp(webhook=f"http://127.0.0.1:{port}/webhooks/whatsapp/wa")
    fake.approved[("sale_wa", "en")] = SALE_WA["body"]
    with whatsapp_running(fake):
        account = {"kind": "whatsapp_cloud", "phone_number_id": NUMBER_ID, "access_token": "env:WA_TOKEN"}
        accounts = {"wa": {**account, "base_url": fake.url, "app_secret": "env:APP_SECRET"}}
        environ = {"WA_TOKEN": WA_TOKEN, "APP_SECRET": APP_SECRET}
        container = herald(db_url, tmp_path, clock, port, accounts, {"whatsapp": ["wa"]}, environ)
        plan(container, campaign(container, tmp_path, ["sale_wa"]))
        assert send_and_hear(container, port, fake.receipts, 2) == [200, 200]
    message = sitas(container)
    assert (message.status, message.delivery, message.provider_message_id) == (
        "sent",
        "delivered",
        "wamid.HBgL" + "0" * 19 + "1",
    )
