"""A stand-in for Twilio's Messages API on loopback, in its documented wire format: POST
/2010-04-01/Accounts/{AccountSid}/Messages.json, form-encoded, HTTP Basic auth by the account SID and
auth token (or an API key); 201 with the message resource (`sid` SM…, `status` queued), or Twilio's error
JSON (`code`, `message`, `more_info`, `status`) for the faults a test asks of a number. A message given a
`StatusCallback` gets its receipts there a moment later — `sent`, then `delivered` (or `undelivered` with
30003 for a number faulted `unreachable`) — form-encoded and signed with X-Twilio-Signature."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from aiohttp import web

from herald.sandbox.faults import Faults
from herald.sandbox.receipts import Sent, twilio_signed
from herald.sandbox.replies import Replying
from herald.sandbox.serving import serving

SID, TOKEN = "AC" + "5e" * 16, "twilio-auth-token-0123"
# number -> (HTTP status, Twilio error code, message)
ERRORS = {
    "invalid": (400, 21211, "The 'To' number is not a valid phone number."),
    "opted-out": (400, 21610, "Attempt to send to unsubscribed recipient"),
    "not-mobile": (400, 21614, "'To' number is not a valid mobile number"),
    "busy": (429, 20429, "Too Many Requests"),
    "down": (503, 20500, "Service Unavailable"),
}


DRAWN = {"busy": "busy", "broken": "down", "hang": "hang"}  # a random fault as Twilio shows it


@dataclass
class FakeTwilio:
    faults: dict[str, str] = field(default_factory=dict)  # To -> a key of ERRORS, or "hang"
    created: list[dict[str, list[str]]] = field(default_factory=list)  # the form of each message created
    random: Faults = field(default_factory=Faults)  # faults drawn for any number
    url: str = ""
    receipts: Sent = field(default_factory=Sent)  # status callbacks posted, and what Herald answered
    replies: Replying = field(default_factory=Replying)  # who writes back to what they got

    def error(self, status: int, code: int, message: str) -> web.Response:
        body = {
            "code": code,
            "message": message,
            "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status,
        }
        return web.json_response(body, status=status)

    def authentic(self, request: web.Request) -> bool:
        expected = "Basic " + base64.b64encode(f"{SID}:{TOKEN}".encode()).decode()
        return request.headers.get("Authorization") == expected and request.match_info["sid"] == SID

    async def account(self, request: web.Request) -> web.Response:
        """The Account resource (`herald providers check`)."""
        if not self.authentic(request):
            return self.error(401, 20003, "Authenticate")
        return web.json_response({"sid": SID, "friendly_name": "Herald sandbox", "status": "active", "type": "Full"})

    async def create(self, request: web.Request) -> web.Response:
        if not self.authentic(request):
            return self.error(401, 20003, "Authenticate")
        fields = await request.post()
        form = {k: [str(v) for v in fields.getall(k)] for k in fields}
        to = form["To"][0].removeprefix("whatsapp:")
        await self.random.wait()
        fault = self.faults.get(to) or DRAWN.get(self.random.draw() or "", "")
        if fault in ERRORS:
            return self.error(*ERRORS[fault])
        self.created.append(form)
        sid = f"SM{len(self.created):032x}"
        for status in ("sent", "undelivered" if fault == "unreachable" else "delivered"):
            self.receipt(form, sid, status)
        if fault != "unreachable":
            self.reply(form, sid)
            for i, (url, agent) in enumerate(self.replies.visits(form["Body"][0])):
                self.receipts.visit(url, agent, 3.0 + 0.05 * i)  # later than a link scanner would
        if fault == "hang":
            await asyncio.sleep(5)
        return web.json_response(
            {"sid": sid, "status": "queued", "to": form["To"][0], "body": form["Body"][0]}, status=201
        )

    def receipt(self, form: dict[str, list[str]], sid: str, status: str) -> None:
        """Post one status callback to the message's StatusCallback, as Twilio signs it."""
        url = (form.get("StatusCallback") or [""])[0]
        if not url:
            return
        fields = {"MessageSid": sid, "SmsSid": sid, "AccountSid": SID, "MessageStatus": status, "To": form["To"][0]}
        fields["ErrorCode"] = "30003" if status == "undelivered" else ""
        headers = {"X-Twilio-Signature": twilio_signed(TOKEN, url, fields)}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.receipts.later(
            url, f"{sid}:{status}", urlencode(fields).encode(), headers, 0.05 if status == "sent" else 0.1
        )

    def reply(self, form: dict[str, list[str]], sid: str) -> None:
        """The person writes back: posted to the number's incoming-message webhook, which the stand-in takes
        to be beside the StatusCallback Herald gave (`…/status` → `…/inbound`), signed as Twilio signs."""
        callback = (form.get("StatusCallback") or [""])[0]
        base, _, query = callback.partition("?")
        text = self.replies.reply_to(form["To"][0], parse_qs(query).get("ref", [""])[0]) if callback else None
        if text is None or not base.endswith("/status"):
            return
        url = base.removesuffix("/status") + "/inbound"
        reply_sid = "SM" + hashlib.sha256(f"{sid}:reply".encode()).hexdigest()[:32]
        fields = {"MessageSid": reply_sid, "SmsSid": reply_sid, "AccountSid": SID, "SmsStatus": "received"}
        fields |= {"From": form["To"][0], "To": (form.get("From") or [""])[0], "Body": text, "NumMedia": "0"}
        headers = {"X-Twilio-Signature": twilio_signed(TOKEN, url, fields)}
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.receipts.later(url, f"{reply_sid}:inbound", urlencode(fields).encode(), headers, 0.15)


@contextmanager
def running(fake: FakeTwilio, port: int = 0) -> Iterator[FakeTwilio]:
    def routes(app: web.Application) -> None:
        app.router.add_post("/2010-04-01/Accounts/{sid}/Messages.json", fake.create)
        app.router.add_get("/2010-04-01/Accounts/{sid}.json", fake.account)
        app.on_cleanup.append(fake.receipts.close)

    with serving(routes, port) as url:
        fake.url = url
        yield fake
