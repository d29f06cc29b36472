"""A stand-in for an in-house SMS/e-mail gateway fed by Herald's `webhook` provider. It checks each
request as a Standard Webhooks receiver must (the three headers, the HMAC-SHA256 signature over
`id.timestamp.body` compared in constant time, a timestamp within five minutes) and answers as a gateway
would: 202 with its own id, or the fault a test asks of an address (429 with Retry-After, 500, 400 with
an error, or no answer at all). A message with a `status_callback` gets its status there a moment later,
signed the same way: `delivered`, or `undelivered` for an address faulted `unreachable`."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from aiohttp import web

from herald.sandbox.faults import Faults
from herald.sandbox.receipts import Sent
from herald.sandbox.replies import Replying
from herald.sandbox.serving import serving

SECRET = "whsec_" + base64.b64encode(b"gateway signing key of 32 bytes!").decode()
TOLERANCE = 300


@dataclass
class FakeGateway:
    faults: dict[str, str] = field(default_factory=dict)  # address -> busy | broken | refuse | hang | once-busy
    received: dict[str, dict] = field(default_factory=dict)  # webhook-id -> body, each delivered once
    repeats: list[str] = field(default_factory=list)  # webhook-ids that came again
    refused: list[str] = field(default_factory=list)  # why requests were refused as unauthentic
    random: Faults = field(default_factory=Faults)  # faults drawn for any address
    url: str = ""
    peers: set[tuple[str, int]] = field(default_factory=set)  # the client ends of the connections used
    receipts: Sent = field(default_factory=Sent)  # status callbacks posted, and what Herald answered
    replies: Replying = field(default_factory=Replying)  # who writes back to what they got
    in_flight: int = 0
    peak: int = 0  # the most requests it was answering at once

    def authentic(self, request: web.Request, body: bytes) -> str | None:
        """Why the request is not authentic, or None."""
        wid, stamp, signed = (request.headers.get(h) for h in ("webhook-id", "webhook-timestamp", "webhook-signature"))
        if not (wid and stamp and signed):
            return "missing headers"
        if not stamp.isdigit() or abs(time.time() - int(stamp)) > TOLERANCE:
            return "stale timestamp"
        key = base64.b64decode(SECRET.removeprefix("whsec_"))
        expected = base64.b64encode(hmac.new(key, f"{wid}.{stamp}.".encode() + body, hashlib.sha256).digest())
        given = [s.split(",", 1)[1].encode() for s in signed.split() if s.startswith("v1,")]
        return None if any(hmac.compare_digest(expected, g) for g in given) else "bad signature"

    async def handle(self, request: web.Request) -> web.Response:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            return await self._handle(request)
        finally:
            self.in_flight -= 1

    async def _handle(self, request: web.Request) -> web.Response:
        self.peers.add(request.transport.get_extra_info("peername") if request.transport else ("", 0))
        body = await request.read()
        why = self.authentic(request, body)
        if why:
            self.refused.append(why)
            return web.json_response({"error": why}, status=401)
        message, wid = json.loads(body), request.headers["webhook-id"]
        if message.get("type") == "ping":  # `herald providers check`
            return web.json_response({"pong": wid})
        await self.random.wait()
        fault = self.faults.get(message["to"]) or self.random.draw()
        if fault == "once-busy":
            self.faults.pop(message["to"])
            return web.json_response({"error": "slow down"}, status=429, headers={"Retry-After": "30"})
        if fault == "busy":
            return web.json_response({"error": "slow down"}, status=429, headers={"Retry-After": "30"})
        if fault == "broken":
            return web.Response(status=500, text="upstream carrier unavailable")
        if fault == "refuse":
            return web.json_response({"error": "invalid number"}, status=400)
        if wid in self.received:
            self.repeats.append(wid)
        else:
            self.received[wid] = message
            self.receipt(message, f"gw-{len(self.received)}", "undelivered" if fault == "unreachable" else "delivered")
            if fault != "unreachable":
                self.reply(message, f"gw-{len(self.received)}")
                for i, (url, agent) in enumerate(self.replies.visits(str(message.get("body") or ""))):
                    self.receipts.visit(url, agent, 3.0 + 0.05 * i)  # later than a link scanner would
        if fault == "hang":  # delivered, but the answer never comes back in time
            await asyncio.sleep(5)
        return web.json_response({"id": f"gw-{len(self.received)}"}, status=202)

    def receipt(self, message: dict, own_id: str, status: str) -> None:
        """Post the message's status to its status_callback, signed as Standard Webhooks sign."""
        url = message.get("status_callback")
        if not url:
            return
        said = {"type": "message.status", "reference": message.get("reference"), "id": own_id, "status": status}
        said |= {"code": "UNREACHABLE" if status == "undelivered" else None, "timestamp": int(time.time())}
        self.post(url, f"evt_{own_id}_{status}", said, 0.05)

    def reply(self, message: dict, own_id: str) -> None:
        """The person writes back: an inbound message posted to the same callback address."""
        url = message.get("status_callback")
        text = self.replies.reply_to(message["to"], message.get("reference")) if url else None
        if text is None or url is None:
            return
        said = {"type": "message.inbound", "id": f"{own_id}-in", "from": message["to"], "to": message.get("from")}
        said |= {"channel": message.get("channel") or "sms", "text": text, "replied_to": own_id}
        self.post(url, f"evt_{own_id}_inbound", said | {"timestamp": int(time.time())}, 0.15)

    def post(self, url: str, wid: str, said: dict, delay: float) -> None:
        """Post an event, signed as Standard Webhooks sign."""
        stamp, body = int(time.time()), json.dumps(said).encode()
        key = base64.b64decode(SECRET.removeprefix("whsec_"))
        signed = base64.b64encode(hmac.new(key, f"{wid}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
        headers = {"webhook-id": wid, "webhook-timestamp": str(stamp), "webhook-signature": f"v1,{signed}"}
        self.receipts.later(url, wid, body, headers | {"Content-Type": "application/json"}, delay)


@contextmanager
def running(fake: FakeGateway, port: int = 0) -> Iterator[FakeGateway]:
    def routes(app: web.Application) -> None:
        app.router.add_post("/send", fake.handle)
        app.on_cleanup.append(fake.receipts.close)

    with serving(routes, port) as url:
        fake.url = f"{url}/send"
        yield fake
