"""The `webhook` provider: each message as a JSON POST to an in-house gateway, signed the Standard Webhooks
way, and the gateway's answer mapped, once, to Accepted | Retryable | Permanent | Uncertain.

Signing (Standard Webhooks 1.0): the headers `webhook-id` (the message's idempotency key: the same on every
attempt, so a gateway can drop a repeat), `webhook-timestamp` (Unix seconds) and `webhook-signature`
(`v1,` and the Base64 HMAC-SHA256 of `id.timestamp.body`, keyed with the secret; a `whsec_` secret is the
Base64 of the key). The body:

    {"type": "message.send", "id": "<idempotency key>", "reference": "<message id>", "channel": "sms",
     "to": "+8613800138000", "from": null, "body": "…", "subject": null, "html": null, "payload": {},
     "status_callback": null}

`from` is the sender the message goes from (the account's `from`, or one of its `senders`), null when the
gateway chooses. `status_callback` (with `public_url` set) is where the gateway posts the message's status,
signed the same way with the same secret: `{"type": "message.status", "reference": "<message id>", "id":
"<its own id>", "status": "delivered", "code": null, "detail": null, "timestamp": <Unix seconds>}` with
`status` one of sent, delivered, read, undelivered, failed.

Answers: 2xx is accepted, with the gateway's id from the body's `id` or `message_id` when it gives one;
408, 425, 429 and 5xx are retried (after `Retry-After` when sent); any other 4xx fails the message with
the gateway's `error` or `message`. A request that got no answer (a timeout, a dropped connection) may
have been delivered: it is Uncertain, unless the account says the gateway drops repeated ids
(`deduplicates = true`), when it is simply retried.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping, Sequence

import aiohttp

from herald.providers.adapters.http import KeepsSession, each, json_object
from herald.providers.base import (
    Accepted,
    Callback,
    Checked,
    Outgoing,
    Permanent,
    Report,
    Retryable,
    SendResult,
    retry_after,
)
from herald.providers.incoming.callbacks import standard_signed
from herald.providers.incoming.inbound import gateway_inbound
from herald.providers.incoming.receipts import gateway_statuses

RETRIED = {408, 425, 429}
MAX_REASON = 300


def signing_key(secret: str) -> bytes:
    """The HMAC key of a secret: a `whsec_` secret carries it in Base64, any other is used as written."""
    if secret.startswith("whsec_"):
        return base64.b64decode(secret[len("whsec_") :])
    return secret.encode()


def signature(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` value of one request."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def body_of(item: Outgoing, sender: str | None = None, callback: str | None = None) -> bytes:
    return json.dumps(
        {
            "type": "message.send",
            "id": item.idempotency_key,
            "reference": str(item.message_id),
            "channel": item.channel,
            "to": item.to,
            "from": item.sender or sender,
            "body": item.body,
            "subject": item.subject,
            "html": item.html,
            "payload": dict(item.payload),
            "status_callback": callback,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()


def answer(status: int, headers: Mapping[str, str], text: str) -> SendResult:
    """The gateway's HTTP answer as a send result."""
    found = json_object(text)
    if 200 <= status < 300:
        given = found.get("id") or found.get("message_id")
        return Accepted(str(given)) if given else Accepted("")
    reason = str(found.get("error") or found.get("message") or text.strip() or f"HTTP {status}")[:MAX_REASON]
    if status in RETRIED or status >= 500:
        return Retryable(f"HTTP {status}: {reason}", retry_after(headers), fault=status >= 500)
    if status in (401, 403):  # the gateway refuses the account's key: nothing goes through it
        return Retryable(f"HTTP {status}: {reason}", fatal=True)
    return Permanent(f"HTTP {status}: {reason}")


class WebhookProvider(KeepsSession):
    kind = "webhook"

    def __init__(
        self,
        url: str,
        secret: str,
        timeout: float = 10.0,
        deduplicates: bool = False,
        sender: str | None = None,
        callback: str | None = None,
    ) -> None:
        self.url, self.key, self.timeout, self.sender = url, signing_key(secret), timeout, sender
        self.callback = callback  # where the gateway posts its status callbacks (Herald's route)
        self.deduplicates = deduplicates  # the gateway drops a webhook-id it has seen: a resend is safe

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]:
        return await each(
            batch,
            self.timeout,
            self._one,
            "the gateway",
            self.deduplicates,
            kept=self.session,
            in_flight=self.in_flight,
        )

    async def _one(self, session: aiohttp.ClientSession, item: Outgoing) -> SendResult:
        body, stamp = body_of(item, self.sender, self.callback), int(time.time())
        headers = {
            "content-type": "application/json",
            "webhook-id": item.idempotency_key,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature(self.key, item.idempotency_key, stamp, body),
        }
        async with session.post(self.url, data=body, headers=headers) as response:
            return answer(response.status, response.headers, await response.text())

    async def check(self) -> Checked:
        """A signed `{"type": "ping"}`: a gateway that verifies the signature and answers 2xx is ready."""
        stamp, wid = int(time.time()), f"ping-{int(time.time() * 1000)}"
        body = json.dumps({"type": "ping", "id": wid}).encode()
        headers = {
            "content-type": "application/json",
            "webhook-id": wid,
            "webhook-timestamp": str(stamp),
            "webhook-signature": signature(self.key, wid, stamp, body),
        }
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                async with session.post(self.url, data=body, headers=headers) as response:
                    text = (await response.text()).strip()[:MAX_REASON]
                    ok = 200 <= response.status < 300
                    return Checked(
                        ok, f"{self.url} answered {response.status}" + (f": {text}" if text and not ok else "")
                    )
        except (TimeoutError, aiohttp.ClientError) as exc:
            return Checked(False, f"{self.url}: {type(exc).__name__} {exc}".strip())

    def verify(self, callback: Callback) -> bool:
        """Whether the gateway signed this callback with the account's secret, within five minutes."""
        return standard_signed(self.key, callback)

    def parse_webhook(self, callback: Callback) -> list[Report]:
        """The delivery report or inbound message in a verified callback (ValueError when it is not shaped
        as the vendor's)."""
        return gateway_statuses(callback) or gateway_inbound(callback)
