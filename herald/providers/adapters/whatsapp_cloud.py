"""The `whatsapp_cloud` provider: Meta's WhatsApp Cloud API on the Graph API.

One JSON POST per message to `{base_url}/{version}/{phone_number_id}/messages` with the account's bearer
token: `messaging_product: "whatsapp"`, `to`, and a `template` (the name, language and components Herald
composed from an approved version), or `text` inside the customer-service window (an `image` by link when
the message carries media). `biz_opaque_callback_data` carries the message's own id, so that its status
webhooks settle it. Meta answers `messages[0].id` (a `wamid.…`) or an `error` object whose `code` is
mapped once here. The Cloud API keeps no idempotency key, so no answer is Uncertain, never resent blindly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

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
from herald.providers.incoming.callbacks import meta_signed
from herald.providers.incoming.inbound import meta_messages
from herald.providers.incoming.receipts import META_UNREACHABLE, meta_statuses

# Slow down: the number's throughput (130429), the pair rate to one user (131056), app and account rate
# limits (4, 80007) and spam limits (131048); the seconds are the least wait worth trying.
PACED = {130429: 1.0, 131056: 6.0, 4: 60.0, 80007: 60.0, 131048: 60.0}
DAY = 86_400.0
# The account cannot send: token expired or refused, permission, locked, payment, number not registered.
FATAL = {190, 10, 200, 368, 131031, 131042, 133010}
# Meta's side failed; the same request may succeed later.
TRANSIENT = {1, 2, 131000, 131016}


def message_body(item: Outgoing) -> dict[str, Any]:
    """The Cloud API request for one message."""
    body: dict[str, Any] = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": item.to.lstrip("+")}
    if "template" in item.payload:
        body |= {"type": "template", "template": dict(item.payload["template"])}
    elif item.payload.get("media"):
        body |= {"type": "image", "image": {"link": item.payload["media"][0], "caption": item.body}}
    else:
        body |= {"type": "text", "text": {"preview_url": "http" in item.body, "body": item.body}}
    body["biz_opaque_callback_data"] = str(item.message_id)
    return body


# Undeliverable on WhatsApp (not a user, an app too old, terms not accepted): another channel may reach them.
UNDELIVERABLE = META_UNREACHABLE


def answer(status: int, headers: Mapping[str, str], text: str) -> SendResult:
    """Meta's answer as a send result; Meta's code is kept."""
    found = json_object(text)
    messages = found.get("messages")
    if 200 <= status < 300 and isinstance(messages, list) and messages and isinstance(messages[0], dict):
        if messages[0].get("id"):
            return Accepted(str(messages[0]["id"]))
    error = _part(found, "error")
    code = error.get("code") if isinstance(error.get("code"), int) else None
    details = _part(error, "error_data").get("details")
    reason = f"{code or status}: {details or error.get('message') or text.strip()[:200] or 'no reason given'}"
    return _mapped(status, code, reason, headers)


def _mapped(status: int, code: int | None, reason: str, headers: Mapping[str, str]) -> SendResult:
    if code in PACED or status == 429:
        return Retryable(reason, retry_after(headers) or PACED.get(code or 0, 60.0))
    if code == 131049:  # this user had their share of marketing from all businesses: not again today
        return Retryable(reason, DAY)
    if code in FATAL or status in (401, 403):
        return Retryable(reason, fatal=True)
    if code in TRANSIENT or status >= 500:
        return Retryable(reason, retry_after(headers), fault=True)
    return Permanent(reason, code=str(code) if code else None, fallback=code in UNDELIVERABLE)


def _part(found: Mapping[str, Any], key: str) -> dict[str, Any]:
    value = found.get(key)
    return value if isinstance(value, dict) else {}


class WhatsAppCloudProvider(KeepsSession):
    kind = "whatsapp_cloud"
    deduplicates = False  # the Cloud API takes no idempotency key

    def __init__(
        self,
        phone_number_id: str,
        access_token: str,
        base_url: str = "https://graph.facebook.com",
        api_version: str = "v23.0",
        timeout: float = 10.0,
        app_secret: str | None = None,
    ) -> None:
        self.app_secret = app_secret  # Meta signs its webhooks with the app's secret
        self.graph = f"{base_url.rstrip('/')}/{api_version}"
        self.url = f"{self.graph}/{phone_number_id}/messages"
        self.number = phone_number_id
        self.headers = {"authorization": f"Bearer {access_token}", "content-type": "application/json"}
        self.timeout = timeout

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]:
        return await each(
            batch, self.timeout, self._one, "the WhatsApp Cloud API", kept=self.session, in_flight=self.in_flight
        )

    async def _one(self, session: aiohttp.ClientSession, item: Outgoing) -> SendResult:
        data = json.dumps(message_body(item), ensure_ascii=False).encode()
        url = f"{self.graph}/{item.sender}/messages" if item.sender else self.url
        async with session.post(url, data=data, headers=self.headers) as response:
            return answer(response.status, response.headers, await response.text())

    async def check(self) -> Checked:
        """Fetch the phone number: the token is good and the number is there, with its quality rating."""
        url = f"{self.graph}/{self.number}?fields=display_phone_number,verified_name,quality_rating"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                async with session.get(url, headers=self.headers) as response:
                    status, found = response.status, json_object(await response.text())
        except (TimeoutError, aiohttp.ClientError) as exc:
            return Checked(False, f"WhatsApp Cloud API: {type(exc).__name__} {exc}".strip())
        if status != 200:
            error = _part(found, "error")
            return Checked(False, f"{error.get('code') or status}: {error.get('message') or 'refused'}")
        name, number = found.get("verified_name"), found.get("display_phone_number")
        return Checked(True, f"{number} ({name}), quality {found.get('quality_rating') or 'unknown'}")

    def verify(self, callback: Callback) -> bool:
        """Whether Meta signed this webhook (X-Hub-Signature-256, with the app secret); without an
        `app_secret` configured, no webhook can be told genuine, so none is."""
        return self.app_secret is not None and meta_signed(self.app_secret, callback)

    def parse_webhook(self, callback: Callback) -> list[Report]:
        """The delivery reports and inbound messages in a verified callback (ValueError when it is not
        shaped as the vendor's)."""
        return meta_statuses(callback) + meta_messages(callback)
