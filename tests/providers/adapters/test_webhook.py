"""The webhook provider against a stand-in gateway that checks Standard Webhooks signatures."""

import asyncio
import time
from dataclasses import replace

import pytest

from herald.providers import Accepted, Callback, Outgoing, Permanent, Retryable, Uncertain, WebhookProvider
from herald.providers.adapters.webhook import answer, signature, signing_key
from herald.sandbox.gateway import SECRET, FakeGateway, running


def message(i: int, to: str = "+9779841000001") -> Outgoing:
    return Outgoing(i, f"c1:{i}:0", "sms", to, f"Namaste {i}. Reply STOP to opt out.")


def send(provider: WebhookProvider, *items: Outgoing) -> list:
    return asyncio.run(provider.send(list(items)))


def test_the_signature_matches_the_standard_webhooks_test_vector() -> None:
    key = signing_key("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")
    found = signature(key, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, b'{"test": 2432232314}')
    assert found == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    assert signing_key("plain-secret") == b"plain-secret"


@pytest.mark.parametrize(
    ("status", "headers", "text", "result"),
    [
        (202, {}, '{"id": "gw-1"}', Accepted("gw-1")),
        (200, {}, '{"message_id": 42}', Accepted("42")),
        (204, {}, "", Accepted("")),
        (200, {}, "[1, 2]", Accepted("")),
        (429, {"Retry-After": "30"}, '{"error": "slow down"}', Retryable("HTTP 429: slow down", 30.0)),
        (503, {"Retry-After": "soon"}, "", Retryable("HTTP 503: HTTP 503", None, fault=True)),
        (500, {}, "carrier down", Retryable("HTTP 500: carrier down", None, fault=True)),
        (408, {"Retry-After": "-5"}, "", Retryable("HTTP 408: HTTP 408", 0.0)),
        (400, {}, '{"message": "invalid number"}', Permanent("HTTP 400: invalid number")),
        (401, {}, "not json", Retryable("HTTP 401: not json", fatal=True)),
    ],
)
def test_the_gateways_answer_is_mapped_once(status, headers, text, result) -> None:
    assert answer(status, headers, text) == result


def test_messages_reach_the_gateway_signed_and_a_repeat_keeps_its_id() -> None:
    with running(FakeGateway()) as gateway:
        provider = WebhookProvider(gateway.url, SECRET)
        results = send(provider, message(1), message(2, "+8613800138000"))
        assert sorted(r.provider_message_id for r in results) == ["gw-1", "gw-2"]  # sent at once, answered in any order
        send(provider, message(1))
    assert gateway.refused == [] and gateway.repeats == ["c1:1:0"]
    sent = gateway.received["c1:2:0"]
    assert (sent["to"], sent["channel"], sent["reference"], sent["type"]) == (
        "+8613800138000",
        "sms",
        "2",
        "message.send",
    )


def test_a_wrong_secret_is_refused_by_the_gateway_and_fails_the_message() -> None:
    with running(FakeGateway()) as gateway:
        [result] = send(WebhookProvider(gateway.url, "whsec_" + "d3Jvbmc="), message(1))
    assert gateway.refused == ["bad signature"] and result == Retryable("HTTP 401: bad signature", fatal=True)


def test_faults_are_retried_refused_or_left_uncertain() -> None:
    faults = {"+1": "busy", "+2": "broken", "+3": "refuse", "+4": "hang"}
    with running(FakeGateway(faults=faults)) as gateway:
        results = send(WebhookProvider(gateway.url, SECRET, timeout=0.5), *(message(i, f"+{i}") for i in range(1, 5)))
        again = send(WebhookProvider(gateway.url, SECRET, timeout=0.5, deduplicates=True), message(4, "+4"))
    assert results[0] == Retryable("HTTP 429: slow down", 30.0)
    assert results[1] == Retryable("HTTP 500: upstream carrier unavailable", None, fault=True)
    assert results[2] == Permanent("HTTP 400: invalid number")
    assert isinstance(results[3], Uncertain) and "no answer" in results[3].reason
    # A gateway that drops repeated ids may simply be asked again; it received the message once.
    assert isinstance(again[0], Retryable) and gateway.repeats == ["c1:4:0"] and len(gateway.received) == 1


def test_a_gateway_that_cannot_be_reached_received_nothing_so_the_message_is_retried() -> None:
    with running(FakeGateway()) as gateway:
        url = gateway.url
    [result] = send(WebhookProvider(url, SECRET, timeout=1), message(1))
    assert isinstance(result, Retryable) and result.reason.startswith("cannot connect")


def test_while_opened_batches_share_one_session_and_its_connections() -> None:
    async def batches(provider: WebhookProvider, keep: bool) -> None:
        if keep:
            async with provider.opened():
                for i in range(3):
                    await provider.send([Outgoing(i, f"kept:{i}", "sms", "+9779841234567", "Hi")])
        else:
            for i in range(3):
                await provider.send([Outgoing(10 + i, f"fresh:{i}", "sms", "+9779841234567", "Hi")])

    with running(FakeGateway()) as fake:
        provider = WebhookProvider(fake.url, SECRET)
        asyncio.run(batches(provider, keep=True))
        kept = set(fake.peers)
        asyncio.run(batches(provider, keep=False))
    assert len(kept) == 1 and len(fake.peers - kept) == 3 and provider.session is None


def test_the_gateway_is_told_the_sender_each_message_goes_from() -> None:
    own = Outgoing(1, "c1:1:0", "sms", "+9779841234567", "Hi", sender="+9771000001")
    plain = Outgoing(2, "c1:2:0", "sms", "+9779841234568", "Hi")
    with running(FakeGateway()) as gateway:
        asyncio.run(WebhookProvider(gateway.url, SECRET, sender="HERALD").send([own, plain]))
        asyncio.run(WebhookProvider(gateway.url, SECRET).send([replace(plain, idempotency_key="c1:3:0")]))
    assert {k: m["from"] for k, m in gateway.received.items()} == {
        "c1:1:0": "+9771000001",
        "c1:2:0": "HERALD",
        "c1:3:0": None,
    }


def test_a_gateway_callback_is_genuine_when_signed_with_the_accounts_secret_and_fresh() -> None:
    body, stamp = b'{"type":"message.status","reference":"7","status":"delivered"}', int(time.time())
    key = signing_key(SECRET)
    given = {
        "webhook-id": "evt_1",
        "webhook-timestamp": str(stamp),
        "webhook-signature": signature(key, "evt_1", stamp, body),
    }
    gateway = WebhookProvider("https://gw.example/send", SECRET)
    assert gateway.verify(Callback("https://herald.example/webhooks/gateway", given, body, time.time()))
    assert not gateway.verify(Callback("https://herald.example/webhooks/gateway", given, body, time.time() + 600))
    assert not WebhookProvider("https://gw.example/send", "another-secret-of-16").verify(
        Callback("https://herald.example/webhooks/gateway", given, body, time.time())
    )
