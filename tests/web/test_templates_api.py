"""`/api/v1/templates` and Meta's signed template-status webhook."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json

import pytest
from fastapi.testclient import TestClient

from herald import access
from tests.conftest import NOW
from tests.scenario import setup
from tests.web.clients import api_client, browser_for

SECRET = "app-secret"


@pytest.fixture
def client(container):
    container.settings = dataclasses.replace(
        container.settings, whatsapp_app_secret=SECRET, whatsapp_verify_token="verify-me"
    )
    return api_client(container)


def test_create_list_lint_and_preview(client, container, tmp_path) -> None:
    setup(container, tmp_path)
    made = client.post(
        "/api/v1/templates",
        json={"name": "promo", "channel": "sms", "content": {"body": "Hi {{ first_name }}, sale!"}},
    )
    assert made.status_code == 201
    assert made.json()["versions"][0]["status"] == "draft"
    assert [f["code"] for f in made.json()["findings"]] == []
    assert [t["name"] for t in client.get("/api/v1/templates").json()] == ["sale", "promo"]
    assert client.get("/api/v1/templates/promo").json()["channel"] == "sms"
    lint = client.get("/api/v1/templates/promo/lint", params={"preset": "cn-sms"}).json()
    assert {f["code"] for f in lint} == {"cn-signature", "opt-out"}
    shown = client.post("/api/v1/templates/promo/preview", json={"segment": "region:NP", "sample": 2}).json()
    assert [s["body"] for s in shown["samples"]] == ["Hi Sita, sale!", "Hi Ram, sale!"]
    assert shown["audience"]["recipients"] == 3 and shown["audience"]["currency"] == "USD"
    missing = client.post("/api/v1/templates/promo/preview", json={"contacts": [4]}).json()
    assert missing["samples"][0]["body"] == "Hi Emily, sale!"


def test_a_version_is_reviewed_by_someone_other_than_its_author(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        for name, role in (("maya", "marketer"), ("li", "approver"), ("bo", "analyst")):
            access.create_user(uow, name, role, "correct horse battery", NOW)
    maya, li, bo = (signed_in(container, n) for n in ("maya", "li", "bo"))
    body = {"name": "promo", "channel": "sms", "content": {"body": "Hi {{ first_name }}, sale! Reply STOP to opt out."}}
    made = maya.post("/api/v1/templates", json=body)
    assert made.status_code == 201 and made.json()["versions"][0]["author"] == "maya"
    assert maya.post("/api/v1/templates/promo/submit", json={}).json()["status"] == "pending"
    own = maya.post("/api/v1/templates/promo/approve", json={})
    assert own.status_code == 403 and "templates:review" in own.json()["detail"]  # a marketer does not approve
    assert bo.post("/api/v1/templates/promo/approve", json={}).status_code == 403  # nor does an analyst
    assert li.post("/api/v1/templates/promo/reject", json={}).status_code == 422  # a rejection needs a reason
    approved = li.post("/api/v1/templates/promo/approve", json={})
    assert approved.json()["status"] == "approved" and approved.json()["reviewer"] == "li"
    with container.uow() as uow:  # an approver who wrote a version may not approve it either
        access.set_role(uow, "maya", "admin")
    maya = signed_in(container, "maya")
    maya.post("/api/v1/templates", json=body | {"name": "again"})
    maya.post("/api/v1/templates/again/submit", json={})
    mine = maya.post("/api/v1/templates/again/approve", json={})
    assert mine.status_code == 403 and "wrote this version" in mine.json()["detail"]


def signed_in(container, name: str) -> TestClient:
    browser, csrf = browser_for(container, name)
    browser.headers["X-CSRF-Token"] = csrf
    return browser


def test_bad_templates_name_the_field(client) -> None:
    bad = client.post(
        "/api/v1/templates",
        json={"name": "x", "channel": "sms", "content": {"body": "{{ secret.__class__ }}"}},
    )
    assert bad.status_code == 422 and "body" in bad.json()["detail"]
    assert client.get("/api/v1/templates/nope").status_code == 404


def signed(body: bytes, secret: str = SECRET) -> dict[str, str]:
    return {
        "X-Hub-Signature-256": "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest(),
        "Content-Type": "application/json",
    }


def test_meta_status_webhook_is_verified_on_the_raw_body(client, container, tmp_path) -> None:
    from herald.types import Channel, Purpose
    from tests.scenario import publish

    with container.uow() as uow:
        publish(
            uow,
            "order_update",
            Channel.WHATSAPP,
            {"category": "UTILITY", "body": "Order {{1}} shipped.", "params": {"1": "attr.order"}},
            purpose=Purpose.TRANSACTIONAL,
        )
    body = json.dumps(
        {
            "entry": [
                {
                    "changes": [
                        {
                            "field": "message_template_status_update",
                            "value": {
                                "event": "APPROVED",
                                "message_template_id": 9,
                                "message_template_name": "order_update",
                                "message_template_language": "en",
                            },
                        }
                    ]
                }
            ]
        },
        separators=(",", ":"),
    ).encode()
    assert client.post("/webhooks/whatsapp", content=body, headers=signed(body, "wrong")).status_code == 403
    assert client.post("/webhooks/whatsapp", content=body + b" ", headers=signed(body)).status_code == 403
    ok = client.post("/webhooks/whatsapp", content=body, headers=signed(body))
    assert ok.json() == {"template_updates": 1, "applied": 1}
    assert client.get("/api/v1/templates/order_update").json()["versions"][0]["meta_status"] == "APPROVED"
    assert client.post("/webhooks/whatsapp", content=b"{", headers=signed(b"{")).status_code == 400


def test_subscription_check_answers_the_challenge_only_with_the_token(client) -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": "verify-me", "hub.challenge": "1158201444"}
    assert client.get("/webhooks/whatsapp", params=good).text == "1158201444"
    assert client.get("/webhooks/whatsapp", params={**good, "hub.verify_token": "x"}).status_code == 403


def status_body(event: str, at: int) -> bytes:
    return json.dumps(
        {
            "entry": [
                {
                    "time": at,
                    "changes": [
                        {
                            "field": "message_template_status_update",
                            "value": {
                                "event": event,
                                "message_template_name": "order_update",
                                "message_template_language": "en",
                            },
                        }
                    ],
                }
            ]
        }
    ).encode()


@pytest.mark.parametrize(
    "body",
    [b'{"entry": "abc"}', b'{"entry": 5}', b'{"entry": [[[[1]]]]}', b"[" * 100_000 + b"]" * 100_000, b"\xff\xfe"],
)
def test_a_signed_but_malformed_webhook_is_answered_400_not_500(client, body, caplog) -> None:
    answer = client.post("/webhooks/whatsapp", content=body, headers=signed(body))
    assert answer.status_code == 400 and answer.json()["error"] == "Invalid"
    assert "refused a signed WhatsApp webhook" in caplog.text


def test_meta_statuses_apply_in_the_order_of_their_own_time(client, container) -> None:
    from herald.types import Channel, Purpose
    from tests.scenario import publish

    with container.uow() as uow:
        publish(
            uow,
            "order_update",
            Channel.WHATSAPP,
            {"category": "UTILITY", "body": "Order {{1}} shipped.", "params": {"1": "attr.order"}},
            purpose=Purpose.TRANSACTIONAL,
        )
    for event, at in (("APPROVED", 1772359200), ("PAUSED", 1772362800), ("APPROVED", 1772359200)):  # a replay
        body = status_body(event, at)
        client.post("/webhooks/whatsapp", content=body, headers=signed(body))
    assert client.get("/api/v1/templates/order_update").json()["versions"][0]["meta_status"] == "PAUSED"
