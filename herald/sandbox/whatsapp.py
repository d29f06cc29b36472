"""A stand-in for Meta's WhatsApp Cloud API on loopback: `POST /{version}/{phone-number-id}/messages` with a
bearer token, checked as Meta checks it — `messaging_product`, a recipient, a `text` body, an `image`
by https link, or a `template` that exists, is approved in that language and gets as many body parameters
as its text has placeholders — answered with `messages[0].id` (a `wamid.…`) or Meta's error object;
`GET /{version}/{phone-number-id}` for the number itself (two numbers of one business account); with a
`webhook` address, each message's `sent` and `delivered` statuses posted there, signed X-Hub-Signature-256
with APP_SECRET as Meta signs with the app's secret; and the business account's templates —
`POST /{version}/{waba-id}/message_templates` checked as Meta checks a submission (a name of lowercase
letters, digits and underscores, a category, a BODY, an example for each placeholder, no name and
language twice), answered PENDING, then reviewed as `review` says (APPROVED unless told) and listed
page by page by `GET`, an approved one then sendable."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

from herald.sandbox.faults import Faults
from herald.sandbox.receipts import Sent
from herald.sandbox.replies import Replying
from herald.sandbox.serving import serving

NUMBER_ID, TOKEN, VERSION = "106540352242922", "EAAGsandboxSystemUserToken0123", "v23.0"
WABA_ID = "102290129340398"
SECOND_NUMBER_ID = "106540352242923"  # the business account's second phone number (a sender of its own)
NUMBERS = (NUMBER_ID, SECOND_NUMBER_ID)
APP_SECRET = "sandbox-meta-app-secret"  # signs the webhooks the stand-in sends (X-Hub-Signature-256)
PAGE = 2  # templates per page of a listing, small so that paging is exercised
# Approved templates: (name, language) -> body text as Meta approved it.
TEMPLATES = {
    ("winter_sale", "en"): "Hi {{1}}, the Herald Shop winter sale starts today: 20% off for members.",
    ("winter_sale_b", "en"): "Herald Shop winter sale, {{1}}: 20% off for members today.",
    ("order_shipped", "en"): "Hi {{1}}, your order {{2}} has shipped.",
}
# number -> (HTTP status, Meta code, title, details)
ERRORS = {
    "not-on-whatsapp": (400, 131026, "Message undeliverable", "Unable to deliver message."),
    "pair-rate": (400, 131056, "(Business Account, Consumer Account) pair rate limit hit", "Too many messages."),
    "marketing-limit": (400, 131049, "This message was not delivered to maintain healthy ecosystem engagement.", ""),
    "window": (400, 131047, "Re-engagement message", "More than 24 hours have passed since the user replied."),
    "throughput": (400, 130429, "Rate limit hit", "Cloud API message throughput has been reached."),
    "down": (500, 131000, "Something went wrong", "Something went wrong."),
}
DRAWN = {"busy": "throughput", "broken": "down", "hang": "hang"}


@dataclass
class FakeWhatsApp:
    faults: dict[str, str] = field(default_factory=dict)  # wa_id -> a key of ERRORS, or "hang"
    sent: list[dict[str, Any]] = field(default_factory=list)  # each request taken
    sent_from: list[str] = field(default_factory=list)  # the phone-number id each was sent from
    webhook: str = ""  # where the app's webhook points (Herald's route); statuses go there when set
    receipts: Sent = field(default_factory=Sent)  # webhooks posted, and what Herald answered
    replies: Replying = field(default_factory=Replying)  # who writes back to what they got
    random: Faults = field(default_factory=Faults)
    url: str = ""
    approved: dict[tuple[str, str], str] = field(default_factory=lambda: dict(TEMPLATES))  # sendable
    submitted: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (name, language) -> template
    review: dict[str, tuple[str, str | None]] = field(default_factory=dict)  # name -> (status, reason) once reviewed

    def error(self, status: int, code: int, title: str, details: str = "") -> web.Response:
        body: dict[str, Any] = {"message": f"(#{code}) {title}", "type": "OAuthException", "code": code}
        body |= {"error_data": {"messaging_product": "whatsapp", "details": details or title}, "fbtrace_id": "AbCd"}
        return web.json_response({"error": body}, status=status)

    def authentic(self, request: web.Request, owners: tuple[str, ...] = NUMBERS) -> bool:
        ok = request.headers.get("Authorization") == f"Bearer {TOKEN}"
        return ok and request.match_info["number"] in owners and request.match_info["version"].startswith("v")

    async def submit(self, request: web.Request) -> web.Response:
        if not self.authentic(request, (WABA_ID,)):
            return self.error(401, 190, "Error validating access token: Session has expired")
        body = await request.json()
        wrong = self.wrong_submission(body)
        if wrong:
            return web.json_response(
                {"error": {"message": "Invalid parameter", "code": 100, "error_user_msg": wrong}}, status=400
            )
        template_id = str(900_000_000_000 + len(self.submitted))
        self.submitted[(body["name"], body["language"])] = {**body, "id": template_id, "status": "PENDING"}
        return web.json_response({"id": template_id, "status": "PENDING", "category": body["category"]})

    def wrong_submission(self, body: dict[str, Any]) -> str | None:
        name, language = str(body.get("name", "")), str(body.get("language", ""))
        if not re.fullmatch(r"[a-z0-9_]{1,512}", name):
            return f"Template name {name!r} may contain only lowercase letters, numbers and underscores"
        if (name, language) in self.submitted or (name, language) in TEMPLATES:
            return f"Content in this language already exists for {name} ({language})"
        if body.get("category") not in ("MARKETING", "UTILITY", "AUTHENTICATION"):
            return "Category is not valid"
        parts = {c.get("type"): c for c in body.get("components", [])}
        if "BODY" not in parts:
            return "A template needs a BODY component"
        for kind, key, nested in (("BODY", "body_text", True), ("HEADER", "header_text", False)):
            component = parts.get(kind) or {}
            wanted = len(set(re.findall(r"\{\{(\d+)\}\}", component.get("text", ""))))
            examples = (component.get("example") or {}).get(key) or ([[]] if nested else [])
            given = len(examples[0]) if nested else len(examples)
            if wanted != given:
                return f"{kind} has {wanted} variable(s) and {given} example value(s)"
        return None

    async def templates(self, request: web.Request) -> web.Response:
        if not self.authentic(request, (WABA_ID,)):
            return self.error(401, 190, "Error validating access token: Session has expired")
        for (name, language), template in self.submitted.items():
            if template["status"] == "PENDING":  # reviewed by the time anyone asks
                template["status"], template["rejected_reason"] = self.review.get(name, ("APPROVED", None))
                if template["status"] == "APPROVED":
                    body = next(c for c in template["components"] if c["type"] == "BODY")
                    self.approved[(name, language)] = body["text"]
        listed = [
            {"name": n, "language": lang, "status": "APPROVED", "category": "MARKETING", "id": str(800 + i)}
            for i, (n, lang) in enumerate(TEMPLATES)
        ] + [
            {k: t.get(k) for k in ("name", "language", "status", "category", "id")}
            | {"rejected_reason": t.get("rejected_reason") or "NONE"}
            for t in self.submitted.values()
        ]
        start = int(request.query.get("after", "0"))
        page: dict[str, Any] = {"data": listed[start : start + PAGE]}
        if start + PAGE < len(listed):
            page["paging"] = {"next": str(request.url.update_query({"after": str(start + PAGE)}))}
        return web.json_response(page)

    async def number(self, request: web.Request) -> web.Response:
        if not self.authentic(request):
            return self.error(401, 190, "Error validating access token: Session has expired")
        found = {"id": NUMBER_ID, "display_phone_number": "+1 555-010-0199", "verified_name": "Herald Sandbox"}
        return web.json_response(found | {"quality_rating": "GREEN"})

    async def messages(self, request: web.Request) -> web.Response:
        if not self.authentic(request):
            return self.error(401, 190, "Error validating access token: Session has expired")
        try:
            body = await request.json()
        except ValueError:
            return self.error(400, 100, "Invalid parameter", "The request body is not JSON.")
        wrong = self.wrong(body)
        if wrong:
            return self.error(400, *wrong)
        to = body["to"]
        await self.random.wait()
        fault = self.faults.get(to) or DRAWN.get(self.random.draw() or "", "")
        if fault in ERRORS:
            return self.error(*ERRORS[fault])
        self.sent.append(body)
        self.sent_from.append(request.match_info["number"])
        for status in ("sent", "delivered"):
            self.status(request.match_info["number"], body, f"wamid.HBgL{len(self.sent):020d}", status)
        self.reply(request.match_info["number"], body, f"wamid.HBgL{len(self.sent):020d}")
        if fault == "hang":
            await asyncio.sleep(5)
        wamid = f"wamid.HBgL{len(self.sent):020d}"
        return web.json_response(
            {
                "messaging_product": "whatsapp",
                "contacts": [{"input": to, "wa_id": to}],
                "messages": [{"id": wamid, "message_status": "accepted"}],
            }
        )

    def status(self, number: str, body: dict[str, Any], wamid: str, status: str) -> None:
        """Post a message's status to the app's webhook, signed with the app secret."""
        if not self.webhook:
            return
        found = {"id": wamid, "status": status, "timestamp": str(int(time.time())), "recipient_id": body["to"]}
        if body.get("biz_opaque_callback_data"):
            found["biz_opaque_callback_data"] = body["biz_opaque_callback_data"]
        value = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": number}, "statuses": [found]}
        self.post(value, f"{wamid}:{status}", 0.05 if status == "sent" else 0.1)

    def reply(self, number: str, body: dict[str, Any], wamid: str) -> None:
        """The person writes back, answering the message (its `context`), posted to the app's webhook."""
        text = self.replies.reply_to("+" + body["to"], body.get("biz_opaque_callback_data")) if self.webhook else None
        if text is None:
            return
        message: dict[str, Any] = {"from": body["to"], "id": wamid + ".IN", "timestamp": str(int(time.time()))}
        message |= {"type": "text", "text": {"body": text}, "context": {"from": number, "id": wamid}}
        value: dict[str, Any] = {"messaging_product": "whatsapp", "metadata": {"phone_number_id": number}}
        value |= {"contacts": [{"profile": {"name": "Sandbox"}, "wa_id": body["to"]}], "messages": [message]}
        self.post(value, f"{wamid}:inbound", 0.15)

    def post(self, value: dict[str, Any], what: str, delay: float) -> None:
        """Post one change to the app's webhook, signed with the app secret."""
        change = {
            "object": "whatsapp_business_account",
            "entry": [{"id": WABA_ID, "changes": [{"field": "messages", "value": value}]}],
        }
        raw = json.dumps(change).encode()
        signed = "sha256=" + hmac.new(APP_SECRET.encode(), raw, hashlib.sha256).hexdigest()
        headers = {"X-Hub-Signature-256": signed, "Content-Type": "application/json"}
        self.receipts.later(self.webhook, what, raw, headers, delay)

    def wrong(self, body: Any) -> tuple[int, str, str] | None:
        """What Meta would refuse in a request (code, title, details), or None."""
        if not isinstance(body, dict) or body.get("messaging_product") != "whatsapp":
            return (100, "Invalid parameter", "messaging_product must be whatsapp")
        if not re.fullmatch(r"\d{7,15}", str(body.get("to", ""))):
            return (100, "Invalid parameter", "to must be a phone number's digits")
        kind = body.get("type")
        if kind == "text":
            text = (body.get("text") or {}).get("body", "")
            return None if 0 < len(text) <= 4096 else (100, "Invalid parameter", "text.body: 1 to 4096 characters")
        if kind == "image":
            link = str((body.get("image") or {}).get("link", ""))
            return None if link.startswith("https://") else (131009, "Parameter value is not valid", "image.link")
        if kind == "template":
            return self.wrong_template(body.get("template") or {})
        return (131051, "Unsupported message type", f"type {kind!r}")

    def wrong_template(self, template: dict[str, Any]) -> tuple[int, str, str] | None:
        key = (template.get("name"), (template.get("language") or {}).get("code"))
        text = self.approved.get(key)  # type: ignore[arg-type]
        if text is None:
            return (132001, "Template name does not exist in the translation", f"{key[0]} ({key[1]})")
        body = [c for c in template.get("components", []) if c.get("type") == "body"]
        given = len(body[0].get("parameters", [])) if body else 0
        wanted = len(set(re.findall(r"\{\{(\d+)\}\}", text)))
        if given != wanted:
            return (132000, "Number of parameters does not match the expected number of params", f"{given}/{wanted}")
        return None


@contextmanager
def running(fake: FakeWhatsApp, port: int = 0) -> Iterator[FakeWhatsApp]:
    def routes(app: web.Application) -> None:
        app.router.add_post("/{version}/{number}/messages", fake.messages)
        app.router.add_post("/{version}/{number}/message_templates", fake.submit)
        app.router.add_get("/{version}/{number}/message_templates", fake.templates)
        app.router.add_get("/{version}/{number}", fake.number)
        app.on_cleanup.append(fake.receipts.close)

    with serving(routes, port) as url:
        fake.url = url
        yield fake
