"""Number verification: the carrier check the number itself cannot give (is it live, which network has it
now, is it really a mobile). A `Lookup` answers per number with a `Looked` result, or Retryable when the
vendor asks to come back later, or Permanent when it refuses the request. Twilio Lookup v2 is the one
adapter; it is paid per request and off unless configured.

Twilio: GET {base}/v2/PhoneNumbers/{E.164}?Fields=line_type_intelligence with HTTP Basic auth (an Account
SID or API key and its secret). The answer holds `valid`, `validation_errors`, `country_code` and a
`line_type_intelligence` object with `type` and `carrier_name`."""

from __future__ import annotations

import asyncio
import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

import aiohttp

from herald.providers.base import Permanent, Retryable

# Twilio's line types, in the words phone numbers use everywhere else in Herald (see contacts.normalize).
TWILIO_TYPES = {
    "landline": "fixed_line",
    "mobile": "mobile",
    "fixedVoip": "voip",
    "nonFixedVoip": "voip",
    "personal": "personal",
    "tollFree": "toll_free",
    "premium": "premium_rate",
    "sharedCost": "shared_cost",
    "uan": "uan",
    "voicemail": "voicemail",
    "pager": "pager",
    "unknown": "unknown",
}


@dataclass(frozen=True, slots=True)
class Looked:
    """What the vendor knows of a number."""

    e164: str
    valid: bool
    line_type: str | None = None
    carrier: str | None = None
    country: str | None = None
    errors: tuple[str, ...] = ()


LookupResult = Looked | Retryable | Permanent


class Lookup(Protocol):
    name: str

    async def lookup(self, numbers: Sequence[str]) -> list[LookupResult]: ...


class TwilioLookup:
    """Twilio Lookup v2 with Line Type Intelligence, a few requests at a time."""

    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        base_url: str = "https://lookups.twilio.com",
        concurrency: int = 8,
        timeout: float = 15.0,
    ) -> None:
        token = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}"}  # HTTP Basic; the secret is never logged
        self.base_url, self.concurrency = base_url.rstrip("/"), concurrency
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def lookup(self, numbers: Sequence[str]) -> list[LookupResult]:
        gate = asyncio.Semaphore(self.concurrency)
        async with aiohttp.ClientSession(headers=self.headers, timeout=self.timeout) as session:

            async def one(number: str) -> LookupResult:
                async with gate:
                    return await self._one(session, number)

            return list(await asyncio.gather(*(one(n) for n in numbers)))

    async def _one(self, session: aiohttp.ClientSession, number: str) -> LookupResult:
        url = f"{self.base_url}/v2/PhoneNumbers/{quote(number, safe='')}"
        try:
            async with session.get(url, params={"Fields": "line_type_intelligence"}) as response:
                body = await response.json(content_type=None)
                return answer(number, response.status, body, response.headers.get("Retry-After"))
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            return Retryable(f"lookup failed: {type(exc).__name__}")


def answer(number: str, status: int, body: object, retry_after: str | None = None) -> LookupResult:
    """Twilio's answer for one number, mapped once."""
    if status == 200 and isinstance(body, dict):
        line = body.get("line_type_intelligence") or {}
        return Looked(
            e164=body.get("phone_number") or number,
            valid=bool(body.get("valid")),
            line_type=TWILIO_TYPES.get(line.get("type") or "", None) if line.get("type") else None,
            carrier=line.get("carrier_name"),
            country=body.get("country_code"),
            errors=tuple(body.get("validation_errors") or ()),
        )
    detail = body.get("message") if isinstance(body, dict) else None
    code = body.get("code") if isinstance(body, dict) else None
    reason = f"Twilio {status}" + (f" {code}" if code else "") + (f": {detail}" if detail else "")
    if status == 429 or status >= 500:
        return Retryable(reason, float(retry_after) if retry_after and retry_after.isdigit() else None)
    if status == 404:  # Twilio answers 404 for a number it cannot parse at all
        return Looked(e164=number, valid=False, errors=(reason,))
    return Permanent(reason)
