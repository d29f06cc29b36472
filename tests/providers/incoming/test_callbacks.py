"""Vendors' callbacks told genuine or not: signatures on the raw bytes, ports, and freshness (pure)."""

import base64
import hashlib
import hmac

import pytest

from herald.providers.base import Callback
from herald.providers.incoming.callbacks import (
    meta_signed,
    standard_signed,
    token_in_path,
    twilio_signature,
    twilio_signed,
)

TOKEN = "12345678901234567890123456789012"
URL = "https://herald.shop.example/webhooks/twilio/main/status?ref=42"
FORM = b"MessageSid=SM1&MessageStatus=delivered&To=%2B14155552671&ErrorCode="


def twilio_independently(url: str, fields: dict[str, str]) -> str:
    """Twilio's rule written out afresh: the URL, then each name and value, names in order."""
    data = url + "".join(k + fields[k] for k in sorted(fields))
    return base64.b64encode(hmac.new(TOKEN.encode(), data.encode(), hashlib.sha1).digest()).decode()


SIGNED = twilio_independently(
    URL, {"MessageSid": "SM1", "MessageStatus": "delivered", "To": "+14155552671", "ErrorCode": ""}
)


def test_the_twilio_signature_is_the_url_and_the_sorted_fields() -> None:
    fields = [("To", "+14155552671"), ("MessageSid", "SM1"), ("MessageStatus", "delivered"), ("ErrorCode", "")]
    assert twilio_signature(TOKEN, URL, fields) == SIGNED
    repeated = [("MediaUrl0", "b"), ("A", "1"), ("MediaUrl0", "a")]
    assert twilio_signature(TOKEN, "https://h/x", repeated) == twilio_signature(TOKEN, "https://h/x", sorted(repeated))


@pytest.mark.parametrize(
    ("url", "headers", "body", "genuine"),
    [
        (URL, {"X-Twilio-Signature": SIGNED}, FORM, True),
        (URL, {"x-twilio-signature": SIGNED}, FORM, True),  # headers in any case
        # Twilio signed the address with its port, a proxy dropped it (or the other way round).
        (
            "https://herald.shop.example:443/webhooks/twilio/main/status?ref=42",
            {"X-Twilio-Signature": SIGNED},
            FORM,
            True,
        ),
        (URL, {"X-Twilio-Signature": SIGNED}, FORM.replace(b"delivered", b"failed"), False),  # a field changed
        (URL.replace("ref=42", "ref=43"), {"X-Twilio-Signature": SIGNED}, FORM, False),  # another message's address
        (URL, {"X-Twilio-Signature": SIGNED[:-2] + "A="}, FORM, False),
        (URL, {}, FORM, False),
    ],
)
def test_a_twilio_callback_is_genuine_only_as_twilio_signed_it(url, headers, body, genuine) -> None:
    assert twilio_signed(TOKEN, Callback(url, headers, body, 0.0)) is genuine


def test_a_port_twilio_signed_is_kept_when_the_callback_arrives_with_it() -> None:
    ported = "http://127.0.0.1:8000/webhooks/twilio/main/status"
    signed = twilio_independently(ported, {"MessageSid": "SM2"})
    assert twilio_signed(TOKEN, Callback(ported, {"X-Twilio-Signature": signed}, b"MessageSid=SM2", 0.0))
    assert not twilio_signed(
        TOKEN,
        Callback(
            "http://127.0.0.1/webhooks/twilio/main/status", {"X-Twilio-Signature": signed}, b"MessageSid=SM2", 0.0
        ),
    )


APP_SECRET = "meta-app-secret"
META_BODY = b'{"object":"whatsapp_business_account","entry":[]}'
META_SIGNED = "sha256=" + hmac.new(APP_SECRET.encode(), META_BODY, hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("headers", "body", "genuine"),
    [
        ({"X-Hub-Signature-256": META_SIGNED}, META_BODY, True),
        ({"X-Hub-Signature-256": META_SIGNED.upper().replace("SHA256=", "sha256=")}, META_BODY, True),
        ({"X-Hub-Signature-256": META_SIGNED}, META_BODY + b" ", False),  # one byte more
        ({"X-Hub-Signature-256": META_SIGNED.removeprefix("sha256=")}, META_BODY, False),
        ({"X-Hub-Signature": "sha1=abc"}, META_BODY, False),
        ({}, META_BODY, False),
    ],
)
def test_a_meta_webhook_is_genuine_only_with_the_apps_signature_of_its_raw_body(headers, body, genuine) -> None:
    assert meta_signed(APP_SECRET, Callback("https://h/webhooks/whatsapp/main", headers, body, 0.0)) is genuine


KEY = b"gateway-key"
NOW = 1_780_000_000.0
BODY = b'{"type":"message.status","reference":"42","status":"delivered"}'


def standard(wid: str, stamp: int, body: bytes = BODY, key: bytes = KEY) -> str:
    mac = hmac.new(key, f"{wid}.{stamp}.".encode() + body, hashlib.sha256).digest()
    return "v1," + base64.b64encode(mac).decode()


def headers(wid: str = "evt_1", stamp: int = int(NOW), signature: str | None = None) -> dict[str, str]:
    return {"webhook-id": wid, "webhook-timestamp": str(stamp), "webhook-signature": signature or standard(wid, stamp)}


@pytest.mark.parametrize(
    ("given", "body", "at", "genuine"),
    [
        (headers(), BODY, NOW, True),
        (headers(), BODY, NOW + 299, True),  # within five minutes
        (headers(), BODY, NOW + 301, False),  # replayed after five minutes: expired
        (headers(), BODY, NOW - 301, False),  # signed in the future
        (headers(signature=f"v1,bm90IGl0 {standard('evt_1', int(NOW))}"), BODY, NOW, True),  # a rotated key's too
        (headers(signature=standard("evt_1", int(NOW), key=b"another")), BODY, NOW, False),  # forged
        (headers(), BODY + b"x", NOW, False),
        (headers(wid="evt_2", signature=standard("evt_1", int(NOW))), BODY, NOW, False),  # another event's signature
        ({**headers(), "webhook-timestamp": "soon"}, BODY, NOW, False),
        ({"webhook-id": "evt_1"}, BODY, NOW, False),
    ],
)
def test_a_gateway_callback_is_genuine_when_signed_with_the_key_within_five_minutes(given, body, at, genuine) -> None:
    assert standard_signed(KEY, Callback("https://h/webhooks/gateway", given, body, at)) is genuine


def test_form_fields_are_read_in_order_with_blank_values() -> None:
    assert Callback(URL, {}, FORM, 0.0).form()[-1] == ("ErrorCode", "")
    assert Callback(URL, {"A": "1"}, b"", 0.0).header("a") == "1" and Callback(URL, {}, b"", 0.0).header("a") is None


@pytest.mark.parametrize(
    ("url", "token", "genuine"),
    [
        ("https://h/webhooks/aliyun/ali/report/secret-token-of-24-chars-x", "secret-token-of-24-chars-x", True),
        ("https://h/webhooks/aliyun/ali/report/secret-token-of-24-chars-x/", "secret-token-of-24-chars-x", True),
        ("https://h/webhooks/aliyun/ali/report/guessed", "secret-token-of-24-chars-x", False),
        ("https://h/webhooks/aliyun/ali/report/", "", False),
    ],
)
def test_an_unsigned_push_is_believed_only_at_the_address_with_the_secret(url, token, genuine) -> None:
    assert token_in_path(token, Callback(url, {}, b"[]", 0.0)) is genuine
