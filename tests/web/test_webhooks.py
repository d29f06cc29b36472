"""Vendors' status callbacks per account: verified on the raw bytes (403 when forged), read, and recorded
once; a receipt moves its message forward."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time

import pytest
from sqlalchemy import select

from herald import bootstrap, tracking
from herald.config import Settings
from herald.outbox.models import Message
from herald.providers.adapters.webhook import signature, signing_key
from herald.providers.incoming.callbacks import twilio_signature
from herald.sandbox.gateway import SECRET, FakeGateway, running
from tests.scenario import plan, setup
from tests.web.clients import api_client

PUBLIC = "https://herald.shop.example"
TOKEN = "twilio-auth-token-0123456789abcdef"
APP_SECRET = "meta-app-secret"
SITA = "+9779841234567"
REPORT_TOKEN = "aliyun-report-token-0123456789"


def accounts(gateway_url: str) -> dict:
    return {
        "gateway": {"kind": "webhook", "url": gateway_url, "secret": "env:GATEWAY_SECRET"},
        "tw-main": {"kind": "twilio", "account_sid": "AC" + "a" * 32, "auth_token": TOKEN, "from": "+15005550006"},
        "ali": {"kind": "aliyun", "access_key_id": "LTAI", "access_key_secret": "s", "sign_name": "Herald"}
        | {"report_token": REPORT_TOKEN},
        "wa-main": {
            "kind": "whatsapp_cloud",
            "phone_number_id": "106540352242922",
            "access_token": "t",
            "app_secret": APP_SECRET,
        },
    }


@pytest.fixture
def sent(db_url, tmp_path, clock):
    """A container whose SMS went through the gateway account, and a client of its API."""
    return sent_through_gateway(db_url, tmp_path, clock)


def sent_through_gateway(db_url, tmp_path, clock, **more):
    with running(FakeGateway()) as gateway:
        settings = Settings(
            env="test",
            database_url=db_url,
            outbox_dir=str(tmp_path / "outbox"),
            public_url=PUBLIC,
            allowed_hosts="testserver",
            whatsapp_verify_token="verify-me",
            provider_accounts=accounts(gateway.url),
            routing={"sms": ["gateway"], "whatsapp": ["wa-main"]},
            **more,
        )
        container = bootstrap.build(settings, clock=clock, environ={"GATEWAY_SECRET": SECRET})
        plan(container, setup(container, tmp_path))
        asyncio.run(container.worker().run(until_idle=True))
    return container, api_client(container)


def applied(container) -> dict[str, int]:
    """What the worker's round made of the receipts callbacks kept."""
    with container.uow() as uow:
        return dict(tracking.apply_queued(uow, container.clock.now()))


def sita(container) -> Message:
    with container.uow() as uow:
        row = uow.session.scalars(select(Message).where(Message.address == SITA)).one()
        uow.session.expunge(row)
        return row


def gateway_post(client, body: dict, wid: str = "evt_1", stamp: int | None = None, key: bytes | None = None):
    raw, stamp = json.dumps(body).encode(), stamp or int(time.time())
    signed = signature(key or signing_key(SECRET), wid, stamp, raw)
    headers = {
        "webhook-id": wid,
        "webhook-timestamp": str(stamp),
        "webhook-signature": signed,
        "content-type": "application/json",
    }
    return client.post("/webhooks/gateway/gateway", content=raw, headers=headers)


def test_a_gateways_signed_receipt_moves_its_message_forward_once(sent) -> None:
    container, client = sent
    message = sita(container)
    body = {"type": "message.status", "reference": str(message.id), "status": "delivered", "timestamp": 1780000000}
    answer = gateway_post(client, body)
    assert answer.status_code == 200 and answer.json() == {
        "reports": 1,
        "queued": 1,  # kept: the worker applies it
        "applied": 0,
        "waiting": 0,
        "repeated": 0,
        "stale": 0,
        "fell_back": 0,
        "unmatched": 0,
        "ignored": 0,
        "inbound": 0,
        "opted_out": 0,
        "templates": 0,
        "notices": 0,
    }
    assert gateway_post(client, body).json()["repeated"] == 1  # the gateway sent the same event again
    assert sita(container).delivery is None
    assert applied(container) == {"applied": 1}
    assert sita(container).delivery == "delivered"
    assert applied(container) == {}


