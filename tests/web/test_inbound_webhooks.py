"""Messages people send in, through each vendor's route: verified, kept once, and acted on before the
answer goes back."""

from __future__ import annotations

import hashlib
import hmac
import json
from urllib.parse import urlencode

from sqlalchemy import select

from herald.contacts.models import Suppression
from herald.providers.incoming.callbacks import twilio_signature
from herald.tracking.models import InboundMessage
from tests.web import test_webhooks
from tests.web.test_webhooks import APP_SECRET, PUBLIC, REPORT_TOKEN, SITA, TOKEN, gateway_post

sent = test_webhooks.sent  # the fixture: a container whose campaign went out, and a client of its API

WANG = "+8613800138000"
FORM = {"content-type": "application/x-www-form-urlencoded"}


def suppressed(container, address: str) -> list[tuple[str, str]]:
    with container.uow() as uow:
        stmt = select(Suppression.channel, Suppression.reason).where(Suppression.address == address)
        return [tuple(r) for r in uow.session.execute(stmt)]


def inbound(container) -> list[InboundMessage]:
    with container.uow() as uow:
        found = list(uow.session.scalars(select(InboundMessage).order_by(InboundMessage.id)))
        for row in found:
            uow.session.expunge(row)
        return found


def test_a_stop_texted_to_a_twilio_number_is_honoured_before_twilio_hears_back(sent) -> None:
    container, client = sent
    path = "/webhooks/twilio/tw-main/inbound"
    fields = [("MessageSid", "SM9"), ("From", SITA), ("To", "+15005550006"), ("Body", "Stop"), ("NumMedia", "0")]
    body = urlencode(fields).encode()
    signed = twilio_signature(TOKEN, PUBLIC + path, fields)
    answer = client.post(path, content=body, headers={**FORM, "X-Twilio-Signature": signed})
    assert answer.status_code == 200
    assert (answer.json()["inbound"], answer.json()["opted_out"]) == (1, 1)
    assert suppressed(container, SITA) == [("sms", "opted out")]
    again = client.post(path, content=body, headers={**FORM, "X-Twilio-Signature": signed})
    assert again.json()["repeated"] == 1 and len(inbound(container)) == 1  # Twilio retried: kept once
    forged = urlencode([*fields[:3], ("Body", "START"), fields[4]]).encode()
    assert client.post(path, content=forged, headers={**FORM, "X-Twilio-Signature": signed}).status_code == 403


def test_a_whatsapp_reply_is_read_from_metas_signed_webhook(sent) -> None:
    container, client = sent
    message = {"from": WANG[1:], "id": "wamid.IN1", "timestamp": "1780000000", "type": "text"}
    message["text"] = {"body": "退订"}
    value = {"metadata": {"display_phone_number": "15550001111"}, "messages": [message]}
    raw = json.dumps({"entry": [{"changes": [{"field": "messages", "value": value}]}]}).encode()
    signed = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    answer = client.post("/webhooks/whatsapp/wa-main", content=raw, headers={"X-Hub-Signature-256": signed})
    assert answer.status_code == 200 and answer.json()["opted_out"] == 1
    assert suppressed(container, WANG) == [("whatsapp", "opted out")]
    (row,) = inbound(container)
    assert (row.channel, row.to, row.intent, row.account) == ("whatsapp", "+15550001111", "stop", "wa-main")


def test_an_aliyun_smsup_push_is_taken_at_the_address_with_the_token_and_answered_in_aliyuns_format(sent) -> None:
    container, client = sent
    up = [{"phone_number": WANG[3:], "content": "TD", "send_time": "2026-12-06 10:00:00", "sequence_id": 77}]
    answer = client.post(f"/webhooks/aliyun/ali/up/{REPORT_TOKEN}", json=up)
    assert answer.status_code == 200 and answer.json()["code"] == 0 and answer.json()["applied"] == 1
    assert suppressed(container, WANG) == [("sms", "opted out")]
    assert client.post("/webhooks/aliyun/ali/up/guessed-token-0123456789", json=up).status_code == 403
    assert client.post(f"/webhooks/aliyun/ali/up/{REPORT_TOKEN}", json=up).json()["repeated"] == 1


def test_a_gateways_signed_inbound_message_is_kept_and_classified(sent) -> None:
    container, client = sent
    answer = gateway_post(client, {"type": "message.inbound", "from": SITA, "text": "what are your hours?"}, "evt_in")
    assert answer.status_code == 200 and answer.json()["inbound"] == 1 and answer.json()["opted_out"] == 0
    (row,) = inbound(container)
    assert (row.intent, row.address) == ("other", SITA)
    assert suppressed(container, SITA) == []


def test_metas_template_reviews_at_the_accounts_webhook_are_applied(sent) -> None:
    from herald.content import TemplateVersion
    from herald.types import Channel, Purpose
    from tests.scenario import publish

    container, client = sent
    with container.uow() as uow:
        data = {"category": "UTILITY", "body": "Order {{1}} shipped.", "params": {"1": "attr.order"}}
        publish(uow, "order_update", Channel.WHATSAPP, data, purpose=Purpose.TRANSACTIONAL)
    change = {"field": "message_template_status_update", "value": {"event": "REJECTED", "reason": "INVALID_FORMAT"}}
    change["value"] |= {
        "message_template_id": 9,
        "message_template_name": "order_update",
        "message_template_language": "en",
    }
    raw = json.dumps({"entry": [{"time": 1780000000, "changes": [change]}]}).encode()
    signed = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    answer = client.post("/webhooks/whatsapp/wa-main", content=raw, headers={"X-Hub-Signature-256": signed})
    assert answer.status_code == 200 and answer.json()["templates"] == 1
    with container.uow() as uow:
        (version,) = uow.session.scalars(select(TemplateVersion).where(TemplateVersion.meta_status.is_not(None)))
        assert version.meta_status == "REJECTED"


def test_a_restriction_meta_announces_pauses_the_accounts_sending(sent) -> None:
    from herald.dispatch import health_of

    container, client = sent
    restriction = {"restriction_type": "RESTRICTED_BIZ_INITIATED_MESSAGING"}
    change = {"field": "account_update", "value": {"event": "ACCOUNT_RESTRICTION", "restriction_info": [restriction]}}
    raw = json.dumps({"entry": [{"changes": [change]}]}).encode()
    signed = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    answer = client.post("/webhooks/whatsapp/wa-main", content=raw, headers={"X-Hub-Signature-256": signed})
    assert answer.status_code == 200 and answer.json()["notices"] == 1
    with container.uow() as uow:
        health = health_of(uow.session)["wa-main"]
    assert not health.usable(container.clock.now()) and health.reason == "Meta restricted business-initiated messages"


def test_a_quality_update_is_kept_as_the_accounts_last_notice(sent) -> None:
    from herald.dispatch import health_of, notices_of

    container, client = sent
    value = {"display_phone_number": "+1 555 0100", "event": "FLAGGED", "current_limit": "TIER_1K"}
    change = {"field": "phone_number_quality_update", "value": value}
    raw = json.dumps({"entry": [{"changes": [change]}]}).encode()
    signed = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
    answer = client.post("/webhooks/whatsapp/wa-main", content=raw, headers={"X-Hub-Signature-256": signed})
    assert answer.status_code == 200 and answer.json()["notices"] == 1
    with container.uow() as uow:
        notice, at = notices_of(uow.session)["wa-main"]
        health = health_of(uow.session)["wa-main"]
    assert "+1 555 0100's quality is low" in notice and at == container.clock.now()
    assert health.usable(container.clock.now())  # a warning: sending goes on
