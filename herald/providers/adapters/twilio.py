"""The `twilio` provider: Programmable Messaging's Messages API, for SMS, MMS and WhatsApp.

One form-encoded POST per message to `{base_url}/2010-04-01/Accounts/{AccountSid}/Messages.json` with HTTP
Basic auth (the account SID and auth token, or an API key's SID and secret): `To`, `From` or
`MessagingServiceSid`, `Body`, `MediaUrl` (repeated, https only), `ValidityPeriod`, and `StatusCallback`
carrying the message's own reference so that a receipt settles it. WhatsApp addresses are written
`whatsapp:+…`. Twilio answers 201 with the message's `sid`, or an error body
`{"code": 21211, "message": …, "more_info": …, "status": 400}`, mapped once here. Twilio does not
de-duplicate a repeated create, so a request that got no answer is Uncertain, never resent blindly.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from urllib.parse import urlencode

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
from herald.providers.incoming.callbacks import twilio_signed
from herald.providers.incoming.inbound import twilio_inbound
from herald.providers.incoming.receipts import twilio_statuses

# Codes worth waiting out: too many requests, and queue overflow.
RETRIED_CODES = {20429, 21611, 30001}
# The account cannot send: credentials refused, the account suspended or closed.
FATAL_CODES = {20003, 20005, 20008}
# The recipient has opted out of the sender (STOP): their address is suppressed, not merely failed.
OPTED_OUT = {21610}


def form(
    item: Outgoing, sender: Mapping[str, str], validity: int | None, callback: str | None
) -> list[tuple[str, str]]:
    """The POST's fields for one message (a list: MediaUrl repeats)."""
    whatsapp = item.channel == "whatsapp"
    fields = [("To", f"whatsapp:{item.to}" if whatsapp else item.to)]
    if item.sender:
        fields.append(("From", f"whatsapp:{item.sender}" if whatsapp else item.sender))
    elif "messaging_service_sid" in sender:
        fields.append(("MessagingServiceSid", sender["messaging_service_sid"]))
    else:
        fields.append(("From", f"whatsapp:{sender['from']}" if whatsapp else sender["from"]))
    fields.append(("Body", item.body))
    fields += [("MediaUrl", url) for url in item.payload.get("media", ())]
    if validity:
        fields.append(("ValidityPeriod", str(validity)))
    if callback:
        fields.append(("StatusCallback", f"{callback}{'&' if '?' in callback else '?'}ref={item.message_id}"))
    return fields


def answer(status: int, headers: Mapping[str, str], text: str) -> SendResult:
    """Twilio's answer to a create as a send result; the vendor's code is kept in the reason."""
    found = json_object(text)
    if status in (200, 201) and found.get("sid"):
        return Accepted(str(found["sid"]))
    code = found.get("code")
    reason = f"{code or status}: {found.get('message') or text.strip()[:200] or 'no reason given'}"
    if status == 429 or code in RETRIED_CODES or status >= 500:
        return Retryable(reason, retry_after(headers), fault=status >= 500)
    if status in (401, 403) or code in FATAL_CODES:  # the account cannot send: the message waits for another
        return Retryable(reason, fatal=True)
    if code in OPTED_OUT:
        return Permanent(reason, code=str(code), suppress="unsubscribed")
    return Permanent(reason, code=str(code) if code else None)


class TwilioProvider(KeepsSession):
    kind = "twilio"
    deduplicates = False  # Twilio takes no idempotency key on create

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        sender: Mapping[str, str],
        base_url: str = "https://api.twilio.com",
        api_key_sid: str | None = None,
        validity_period: int | None = None,
        status_callback: str | None = None,
        timeout: float = 10.0,
        callback_token: str | None = None,
    ) -> None:
        # Twilio signs its callbacks with the account's auth token (not an API key's secret).
        self.signing_token = callback_token or auth_token
        self.url = f"{base_url.rstrip('/')}/2010-04-01/Accounts/{account_sid}/Messages.json"
        login = base64.b64encode(f"{api_key_sid or account_sid}:{auth_token}".encode()).decode()
        self.headers = {"authorization": f"Basic {login}", "content-type": "application/x-www-form-urlencoded"}
        self.sender, self.validity, self.callback, self.timeout = (
            dict(sender),
            validity_period,
            status_callback,
            timeout,
        )

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]:
        return await each(batch, self.timeout, self._one, "Twilio", kept=self.session, in_flight=self.in_flight)

    async def _one(self, session: aiohttp.ClientSession, item: Outgoing) -> SendResult:
        body = urlencode(form(item, self.sender, self.validity, self.callback))
        async with session.post(self.url, data=body, headers=self.headers) as response:
            return answer(response.status, response.headers, await response.text())

    async def check(self) -> Checked:
        """Fetch the account (`GET /2010-04-01/Accounts/{AccountSid}.json`): the credentials are good and the
        account is active."""
        url = self.url.removesuffix("/Messages.json") + ".json"
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                async with session.get(url, headers=self.headers) as response:
                    found = json_object(await response.text())
        except (TimeoutError, aiohttp.ClientError) as exc:
            return Checked(False, f"Twilio: {type(exc).__name__} {exc}".strip())
        if response.status != 200:
            return Checked(False, f"{found.get('code') or response.status}: {found.get('message') or 'refused'}")
        status = found.get("status")
        return Checked(status == "active", f"account {found.get('friendly_name') or found.get('sid')} is {status}")

    def verify(self, callback: Callback) -> bool:
        """Whether Twilio signed this callback (X-Twilio-Signature, with the account's auth token)."""
        return twilio_signed(self.signing_token, callback)

    def parse_webhook(self, callback: Callback) -> list[Report]:
        """The delivery reports or the inbound message in a verified callback (ValueError when it is not
        shaped as the vendor's)."""
        return twilio_statuses(callback) or twilio_inbound(callback)
