"""The Twilio provider against a stand-in of the Messages API."""

import asyncio
from dataclasses import replace

import pytest

from herald.providers import Accepted, Callback, Outgoing, Permanent, Retryable, TwilioProvider, Uncertain
from herald.providers.adapters.twilio import answer, form
from herald.providers.incoming.callbacks import twilio_signature
from herald.sandbox.twilio import SID, TOKEN, FakeTwilio, running

FROM = {"from": "+15005550006"}


def message(i: int, to: str, channel: str = "sms", **payload) -> Outgoing:
    return Outgoing(i, f"c1:{i}:0", channel, to, f"Hello {i}. Reply STOP to opt out.", payload=payload)


def provider(url: str, **options) -> TwilioProvider:
    return TwilioProvider(SID, TOKEN, options.pop("sender", FROM), url, **options)


def test_the_form_carries_the_sender_the_validity_the_media_and_the_callback_with_the_reference() -> None:
    item = message(7, "+14155552671", media=["https://cdn.example/a.png", "https://cdn.example/b.png"])
    fields = form(item, FROM, 600, "https://herald.example/webhooks/twilio?account=main")
    assert fields == [
        ("To", "+14155552671"),
        ("From", "+15005550006"),
        ("Body", "Hello 7. Reply STOP to opt out."),
        ("MediaUrl", "https://cdn.example/a.png"),
        ("MediaUrl", "https://cdn.example/b.png"),
        ("ValidityPeriod", "600"),
        ("StatusCallback", "https://herald.example/webhooks/twilio?account=main&ref=7"),
    ]
    pool = form(message(8, "+8613800138000", "whatsapp"), {"messaging_service_sid": "MG1"}, None, "https://h/cb")
    assert pool == [
        ("To", "whatsapp:+8613800138000"),
        ("MessagingServiceSid", "MG1"),
        ("Body", "Hello 8. Reply STOP to opt out."),
        ("StatusCallback", "https://h/cb?ref=8"),
    ]
    assert form(message(9, "+8613800138000", "whatsapp"), FROM, None, None)[1] == ("From", "whatsapp:+15005550006")
    # A sender of the account's own goes as From, even where the account otherwise sends by a Messaging Service.
    own = replace(message(10, "+14155552671"), sender="+15005550007")
    assert form(own, {"messaging_service_sid": "MG1"}, None, None)[1] == ("From", "+15005550007")
    own_wa = replace(message(11, "+14155552671", "whatsapp"), sender="+15005550007")
    assert form(own_wa, FROM, None, None)[1] == ("From", "whatsapp:+15005550007")


@pytest.mark.parametrize(
    ("status", "headers", "text", "result"),
    [
        (201, {}, '{"sid": "SM1", "status": "queued"}', Accepted("SM1")),
        (400, {}, '{"code": 21211, "message": "invalid To"}', Permanent("21211: invalid To", code="21211")),
        (
            400,
            {},
            '{"code": 21610, "message": "unsubscribed"}',
            Permanent("21610: unsubscribed", code="21610", suppress="unsubscribed"),
        ),
        (
            429,
            {"Retry-After": "2"},
            '{"code": 20429, "message": "Too Many Requests"}',
            Retryable("20429: Too Many Requests", 2.0),
        ),
        (400, {}, '{"code": 30001, "message": "Queue overflow"}', Retryable("30001: Queue overflow", None)),
        (503, {"Retry-After": "x"}, "<html>down</html>", Retryable("503: <html>down</html>", None, fault=True)),
        (401, {}, "[]", Retryable("401: []", fatal=True)),
        (201, {}, "{}", Permanent("201: {}", code=None)),
    ],
)
def test_twilios_answers_are_mapped_once(status, headers, text, result) -> None:
    assert answer(status, headers, text) == result


def test_messages_are_created_with_basic_auth_and_errors_keep_twilios_code() -> None:
    faults = {"+2": "invalid", "+3": "opted-out", "+4": "busy", "+5": "down", "+6": "not-mobile"}
    with running(FakeTwilio(faults=faults)) as twilio:
        results = asyncio.run(provider(twilio.url).send([message(i, f"+{i}") for i in range(1, 7)]))
    assert isinstance(results[0], Accepted) and results[0].provider_message_id.startswith("SM")
    assert [type(r).__name__ for r in results[1:]] == ["Permanent", "Permanent", "Retryable", "Retryable", "Permanent"]
    assert results[1].code == "21211" and results[2].suppress == "unsubscribed" and results[5].code == "21614"
    assert [f["To"] for f in twilio.created] == [["+1"]]


def test_wrong_credentials_pause_the_account_and_an_api_key_is_used_in_their_place() -> None:
    with running(FakeTwilio()) as twilio:
        [refused] = asyncio.run(TwilioProvider(SID, "wrong-token", FROM, twilio.url).send([message(1, "+1")]))
        [keyed] = asyncio.run(
            TwilioProvider(SID, TOKEN, FROM, twilio.url, api_key_sid="SK" + "0" * 32).send([message(2, "+2")])
        )
    assert refused == Retryable("20003: Authenticate", fatal=True)
    assert keyed == Retryable("20003: Authenticate", fatal=True)  # the stand-in knows no API key: refused alike


def test_no_answer_is_uncertain_because_twilio_does_not_deduplicate() -> None:
    with running(FakeTwilio(faults={"+1": "hang"})) as twilio:
        [result] = asyncio.run(provider(twilio.url, timeout=0.5).send([message(1, "+1")]))
        url = twilio.url
    assert isinstance(result, Uncertain) and len(twilio.created) == 1
    [result] = asyncio.run(provider(url, timeout=1).send([message(2, "+2")]))
    assert isinstance(result, Retryable) and result.reason.startswith("cannot connect to Twilio")


def test_a_status_callback_is_genuine_only_when_signed_with_the_accounts_auth_token() -> None:
    url = "https://herald.shop.example/webhooks/twilio/main/status?ref=7"
    body = b"MessageSid=SM1&MessageStatus=delivered"
    signed = twilio_signature(TOKEN, url, [("MessageSid", "SM1"), ("MessageStatus", "delivered")])
    callback = Callback(url, {"X-Twilio-Signature": signed}, body, 0.0)
    assert provider("https://api.twilio.com").verify(callback)
    assert not provider("https://api.twilio.com").verify(replace(callback, body=body + b"&ErrorCode=30003"))
    # An account that logs in with an API key is told the auth token its callbacks are signed with.
    key = {"api_key_sid": "SK" + "0" * 32}
    keyed = TwilioProvider(SID, "the-api-keys-secret", FROM, "https://api.twilio.com", **key, callback_token=TOKEN)
    unknowing = TwilioProvider(SID, "the-api-keys-secret", FROM, "https://api.twilio.com", **key)
    assert keyed.verify(callback) and not unknowing.verify(callback)
