"""Vendors' status callbacks, per provider account: thin routes that read the raw body, let the account's
adapter tell it genuine (403 when it is not) and read it, and hand the reports to the tracking room.

- `POST /webhooks/twilio/{account}/status` — Twilio's StatusCallback (Herald gives Twilio this address,
  with the message's `ref`, when `public_url` is set);
- `POST /webhooks/twilio/{account}/inbound` — the messages people send to the account's numbers (set as
  each number's "A message comes in" webhook);
- `POST /webhooks/whatsapp/{account}` — Meta's webhook for the account's number: statuses and messages
  (and the `GET` subscription check, answered with the challenge when the verify token matches);
- `POST /webhooks/gateway/{account}` — a webhook gateway's signed status callbacks and inbound messages;
- `POST /webhooks/aliyun/{account}/report/{token}` and `…/up/{token}` — Aliyun's SmsReport and SmsUp
  pushes, to addresses with the account's `report_token` (Aliyun signs nothing), answered in Aliyun's
  own format.

Inbound messages are classified and acted on (STOP, START, HELP, complaints) before the answer goes back.
"""

from __future__ import annotations

import json
import logging
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel
from starlette.datastructures import URL

from herald import content, dispatch, tracking
from herald.db import UnitOfWork
from herald.errors import Forbidden, Invalid, NotFound
from herald.providers import AccountNotice, Callback, Provider, Report, meta_notices
from herald.types import Channel
from herald.web.public.batching import Batcher
from herald.web.public.subscription import CHALLENGE_ANSWERED, answer_challenge

if TYPE_CHECKING:
    from herald.bootstrap import Container

log = logging.getLogger("herald.webhooks")


class Received(BaseModel):
    """What became of a callback's reports."""

    reports: int
    queued: int = 0  # kept, to be applied by the worker within a second (statuses alone)
    applied: int = 0
    waiting: int = 0  # came before the send result: applied once it is recorded
    repeated: int = 0  # an event received before
    stale: int = 0
    fell_back: int = 0  # the channel cannot reach the person: decided again without it
    unmatched: int = 0
    ignored: int = 0
    inbound: int = 0  # messages people sent in, newly kept
    opted_out: int = 0  # of which asked to stop, or complained
    templates: int = 0  # Meta's reviews of WhatsApp templates (approved, rejected, paused …)
    notices: int = 0  # what Meta said of the account itself: its quality, a restriction


class AliyunAnswer(BaseModel):
    """Aliyun's own answer format: it reads `code` (0: taken); the rest is for people."""

    code: int
    msg: str
    applied: int = 0
    queued: int = 0
    repeated: int = 0


class Hooks:
    """Vendors' callbacks, whichever way they reach Herald: these routes, or the hot path in front of the
    framework (`herald.web.public.hot`), which answers the same requests the same way, faster."""

    def __init__(self, container: Container) -> None:
        self.container = container
        # Callbacks that arrive together are recorded together, in one transaction (see `batching`).
        self.writer: Writer = Batcher(container.unaudited, container.clock.now, partial(record, container.replies))
        # Statuses alone are only kept, by the same group commit, and applied by the worker.
        self.queue: Queue = Batcher(container.unaudited, container.clock.now, tracking.keep_receipt_batches)

    async def answer(self, kind: str, account: str, url: URL, headers: Mapping[str, str], body: bytes) -> Any:
        """Verify, read and record one callback to `url`: what became of it, or the refusal."""
        callback = Callback(called(self.container, url), dict(headers), body, time.time())
        return await received(self.container, self, kind, account, callback)


def router(container: Container, hooks: Hooks) -> APIRouter:
    api = APIRouter(tags=["webhooks"])

    async def receive(kind: str, account: str, request: Request, shape: Callable[[Any], Any] = same) -> Response:
        answer = await hooks.answer(kind, account, request.url, request.headers, await request.body())
        return as_response(shape(answer))

    @api.post("/webhooks/twilio/{account}/status", response_model=Received)
    async def twilio_status(account: str, request: Request) -> Any:
        """Twilio's status callback for one of the account's messages."""
        return await receive("twilio", account, request)

    @api.post("/webhooks/twilio/{account}/inbound", response_model=Received)
    async def twilio_inbound(account: str, request: Request) -> Any:
        """A message sent to one of the account's Twilio numbers."""
        return await receive("twilio", account, request)

    @api.post("/webhooks/whatsapp/{account}", response_model=Received)
    async def whatsapp(account: str, request: Request) -> Any:
        """Meta's webhook for the account's phone number: message statuses and messages."""
        return await receive("whatsapp_cloud", account, request)

    @api.get("/webhooks/whatsapp/{account}", response_class=Response, responses=CHALLENGE_ANSWERED)
    def whatsapp_subscribe(
        account: str,
        mode: Annotated[str, Query(alias="hub.mode")] = "",
        token: Annotated[str, Query(alias="hub.verify_token")] = "",
        challenge: Annotated[str, Query(alias="hub.challenge")] = "",
    ) -> PlainTextResponse:
        """Meta's subscription check: the challenge back when the verify token matches."""
        account_of(container, "whatsapp_cloud", account)
        return answer_challenge(container.settings.whatsapp_verify_token or "", mode, token, challenge)

    @api.post("/webhooks/gateway/{account}", response_model=Received)
    async def gateway(account: str, request: Request) -> Any:
        """A webhook gateway's signed status callback."""
        return await receive("webhook", account, request)

    @api.post("/webhooks/aliyun/{account}/report/{token}", response_model=AliyunAnswer)
    async def aliyun_report(account: str, token: str, request: Request) -> Any:
        """Aliyun's SmsReport push; Aliyun reads only the number `code` of the answer (0: taken)."""
        return await receive("aliyun", account, request, aliyun_answer)

    @api.post("/webhooks/aliyun/{account}/up/{token}", response_model=AliyunAnswer)
    async def aliyun_up(account: str, token: str, request: Request) -> Any:
        """Aliyun's SmsUp push: messages people sent to the account's signatures."""
        return await receive("aliyun", account, request, aliyun_answer)

    return api


