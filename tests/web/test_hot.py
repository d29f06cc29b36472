"""The routes hit in floods are answered in front of the framework (`herald.web.public.hot`): every request
they take gets the same answer, byte for byte, and leaves the same rows as through the framework's own
routes (the plain path).

Two installations alike in every way, each on a database of its own, hear the same requests: one through
the hot path, one through the framework. The databases are SQLite files here (two at once); the PostgreSQL
run takes the hot path in every other webhook and link test, since the app has it unless told not to."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import shutil
from urllib.parse import urlencode

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from herald import bootstrap, tracking
from herald.config import Settings
from herald.events.models import Event
from herald.outbox.models import Message
from herald.providers.incoming.callbacks import twilio_signature
from herald.sandbox.gateway import SECRET, FakeGateway, running
from herald.tracking.models import Click, InboundMessage, Link, ReceiptRecord
from herald.web import create_app
from tests.scenario import plan, setup
from tests.tracking.clicks.test_links import IPHONE, TEMPLATE
from tests.web.asgi import hung_up
from tests.web.test_webhooks import APP_SECRET, PUBLIC, REPORT_TOKEN, SITA, TOKEN, accounts, gateway_post

FORM = {"content-type": "application/x-www-form-urlencoded"}


def installation(tmp_path, template, clock, gateway_url: str) -> bootstrap.Container:
    shutil.copy(template, tmp_path / "herald.db")
    settings = Settings(
        env="test",
        database_url=f"sqlite:///{tmp_path / 'herald.db'}",
        outbox_dir=str(tmp_path / "outbox"),
        public_url=PUBLIC,
        allowed_hosts="testserver",
        provider_accounts=accounts(gateway_url),
        routing={"sms": ["gateway"], "whatsapp": ["wa-main"]},
    )
    container = bootstrap.build(settings, clock=clock, environ={"GATEWAY_SECRET": SECRET})
    plan(container, setup(container, tmp_path, template=TEMPLATE))
    asyncio.run(container.worker().run(until_idle=True))
    return container


@pytest.fixture
def twins(tmp_path, sqlite_template, clock):
    """(hot client, its container), (plain client, its container): the same campaign sent by each."""
    made = []
    for name, hot in (("hot", True), ("plain", False)):
        (tmp_path / name).mkdir()
        with running(FakeGateway()) as gateway:
            container = installation(tmp_path / name, sqlite_template, clock, gateway.url)
        made.append((TestClient(create_app(container, hot=hot), follow_redirects=False), container))
    yield made
    for _, container in made:
        container.close()


def sita(container) -> tuple[int, str]:
    """Sita's message's id and the code of its first link (codes are drawn at random in each)."""
    with container.uow() as uow:
        message = uow.session.scalars(select(Message).where(Message.address == SITA)).one()
        link = uow.session.scalars(select(Link).where(Link.message_id == message.id, Link.position == 0)).one()
        return message.id, link.code


def callbacks(client: TestClient, container) -> list:
    """Every kind of request the hot path takes, good and bad, in the order a day might bring them."""
    message_id, code = sita(container)
    delivered = {"type": "message.status", "reference": str(message_id), "status": "delivered", "timestamp": 1}
    twilio_path = "/webhooks/twilio/tw-main/inbound"
    fields = [("MessageSid", "SM9"), ("From", SITA), ("To", "+15005550006"), ("Body", "退订"), ("NumMedia", "0")]
    twilio = {**FORM, "X-Twilio-Signature": twilio_signature(TOKEN, PUBLIC + twilio_path, fields)}
    status = {"id": "wamid.A", "status": "read", "timestamp": "1780000000", "biz_opaque_callback_data": "999999"}
    meta = json.dumps({"entry": [{"changes": [{"value": {"statuses": [status]}}]}]}).encode()
    meta_signed = {"X-Hub-Signature-256": "sha256=" + hmac.new(APP_SECRET.encode(), meta, hashlib.sha256).hexdigest()}
    report = [{"biz_id": "1^1", "success": True, "err_code": "DELIVERED", "report_time": "2026-12-06 10:00:00"}]
    return [
        gateway_post(client, delivered),
        gateway_post(client, delivered),  # again: repeated
        gateway_post(client, delivered, key=b"not-the-key"),  # forged
        gateway_post(client, {"type": "message.status", "status": "gone"}),  # signed, unreadable
        client.post("/webhooks/gateway/nobody", content=b"{}"),  # no such account
        client.post("/webhooks/gateway/tw-main", content=b"{}"),  # an account of another kind
        client.post(twilio_path, content=urlencode(fields).encode(), headers=twilio),  # a STOP in Chinese
        client.post("/webhooks/whatsapp/wa-main", content=meta, headers=meta_signed),
        client.post("/webhooks/whatsapp/wa-main", content=meta + b" ", headers=meta_signed),
        client.post(f"/webhooks/aliyun/ali/report/{REPORT_TOKEN}", json=report),
        client.post(f"/webhooks/aliyun/ali/up/{REPORT_TOKEN}", json={"not": "a list"}),
        client.post("/webhooks/aliyun/ali/report/guessed-token-0123456789", json=report),
        client.get(f"/l/{code}", headers={"user-agent": IPHONE}),
        client.head(f"/l/{code}", headers={"user-agent": IPHONE}),
        client.get(f"/l/{code}", headers={"user-agent": "WhatsApp/2.23.20.0 A"}),
        client.get("/l/AAAAAAAA"),
        client.get("/o/AAAAAAAA.gif"),
        client.post(f"/l/{code}"),  # a method the hot path does not take: the framework's 405
    ]


def answered(response) -> tuple:
    headers = {k: v for k, v in response.headers.items() if k not in ("date", "server")}
    return response.status_code, headers, response.content


def kept(container) -> dict[str, list]:
    """What the requests left in the database, without the ids and codes each database drew itself."""
    with container.uow() as uow:
        read = uow.session.execute
        return {
            "messages": list(read(select(Message.address, Message.status, Message.delivery, Message.delivered_at))),
            "receipts": list(read(select(ReceiptRecord.account, ReceiptRecord.event, ReceiptRecord.outcome))),
            "inbound": list(read(select(InboundMessage.address, InboundMessage.text, InboundMessage.intent))),
            "clicks": list(read(select(Click.human, Click.device, Click.os, Click.visitor, Click.at))),
            "events": list(read(select(Event.type, Event.contact_id, Event.occurred_at).order_by(Event.id))),
        }


def test_the_hot_path_answers_every_request_as_the_framework_does(twins, clock) -> None:
    (hot, hot_container), (plain, plain_container) = twins
    clock.advance(minutes=30)  # a person's click, not a machine's look the moment the message went out
    hot_answers, plain_answers = callbacks(hot, hot_container), callbacks(plain, plain_container)
    statuses = [a.status_code for a in hot_answers]
    assert statuses == [200, 200, 403, 400, 404, 404, 200, 200, 403, 200, 400, 403, 302, 302, 302, 404, 200, 405]
    for index, (mine, theirs) in enumerate(zip(hot_answers, plain_answers, strict=True)):
        assert answered(mine) == answered(theirs), f"request {index}"
    assert hot_answers[0].json()["queued"] == 1 and hot_answers[6].json()["opted_out"] == 1
    assert kept(hot_container) == kept(plain_container)
    for container in (hot_container, plain_container):  # the worker's round applies the receipts kept
        with container.uow() as uow:
            tracking.apply_queued(uow, container.clock.now())
    assert kept(hot_container) == kept(plain_container)
    assert [r.outcome for r in kept(hot_container)["receipts"]].count("queued") == 0
    assert [c.human for c in kept(hot_container)["clicks"]] == [True, False, False]  # the check and the preview


def test_the_framework_still_describes_the_callbacks(twins) -> None:
    (hot, _), _ = twins
    paths = hot.get("/api/v1/openapi.json").json()["paths"]
    assert "/webhooks/gateway/{account}" in paths and "/webhooks/twilio/{account}/status" in paths


def test_a_caller_that_hangs_up_mid_body_gets_no_answer_and_records_nothing(twins) -> None:
    (hot, container), _ = twins
    length = (b"content-length", b"90")  # declared: the Guard leaves the body to the route
    assert hung_up(hot.app, "POST", "/webhooks/gateway/gateway", b'{"type": "message.st', length) == []
    assert kept(container)["receipts"] == []
