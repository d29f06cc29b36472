"""The WhatsApp Cloud API provider against a stand-in of Meta's Graph API."""

import asyncio
import hashlib
import hmac
import json
from dataclasses import replace

import pytest

from herald.content import channels, compose
from herald.providers import Accepted, Callback, Outgoing, Permanent, Retryable, Uncertain, WhatsAppCloudProvider
from herald.providers.adapters.whatsapp_cloud import answer, message_body
from herald.sandbox.whatsapp import NUMBER_ID, SECOND_NUMBER_ID, TOKEN, FakeWhatsApp, running

SHIPPED = channels.validate(
    "whatsapp",
    {
        "category": "UTILITY",
        "body": "Hi {{1}}, your order {{2}} has shipped.",
        "params": {"1": "first_name", "2": "attr.order"},
    },
    "t",
)


def template_message(i: int, to: str, name: str = "order_shipped") -> Outgoing:
    composed = compose("whatsapp", SHIPPED, {"first_name": "Sita", "attr": {"order": "A-17"}}, name=name)
    return Outgoing(i, f"c1:{i}:0", "whatsapp", to, composed.body, payload=composed.payload)


def provider(url: str, token: str = TOKEN, **options) -> WhatsAppCloudProvider:
    return WhatsAppCloudProvider(NUMBER_ID, token, url, **options)


def test_a_template_a_text_and_an_image_are_each_sent_as_the_cloud_api_wants_with_the_reference() -> None:
    sent = message_body(template_message(7, "+9779841234567"))
    assert sent == {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": "9779841234567",
        "type": "template",
        "template": {
            "name": "order_shipped",
            "language": {"code": "en"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Sita"}, {"type": "text", "text": "A-17"}]}
            ],
        },
        "biz_opaque_callback_data": "7",
    }
    text = message_body(Outgoing(8, "k", "whatsapp", "+1415", "Thanks! See https://x.example"))
    assert (text["type"], text["text"]) == ("text", {"preview_url": True, "body": "Thanks! See https://x.example"})
    image = message_body(Outgoing(9, "k", "whatsapp", "+1415", "Look", payload={"media": ["https://cdn/a.png"]}))
    assert image["image"] == {"link": "https://cdn/a.png", "caption": "Look"}


def meta_error(code: int, details: str = "") -> str:
    error = {"message": f"(#{code}) x", "type": "OAuthException", "code": code}
    if details:
        error["error_data"] = {"messaging_product": "whatsapp", "details": details}
    return json.dumps({"error": error})


@pytest.mark.parametrize(
    ("status", "headers", "text", "result"),
    [
        (200, {}, '{"messages": [{"id": "wamid.1"}]}', Accepted("wamid.1")),
        (400, {}, meta_error(130429, "throughput"), Retryable("130429: throughput", 1.0)),
        (400, {}, meta_error(131056, "pair"), Retryable("131056: pair", 6.0)),
        (400, {"Retry-After": "9"}, meta_error(80007), Retryable("80007: (#80007) x", 9.0)),
        (429, {}, "{}", Retryable("429: {}", 60.0)),
        (400, {}, meta_error(131049, "eco"), Retryable("131049: eco", 86400.0)),
        (401, {}, meta_error(190, "expired"), Retryable("190: expired", fatal=True)),
        (403, {}, "{}", Retryable("403: {}", fatal=True)),
        (500, {}, meta_error(131000), Retryable("131000: (#131000) x", None, fault=True)),
        (502, {}, "<html>", Retryable("502: <html>", None, fault=True)),
        (400, {}, meta_error(131026, "undeliverable"), Permanent("131026: undeliverable", "131026", fallback=True)),
        (400, {}, meta_error(131047, "window"), Permanent("131047: window", "131047")),
        (400, {}, meta_error(132001, "no template"), Permanent("132001: no template", "132001")),
        (200, {}, '{"messages": []}', Permanent('200: {"messages": []}', None)),
        (
            200,
            {},
            '{"messages": [{"message_status": "accepted"}]}',
            Permanent('200: {"messages": [{"message_status": "accepted"}]}', None),
        ),
        (400, {}, "[]", Permanent("400: []", None)),
    ],
)
def test_metas_answers_are_mapped_once(status, headers, text, result) -> None:
    assert answer(status, headers, text) == result


def test_a_composed_template_is_taken_and_metas_errors_keep_their_code() -> None:
    faults = {"9779841234502": "not-on-whatsapp", "9779841234503": "pair-rate", "9779841234504": "window"}
    batch = [template_message(i, f"+97798412345{i:02d}") for i in range(1, 5)]
    batch.append(template_message(5, "+9779841234505", name="no_such_template"))
    with running(FakeWhatsApp(faults=faults)) as meta:
        results = asyncio.run(provider(meta.url).send(batch))
    assert isinstance(results[0], Accepted) and results[0].provider_message_id.startswith("wamid.")
    assert [getattr(r, "code", None) for r in results[1:]] == ["131026", None, "131047", "132001"]
    assert isinstance(results[2], Retryable) and results[2].retry_after == 6.0
    assert [m["biz_opaque_callback_data"] for m in meta.sent] == ["1"]


def test_an_expired_token_pauses_the_account_and_no_answer_is_uncertain() -> None:
    with running(FakeWhatsApp(faults={"9779841234567": "hang"})) as meta:
        [expired] = asyncio.run(provider(meta.url, token="old").send([template_message(1, "+9779841234560")]))
        [hung] = asyncio.run(provider(meta.url, timeout=0.5).send([template_message(2, "+9779841234567")]))
        url = meta.url
    assert isinstance(expired, Retryable) and expired.fatal and expired.reason.startswith("190: ")
    assert isinstance(hung, Uncertain) and len(meta.sent) == 1
    [refused] = asyncio.run(provider(url, timeout=1).send([template_message(3, "+9779841234567")]))
    assert isinstance(refused, Retryable) and refused.fault


def test_the_check_fetches_the_phone_number() -> None:
    with running(FakeWhatsApp()) as meta:
        good = asyncio.run(provider(meta.url).check())
        wrong = asyncio.run(provider(meta.url, token="old").check())
    assert (good.ok, good.detail) == (True, "+1 555-010-0199 (Herald Sandbox), quality GREEN")
    assert (wrong.ok, wrong.detail) == (False, "190: (#190) Error validating access token: Session has expired")


def test_a_message_with_a_sender_of_its_own_goes_from_that_phone_number() -> None:
    own = replace(template_message(1, "+9779841234567"), sender=SECOND_NUMBER_ID)
    with running(FakeWhatsApp()) as meta:
        results = asyncio.run(provider(meta.url).send([own, template_message(2, "+9779841234568")]))
    assert all(isinstance(r, Accepted) for r in results)
    assert dict(zip([b["to"] for b in meta.sent], meta.sent_from, strict=True)) == {
        "9779841234567": SECOND_NUMBER_ID,
        "9779841234568": NUMBER_ID,
    }


def test_a_webhook_is_genuine_only_with_the_apps_signature_and_never_without_a_secret() -> None:
    body = b'{"object":"whatsapp_business_account","entry":[]}'
    signed = "sha256=" + hmac.new(b"app-secret", body, hashlib.sha256).hexdigest()
    callback = Callback(
        "https://herald.shop.example/webhooks/whatsapp/main", {"X-Hub-Signature-256": signed}, body, 0.0
    )
    assert provider("https://graph.example", app_secret="app-secret").verify(callback)
    assert not provider("https://graph.example", app_secret="app-secret").verify(replace(callback, body=body + b" "))
    assert not provider("https://graph.example").verify(callback)