def test_with_receipts_applied_at_once_the_answer_says_what_each_did(db_url, tmp_path, clock) -> None:
    container, client = sent_through_gateway(db_url, tmp_path, clock, receipts_queued=False)
    body = {"type": "message.status", "reference": str(sita(container).id), "status": "delivered", "timestamp": 1}
    answer = gateway_post(client, body).json()
    assert (answer["queued"], answer["applied"]) == (0, 1)
    assert sita(container).delivery == "delivered"
    assert gateway_post(client, body).json()["repeated"] == 1


def test_a_forged_stale_or_misshapen_callback_is_refused(sent) -> None:
    container, client = sent
    body = {"type": "message.status", "reference": str(sita(container).id), "status": "read"}
    assert gateway_post(client, body, key=b"not-the-key").status_code == 403
    assert gateway_post(client, body, stamp=int(time.time()) - 600).status_code == 403  # a replay, ten minutes on
    assert gateway_post(client, {"type": "message.status", "status": "gone"}).status_code == 400
    assert client.post("/webhooks/gateway/tw-main", content=b"{}").status_code == 404  # not a gateway account
    assert client.post("/webhooks/gateway/nobody", content=b"{}").status_code == 404
    assert sita(container).delivery is None


def test_twilio_callbacks_are_checked_against_the_address_herald_gave(sent) -> None:
    container, client = sent
    path = "/webhooks/twilio/tw-main/status?ref=999999"
    fields = [("MessageSid", "SM1"), ("MessageStatus", "delivered")]
    signed = twilio_signature(TOKEN, PUBLIC + path, fields)
    form = {"content-type": "application/x-www-form-urlencoded"}
    ok = client.post(
        path, content=b"MessageSid=SM1&MessageStatus=delivered", headers={**form, "X-Twilio-Signature": signed}
    )
    assert ok.status_code == 200 and ok.json()["queued"] == 1
    assert applied(container) == {"unmatched": 1}  # genuine, but no message of tw-main is 999999
    forged = client.post(
        path, content=b"MessageSid=SM1&MessageStatus=failed", headers={**form, "X-Twilio-Signature": signed}
    )
    assert forged.status_code == 403
    # The StatusCallback Herald gives Twilio is this very route.
    assert container.providers["tw-main"].callback == f"{PUBLIC}/webhooks/twilio/tw-main/status"


def test_metas_webhook_is_verified_with_the_app_secret_and_subscribes_with_the_verify_token(sent) -> None:
    container, client = sent
    status = {"id": "wamid.A", "status": "delivered", "timestamp": "1780000000", "biz_opaque_callback_data": "999999"}
    raw = json.dumps({"entry": [{"changes": [{"value": {"statuses": [status]}}]}]}).encode()
    signed = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    answer = client.post("/webhooks/whatsapp/wa-main", content=raw, headers={"X-Hub-Signature-256": signed})
    assert answer.status_code == 200 and answer.json()["queued"] == 1
    assert applied(container) == {"unmatched": 1}
    assert (
        client.post(
            "/webhooks/whatsapp/wa-main", content=raw + b" ", headers={"X-Hub-Signature-256": signed}
        ).status_code
        == 403
    )
    check = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    assert client.get("/webhooks/whatsapp/wa-main", params=check).text == "1158201444"
    assert client.get("/webhooks/whatsapp/wa-main", params={**check, "hub.verify_token": "x"}).status_code == 403
    assert client.get("/webhooks/whatsapp/gateway", params=check).status_code == 404


def test_aliyuns_unsigned_push_is_believed_only_at_the_address_with_the_token(sent) -> None:
    container, client = sent
    report = [
        {
            "biz_id": "1^1",
            "success": True,
            "err_code": "DELIVERED",
            "report_time": "2026-12-06 10:00:00",
            "out_id": "999999",
        }
    ]
    ok = client.post(f"/webhooks/aliyun/ali/report/{REPORT_TOKEN}", json=report)
    assert ok.status_code == 200 and ok.json()["code"] == 0  # Aliyun reads only the number `code`
    assert client.post("/webhooks/aliyun/ali/report/guessed-token-0123456789", json=report).status_code == 403
    unreadable = client.post(f"/webhooks/aliyun/ali/report/{REPORT_TOKEN}", json={"not": "a list"})
    assert unreadable.status_code == 400 and unreadable.json()["code"] == 1
