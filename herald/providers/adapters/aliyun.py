"""The `aliyun` provider: Alibaba Cloud SMS (dysmsapi, API version 2017-05-25), the default way to mainland
China.

One `SendSms` per message, RPC style: a POST to `{endpoint}/` with the parameters in the query string —
`PhoneNumbers`, `SignName`, `TemplateCode`, `TemplateParam` (a JSON object of strings) and `OutId` (the
message's own reference, echoed in its receipt) — signed with the V3 scheme (ACS3-HMAC-SHA256 over a
canonical request of the method, path, sorted query, the `host` and `x-acs-*` headers and the body's
SHA-256). Aliyun answers `{"Code": "OK", "BizId": …}` or an error `Code`, mapped once here. Aliyun keeps
no idempotency key, so a request that got no answer is Uncertain: its receipt or `QuerySendDetails`
settles it, never a blind resend.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
from yarl import URL

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
    Unsettled,
    retry_after,
)
from herald.providers.incoming.callbacks import token_in_path
from herald.providers.incoming.inbound import aliyun_up
from herald.providers.incoming.receipts import aliyun_reports

VERSION = "2017-05-25"
ALGORITHM = "ACS3-HMAC-SHA256"
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
# Flow control names its window in its message: 触发分钟级流控 / 小时级 / 天级 (per number, rolling).
WINDOWS = {"分钟级": 60.0, "小时级": 3600.0, "天级": 86400.0}
# The account cannot send: credentials, permission, balance, a stopped service or an unapproved signature.
FATAL = {
    "InvalidAccessKeyId.NotFound",
    "InvalidAccessKeyId.Inactive",
    "SignatureDoesNotMatch",
    "Forbidden.RAM",
    "isp.RAM_PERMISSION_DENY",
    "isv.ACCOUNT_NOT_EXISTS",
    "isv.ACCOUNT_ABNORMAL",
    "isv.AMOUNT_NOT_ENOUGH",
    "isv.OUT_OF_SERVICE",
    "isv.DENY_IP_RANGE",
    "isv.SMS_SIGNATURE_ILLEGAL",
    "isv.SIGN_STATE_ILLEGAL",
    "isv.DAY_LIMIT_CONTROL",
    "isv.MONTH_LIMIT_CONTROL",
}
RETRIED = {"Throttling.User", "Throttling.Api", "Throttling", "isp.SYSTEM_ERROR", "ServiceUnavailable"}
INVALID_NUMBER = {"isv.MOBILE_NUMBER_ILLEGAL"}

CHINA = timezone(timedelta(hours=8), "Asia/Shanghai")  # Aliyun counts sending days in China's time


def encode(value: str) -> str:
    """RFC 3986 percent-encoding as the signature wants it: only A-Z a-z 0-9 - _ . ~ are left as they are."""
    return quote(value, safe="-_.~")


def canonical_query(params: Mapping[str, str]) -> str:
    return "&".join(f"{encode(k)}={encode(v)}" for k, v in sorted(params.items()))


def signature(
    secret: str, method: str, path: str, query: str, headers: Mapping[str, str], body_sha256: str
) -> tuple[str, str]:
    """(signed header names, hex signature) of a request, by the V3 scheme: HMAC-SHA256 with the AccessKey
    secret over `ACS3-HMAC-SHA256\\n` and the SHA-256 of the canonical request."""
    names = sorted(k.lower() for k in headers if k.lower() == "host" or k.lower().startswith("x-acs-"))
    lowered = {k.lower(): v.strip() for k, v in headers.items()}
    canonical_headers = "".join(f"{n}:{lowered[n]}\n" for n in names)
    signed = ";".join(names)
    request = "\n".join([method, path, query, canonical_headers, signed, body_sha256])
    to_sign = f"{ALGORITHM}\n{hashlib.sha256(request.encode()).hexdigest()}"
    return signed, hmac.new(secret.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


def signed_request(
    endpoint: str, key_id: str, secret: str, action: str, params: Mapping[str, str], now: datetime, nonce: str
) -> tuple[str, dict[str, str]]:
    """The URL and headers of one signed RPC call (parameters in the query, empty body)."""
    query = canonical_query(params)
    headers = {
        "host": urlsplit(endpoint).netloc,
        "x-acs-action": action,
        "x-acs-version": VERSION,
        "x-acs-date": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x-acs-signature-nonce": nonce,
        "x-acs-content-sha256": EMPTY_SHA256,
    }
    signed, hexsig = signature(secret, "POST", "/", query, headers, EMPTY_SHA256)
    headers["Authorization"] = f"{ALGORITHM} Credential={key_id},SignedHeaders={signed},Signature={hexsig}"
    return f"{endpoint.rstrip('/')}/?{query}", headers


def send_params(item: Outgoing, sign_name: str) -> dict[str, str] | None:
    """SendSms's parameters for one message (signed with its own sender's signature, else the account's),
    or None when its version names no Aliyun template."""
    template = item.payload.get("aliyun")
    if not template:
        return None
    params = {
        "PhoneNumbers": item.to.removeprefix("+"),  # 86138…: Aliyun takes the country code without +
        "SignName": item.sender or sign_name,
        "TemplateCode": template["template_code"],
        "OutId": str(item.message_id),
    }
    if template.get("template_param"):
        params["TemplateParam"] = json.dumps(template["template_param"], ensure_ascii=False, separators=(",", ":"))
    return params


def _by_number_and_day(items: Sequence[Unsettled]) -> dict[tuple[str, str], list[int]]:
    """Messages grouped as QuerySendDetails is asked: by number (86138…) and sending day in China."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for item in items:
        day = item.at.astimezone(CHINA).strftime("%Y%m%d")
        grouped.setdefault((item.to.removeprefix("+"), day), []).append(item.message_id)
    return grouped


