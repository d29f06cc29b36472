"""Short links and open pixels, on the installation's own address:

- `GET /l/{code}` — the click: recorded (person or machine, device and system; a person's click is the
  contact's `message.clicked` event), then a 302 to where the link leads. `HEAD` (a link checker) is
  answered the same way and recorded as a machine's.
- `GET /o/{code}.gif` — a marketing mail's pixel: the open is recorded (Mail Privacy Protection and image
  proxies told apart from the person), answered with a transparent 1×1 GIF.

A code that does not exist gets the same small page whatever it is: guessing reveals nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from herald import tracking

if TYPE_CHECKING:
    from herald.bootstrap import Container

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
GONE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>链接无效 · Link not found</title></head>'
    "<body><p>此链接不存在或已失效。</p><p>This link does not exist or has expired.</p></body></html>"
)
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex", "Referrer-Policy": "no-referrer"}


def router(container: Container) -> APIRouter:
    api = APIRouter(tags=["links"], include_in_schema=False)
    key = hmac.new(container.settings.secret_key.encode(), b"herald link visitors", hashlib.sha256).digest()

    @api.api_route("/l/{code}", methods=["GET", "HEAD"])
    def follow(code: str, request: Request) -> Response:
        """Record the click and lead on."""
        agent_text, ip = request.headers.get("user-agent", ""), request.client.host if request.client else ""
        purpose = request.headers.get("sec-purpose") or request.headers.get("purpose") or ""
        now = container.clock.now()
        with container.uow() as uow:
            found = tracking.find_link(uow, code)
            if found is None or found[0].position < 0:
                return HTMLResponse(GONE, status_code=404, headers=NO_STORE)
            link, sent_at = found
            seconds = (now - sent_at).total_seconds() if sent_at is not None else None
            agent = tracking.read_agent(agent_text, request.method, purpose, seconds)
            tracking.record_click(uow, link, agent, tracking.visitor(key, ip, agent_text), now)
            url = link.url
        return RedirectResponse(url, status_code=302, headers=NO_STORE)

    @api.get("/o/{code}.gif")
    def opened(code: str, request: Request) -> Response:
        """Record the open; a transparent pixel either way."""
        agent_text, ip = request.headers.get("user-agent", ""), request.client.host if request.client else None
        now = container.clock.now()
        with container.uow() as uow:
            found = tracking.find_link(uow, code)
            if found is not None and found[0].position < 0:
                link, sent_at = found
                seconds = (now - sent_at).total_seconds() if sent_at is not None else None
                tracking.record_open(uow, link, tracking.read_open(agent_text, ip, seconds), now)
        return Response(GIF, media_type="image/gif", headers=NO_STORE)

    return api
