"""A stand-in for Alibaba Cloud SMS (dysmsapi 2017-05-25) on loopback: RPC calls POSTed to `/` with their
parameters in the query and the V3 signature (ACS3-HMAC-SHA256) checked as Aliyun checks it — the
AccessKey, the signed headers, a fresh date and an unused nonce. `SendSms` wants an approved signature and
template, a `TemplateParam` of strings naming exactly the template's variables, and counts each number's
messages per signature and template against Aliyun's daily limit; `GetSmsSign` answers for the
signature; `QuerySendDetails` finds what was sent to a number, with its `OutId`. With a `report_url`, each
message's SmsReport is pushed there a moment later, as Aliyun's HTTP push does: a JSON array, unsigned
(the address carries the secret), delivered — or not, `MOBILE_NOT_ON_SERVICE`, for a number faulted
`unreachable`."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

from aiohttp import web

from herald.sandbox.faults import Faults
from herald.sandbox.receipts import Sent
from herald.sandbox.replies import Replying
from herald.sandbox.serving import serving

KEY_ID, SECRET, SIGN = "LTAI5tSandboxKeyId01", "sandbox-access-key-secret-0123456789", "Herald"
REPORT_TOKEN = "sandbox-aliyun-report-token-0123"  # ends the address its reports are pushed to
CHINA = timezone(timedelta(hours=8))
# Approved templates: code -> its variables (the text is Aliyun's, as approved).
TEMPLATES = {"SMS_154950909": ("name", "code"), "SMS_154950910": ("name",)}
DAILY_LIMIT = 50  # notices and promotions: one number, one signature and template, per rolling day
# number -> (Code, Message) Aliyun answers
ERRORS = {
    "illegal": ("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号"),
    "limited": ("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1"),
    "no-balance": ("isv.AMOUNT_NOT_ENOUGH", "账户余额不足"),
    "busy": ("Throttling.User", "Request was denied due to user flow control."),
    "down": ("isp.SYSTEM_ERROR", "isp.SYSTEM_ERROR"),
}
DRAWN = {"busy": "busy", "broken": "down", "hang": "hang"}
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def expected_signature(request: web.Request, names: list[str]) -> str:
    """The V3 signature Aliyun computes for a request it received, from the parameters it parsed (so a
    client's percent-encoding must be the canonical one) and the headers the client says it signed."""
    query = "&".join(f"{quote(k, safe='-_.~')}={quote(v, safe='-_.~')}" for k, v in sorted(request.query.items()))
    headers = "".join(f"{n}:{request.headers.get(n, '').strip()}\n" for n in names)
    sha = request.headers.get("x-acs-content-sha256", "")
    canonical = "\n".join([request.method, request.path, query, headers, ";".join(names), sha])
    to_sign = "ACS3-HMAC-SHA256\n" + hashlib.sha256(canonical.encode()).hexdigest()
    return hmac.new(SECRET.encode(), to_sign.encode(), hashlib.sha256).hexdigest()


@dataclass
class FakeAliyun:
    # PhoneNumbers -> a key of ERRORS, "hang" (sent, then no answer) or "lost" (no answer, nothing sent)
    faults: dict[str, str] = field(default_factory=dict)
    sent: list[dict[str, str]] = field(default_factory=list)  # SendSms parameters of each message taken
    refused: list[str] = field(default_factory=list)  # why calls were refused as unauthentic
    random: Faults = field(default_factory=Faults)
    url: str = ""
    nonces: set[str] = field(default_factory=set)
    counts: Counter[tuple[str, str]] = field(default_factory=Counter)
    report_url: str = ""  # where SmsReport pushes go (Herald's route with the token), when set
    receipts: Sent = field(default_factory=Sent)  # reports pushed, and what Herald answered
    replies: Replying = field(default_factory=Replying)  # who writes back to what they got

    def authentic(self, request: web.Request) -> str | None:
        """Why the call is not Aliyun-authentic, or None."""
        auth = request.headers.get("Authorization", "")
        found = dict(re.findall(r"(Credential|SignedHeaders|Signature)=([^,\s]+)", auth))
        if not auth.startswith("ACS3-HMAC-SHA256 ") or found.get("Credential") != KEY_ID:
            return "InvalidAccessKeyId.NotFound"
        names = found.get("SignedHeaders", "").split(";")
        sha = request.headers.get("x-acs-content-sha256", "")
        if not {"host", "x-acs-action", "x-acs-date", "x-acs-signature-nonce"} <= set(names) or sha != EMPTY_SHA256:
            return "IncompleteSignature"
        if not hmac.compare_digest(found.get("Signature", ""), expected_signature(request, names)):
            return "SignatureDoesNotMatch"
        return self._fresh(request.headers["x-acs-date"], request.headers["x-acs-signature-nonce"])

    def _fresh(self, date: str, nonce: str) -> str | None:
        try:
            at = datetime.strptime(date, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        except ValueError:
            return "InvalidTimeStamp.Format"
        if abs(datetime.now(UTC) - at) > timedelta(minutes=15):
            return "InvalidTimeStamp.Expired"
        if nonce in self.nonces:
            return "SignatureNonceUsed"
        self.nonces.add(nonce)
        return None

    async def handle(self, request: web.Request) -> web.Response:
        why = self.authentic(request)
        if why:
            self.refused.append(why)
            return self.answer(why, "Specified signature is not matched with our calculation.", status=400)
        action = request.headers["x-acs-action"]
        params = dict(request.query)
        if action == "GetSmsSign":
            return self.sign(params)
        if action == "QuerySendDetails":
            return self.details(params)
        if action == "SendSms":
            return await self.send(params)
        return self.answer("InvalidAction.NotFound", f"Specified api {action} is not found.", status=404)

    def answer(self, code: str, message: str, status: int = 200, **extra: Any) -> web.Response:
        body = {"RequestId": f"sandbox-{len(self.nonces)}", "Code": code, "Message": message, **extra}
        return web.json_response(body, status=status, dumps=lambda o: json.dumps(o, ensure_ascii=False))

    def sign(self, params: dict[str, str]) -> web.Response:
        if params.get("SignName") != SIGN:
            return self.answer("isv.SMS_SIGN_ILLEGAL", "签名不存在")
        return self.answer("OK", "OK", SignName=SIGN, SignStatus=1, CreateDate="2026-01-08 16:44:13")

    async def send(self, params: dict[str, str]) -> web.Response:
        wrong = self.wrong(params)
        if wrong:
            return self.answer(*wrong)
        number = params["PhoneNumbers"]
        await self.random.wait()
        fault = self.faults.get(number) or DRAWN.get(self.random.draw() or "", "")
        if fault in ERRORS:
            return self.answer(*ERRORS[fault], status=503 if fault == "down" else 200)
        if fault == "lost":  # the request never reached Aliyun's records: it answers nothing, sends nothing
            await asyncio.sleep(5)
            return self.answer("isp.SYSTEM_ERROR", "lost")
        key = (number, params["TemplateCode"])
        if self.counts[key] >= DAILY_LIMIT:
            return self.answer("isv.BUSINESS_LIMIT_CONTROL", f"触发天级流控Permits:{DAILY_LIMIT}")
        self.counts[key] += 1
        self.sent.append(params)
        biz = f"{len(self.sent):06d}^{len(self.sent):010d}"
        self.report(params, biz, fault != "unreachable")
        if fault != "unreachable":
            self.reply(params)
        if fault == "hang":
            await asyncio.sleep(5)
        return self.answer("OK", "OK", BizId=biz)

    def report(self, params: dict[str, str], biz: str, success: bool) -> None:
        """Push the message's SmsReport, as Aliyun's HTTP push does (a JSON array, nothing signed)."""
        if not self.report_url:
            return
        now = datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        found = {"phone_number": params["PhoneNumbers"], "send_time": now, "report_time": now, "success": success}
        found |= {"err_code": "DELIVERED" if success else "MOBILE_NOT_ON_SERVICE"}
        found |= {"err_msg": "用户接收成功" if success else "停机", "sms_size": "1", "biz_id": biz}
        found |= {"out_id": params.get("OutId", "")}
        body = json.dumps([found], ensure_ascii=False).encode()
        self.receipts.later(self.report_url, biz, body, {"Content-Type": "application/json"}, 0.1)

    def reply(self, params: dict[str, str]) -> None:
        """The person writes back: an SmsUp push beside the SmsReport one (`…/report/…` → `…/up/…`)."""
        number = params["PhoneNumbers"].removeprefix("+").removeprefix("86")  # SmsUp gives the 11 digits
        text = self.replies.reply_to("+86" + number, params.get("OutId")) if self.report_url else None
        if text is None:
            return
        now = datetime.now(CHINA).strftime("%Y-%m-%d %H:%M:%S")
        sequence = len(self.replies.written)
        found = {"phone_number": number, "content": text, "send_time": now, "dest_code": "", "sequence_id": sequence}
        body = json.dumps([found], ensure_ascii=False).encode()
        url = self.report_url.replace("/report/", "/up/")
        self.receipts.later(url, f"up:{sequence}", body, {"Content-Type": "application/json"}, 0.15)

    def wrong(self, params: dict[str, str]) -> tuple[str, str] | None:
        """What Aliyun would refuse in a SendSms's parameters, or None."""
        if params.get("SignName") != SIGN:
            return ("isv.SMS_SIGNATURE_ILLEGAL", "短信签名不合法")
        variables = TEMPLATES.get(params.get("TemplateCode", ""))
        if variables is None:
            return ("isv.SMS_TEMPLATE_ILLEGAL", "短信模板不存在")
        if not re.fullmatch(r"(86)?1\d{10}|[1-9]\d{6,14}", params.get("PhoneNumbers", "")):
            return ERRORS["illegal"]
        try:
            values = json.loads(params.get("TemplateParam") or "{}")
        except ValueError:
            return ("isv.INVALID_JSON_PARAM", "JSON参数不合法")
        if not isinstance(values, dict) or not all(isinstance(v, str) for v in values.values()):
            return ("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值")
        if set(values) != set(variables):
            return ("isv.TEMPLATE_MISSING_PARAMETERS", "模板缺少变量")
        return None

    def details(self, params: dict[str, str]) -> web.Response:
        number = params.get("PhoneNumber", "")
        found = [
            {
                "PhoneNum": number,
                "SendStatus": 3,
                "ErrCode": "DELIVERED",
                "TemplateCode": p["TemplateCode"],
                "OutId": p.get("OutId", ""),
            }
            for p in self.sent
            if p["PhoneNumbers"] == number
        ]
        return self.answer("OK", "OK", TotalCount=len(found), SmsSendDetailDTOs={"SmsSendDetailDTO": found})


@contextmanager
def running(fake: FakeAliyun, port: int = 0) -> Iterator[FakeAliyun]:
    def routes(app: web.Application) -> None:
        app.router.add_post("/", fake.handle)
        app.on_cleanup.append(fake.receipts.close)

    with serving(routes, port) as url:
        fake.url = url
        yield fake