def answer(status: int, headers: Mapping[str, str], text: str) -> SendResult:
    """Aliyun's answer to SendSms as a send result; its code is kept."""
    found = json_object(text)
    code = str(found.get("Code") or status)
    if status == 200 and code == "OK" and found.get("BizId"):
        return Accepted(str(found["BizId"]))
    reason = f"{code}: {found.get('Message') or text.strip()[:200] or 'no reason given'}"
    if code == "isv.BUSINESS_LIMIT_CONTROL":  # this number had its share for now: wait out the window named
        window = next((s for w, s in WINDOWS.items() if w in str(found.get("Message"))), 60.0)
        return Retryable(reason, window)
    if code in FATAL or status in (401, 403):
        return Retryable(reason, fatal=True)
    if code in RETRIED or status == 429 or status >= 500:
        return Retryable(reason, retry_after(headers), fault=status >= 500 or code == "isp.SYSTEM_ERROR")
    if code in INVALID_NUMBER:
        return Permanent(reason, code=code, suppress="invalid")
    return Permanent(reason, code=code)


class AliyunProvider(KeepsSession):
    kind = "aliyun"
    deduplicates = False  # Aliyun says so: a repeated SendSms is a second message

    def __init__(
        self,
        access_key_id: str,
        access_key_secret: str,
        sign_name: str,
        endpoint: str = "https://dysmsapi.aliyuncs.com",
        timeout: float = 10.0,
        report_token: str | None = None,
    ) -> None:
        self.key_id, self.secret, self.sign_name = access_key_id, access_key_secret, sign_name
        self.report_token = report_token  # the last segment of the address Aliyun pushes its reports to
        self.endpoint, self.timeout = endpoint, timeout

    async def send(self, batch: Sequence[Outgoing]) -> list[SendResult]:
        return await each(batch, self.timeout, self._one, "Aliyun", kept=self.session, in_flight=self.in_flight)

    async def _one(self, session: aiohttp.ClientSession, item: Outgoing) -> SendResult:
        params = send_params(item, self.sign_name)
        if params is None:  # routing keeps these away; a send-test or an old version may still come here
            return Permanent(
                "Aliyun sends only templates it approved: this version names no [sms.aliyun] template_code"
            )
        status, headers, text = await self._call(session, "SendSms", params)
        return answer(status, headers, text)

    async def _call(
        self, session: aiohttp.ClientSession, action: str, params: Mapping[str, str]
    ) -> tuple[int, Mapping[str, str], str]:
        url, headers = signed_request(
            self.endpoint, self.key_id, self.secret, action, params, datetime.now(UTC), uuid.uuid4().hex
        )
        async with session.post(URL(url, encoded=True), headers=headers) as response:
            return response.status, response.headers, await response.text()

    async def check(self) -> Checked:
        """Ask for the signature (`GetSmsSign`): the AccessKey is good and the signature is approved."""
        try:
            async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
                status, _, text = await self._call(session, "GetSmsSign", {"SignName": self.sign_name})
        except (TimeoutError, aiohttp.ClientError) as exc:
            return Checked(False, f"Aliyun: {type(exc).__name__} {exc}".strip())
        found = json_object(text)
        if status != 200 or found.get("Code") != "OK":
            return Checked(False, f"{found.get('Code') or status}: {found.get('Message') or 'refused'}")
        states: dict[Any, str] = {0: "under review", 1: "approved", 2: "rejected", 10: "withdrawn"}
        state = states.get(found.get("SignStatus"), f"in state {found.get('SignStatus')}")
        return Checked(found.get("SignStatus") == 1, f"signature 【{self.sign_name}】 is {state}")

    async def ask(self, items: Sequence[Unsettled]) -> dict[int, bool]:
        """Whether Aliyun took each message left unknown (QuerySendDetails by number and day, matched by
        OutId): True it did, False it has no record; a message that could not be asked about is left out."""
        found: dict[int, bool] = {}
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout)) as session:
            for (number, day), wanted in _by_number_and_day(items).items():
                taken = await self._taken(session, number, day)
                if taken is not None:
                    found.update({m: str(m) in taken for m in wanted})
        return found

    async def _taken(self, session: aiohttp.ClientSession, number: str, day: str) -> set[str] | None:
        """The OutIds Aliyun sent to a number on a day (China's), or None when it could not be asked."""
        params = {"PhoneNumber": number, "SendDate": day, "PageSize": "50", "CurrentPage": "1"}
        try:
            status, _, text = await self._call(session, "QuerySendDetails", params)
        except (TimeoutError, aiohttp.ClientError):
            return None
        found = json_object(text)
        if status != 200 or found.get("Code") != "OK":
            return None
        details = (found.get("SmsSendDetailDTOs") or {}).get("SmsSendDetailDTO") or []
        return {str(d.get("OutId")) for d in details if isinstance(d, Mapping)}

    def verify(self, callback: Callback) -> bool:
        """Whether an SmsReport push came to the address with the account's secret token (Aliyun signs
        nothing it pushes); without a `report_token`, none is believed."""
        return self.report_token is not None and token_in_path(self.report_token, callback)

    def parse_webhook(self, callback: Callback) -> list[Report]:
        """The receipts in an SmsReport push, or the messages in an SmsUp one (ValueError when it is not
        shaped as Aliyun's). SmsUp's items carry `content`; SmsReport's never do."""
        items = json.loads(callback.body)
        up = isinstance(items, list) and any(isinstance(i, dict) and "content" in i for i in items)
        return aliyun_up(callback) if up else aliyun_reports(callback)