def same(answer: Any) -> Any:
    """A callback's answer as it is (Aliyun's alone are reshaped)."""
    return answer


def aliyun_answer(answer: Any) -> Any:
    """Aliyun's own answer format (it reads only `code`)."""
    if isinstance(answer, JSONResponse):
        return JSONResponse({"code": 1, "msg": "无法读取"}, status_code=400)
    taken = answer.applied + answer.inbound
    return AliyunAnswer(code=0, msg="接收成功", applied=taken, queued=answer.queued, repeated=answer.repeated)


def as_response(answer: Any) -> Response:
    """The answer as it goes out: a model as its JSON (what FastAPI would make of it, made here so that the
    hot path in front of the framework answers byte for byte the same)."""
    return answer if isinstance(answer, Response) else JSONResponse(answer.model_dump(mode="json"))


# The channel an account's inbound messages come by, when the vendor does not say.
CHANNEL_OF_KIND = {"whatsapp_cloud": Channel.WHATSAPP}


def account_of(container: Container, kind: str, account: str) -> Provider:
    """The adapter of an account of this kind; 404 for any other name (callbacks name their account)."""
    found = container.accounts.get(account)
    if found is None or found.kind != kind:
        raise NotFound(f"no {kind} provider account named {account!r}")
    return container.providers[account]


async def received(container: Container, hooks: Hooks, kind: str, account: str, callback: Callback) -> Any:
    """Verify, read and record one callback: one of statuses alone is kept to be applied by the worker
    (`receipts_queued`), any other applied before the answer goes back."""
    provider = account_of(container, kind, account)
    if not provider.verify(callback):
        log.warning("refused a %s callback for %s: the signature does not match", kind, account)
        raise Forbidden("the signature does not match")
    try:
        reports = provider.parse_webhook(callback)
        templates = content.meta_status_updates(json.loads(callback.body)) if kind == "whatsapp_cloud" else []
        notices = meta_notices(callback.body, container.clock.now()) if kind == "whatsapp_cloud" else []
    except (ValueError, KeyError, TypeError, RecursionError, Invalid) as exc:  # signed, yet not the vendor's
        log.warning("refused a signed %s callback for %s: %s", kind, account, exc)
        return JSONResponse({"error": "Invalid", "detail": f"not a {kind} callback Herald can read"}, status_code=400)
    if templates:  # Meta's review of templates comes to the same webhook: rare, so on its own
        with container.unaudited() as uow:
            content.apply_meta_status(uow, templates, container.clock.now())
    if notices:
        heed(container, account, notices)
    done = {"templates": len(templates), "notices": len(notices)}
    if container.settings.receipts_queued and all(r.kind == "status" for r in reports):
        return Received(reports=len(reports), **done, **await hooks.queue.submit((account, reports)))
    counts, heard = await hooks.writer.submit((account, CHANNEL_OF_KIND.get(kind, Channel.SMS), reports))
    kept, stopped = sum(heard.values()) - heard["repeated"], heard["stop"] + heard["complaint"]
    counts["repeated"] += heard["repeated"]
    return Received(reports=len(reports), inbound=kept, opted_out=stopped, **done, **counts)


def heed(container: Container, account: str, notices: list[AccountNotice]) -> None:
    """What Meta says of the account: said in the log and kept as its last notice (`providers status`); a
    restriction or a ban pauses its sending (the account's circuit opens until then, and its route fails
    over, as for any account that cannot send)."""
    now = container.clock.now()
    with container.unaudited() as uow:
        for notice in notices:
            log.warning("WhatsApp account %s: %s (%s)", account, notice.detail, notice.event)
            dispatch.record_notice(uow, account, notice.detail, now, notice.event)
            if notice.pause is not None:
                dispatch.record_health(uow, dispatch.Health(account, 0, now + notice.pause, notice.detail), now)


Heard = tuple[str, Channel, list[Report]]  # an account's reports, and the channel its inbound come by


Writer = Batcher[Heard, tuple[Counter[str], Counter[str]]]
Queue = Batcher[tuple[str, Sequence[Report]], Counter[str]]


def record(
    replies: tracking.ReplyPolicy, uow: UnitOfWork, items: Sequence[Heard], now: datetime
) -> list[tuple[Counter[str], Counter[str]]]:
    """Each callback's receipts and inbound messages, recorded and acted on: what became of them. The
    receipts of every callback are kept and applied together."""
    statuses = [(account, [r for r in reports if r.kind == "status"]) for account, _, reports in items]
    counts = tracking.record_receipt_batches(uow, statuses, now)
    heard = [
        tracking.record_inbound(uow, account, channel, [r for r in reports if r.kind == "inbound"], replies, now)
        for account, channel, reports in items
    ]
    return list(zip(counts, heard, strict=True))


def called(container: Container, url: URL) -> str:
    """The address the vendor called, as Herald gave it: `public_url` with the request's path and query
    (behind a proxy the request's own view of its address may differ); else the request's own."""
    base = container.settings.public_url
    if not base:
        return str(url)
    query = f"?{url.query}" if url.query else ""
    return f"{base.rstrip('/')}{url.path}{query}"
