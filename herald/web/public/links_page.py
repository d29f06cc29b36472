"""Short links and open pixels, on the installation's own address:

- `GET /l/{code}` — the click: recorded (person or machine, device and system; a person's click is the
  contact's `message.clicked` event), then a 302 to where the link leads. `HEAD` (a link checker) is
  answered the same way and recorded as a machine's.
- `GET /o/{code}.gif` — a marketing mail's pixel: the open is recorded (Mail Privacy Protection and image
  proxies told apart from the person), answered with a transparent 1×1 GIF.

Clicks arriving together are written together (`batching`): each is answered once it is committed. A
code that does not exist gets the same small page whatever it is: guessing reveals nothing."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from herald import tracking
from herald.web.public.batching import Batcher

if TYPE_CHECKING:
    from herald.bootstrap import Container

GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
GONE = (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>链接无效 · Link not found</title></head>'
    "<body><p>此链接不存在或已失效。</p><p>This link does not exist or has expired.</p></body></html>"
)
# (No Referrer-Policy of their own: the Guard gives every answer `no-referrer`, so the page a link leads to
# never learns the short link.)
NO_STORE = {"Cache-Control": "no-store", "X-Robots-Tag": "noindex"}


class Links:
    """Short links and pixels, whichever way they are asked for: these routes, or the hot path in front of
    the framework (`herald.web.public.hot`), which answers the same requests the same way, faster."""

    def __init__(self, container: Container) -> None:
        key = hmac.new(container.settings.secret_key.encode(), b"herald link visitors", hashlib.sha256).digest()
        self.visits: Batcher[tracking.Visit, str | None] = Batcher(
            container.unaudited,
            container.clock.now,
            lambda uow, items, now: tracking.record_visits(uow, items, key, now),
        )

    async def follow(self, code: str, headers: Mapping[str, str], client: str, method: str) -> Response:
        """Record the click and lead on."""
        url = await self.visits.submit(visit(code, headers, client, method, pixel=False))
        if url is None:
            return HTMLResponse(GONE, status_code=404, headers=NO_STORE)
        return RedirectResponse(url, status_code=302, headers=NO_STORE)

    async def opened(self, code: str, headers: Mapping[str, str], client: str) -> Response:
        """Record the open; a transparent pixel either way."""
        await self.visits.submit(visit(code, headers, client, "GET", pixel=True))
        return Response(GIF, media_type="image/gif", headers=NO_STORE)


def router(links: Links) -> APIRouter:
    api = APIRouter(tags=["links"], include_in_schema=False)

    @api.api_route("/l/{code}", methods=["GET", "HEAD"])
    async def follow(code: str, request: Request) -> Response:
        """Record the click and lead on."""
        return await links.follow(code, request.headers, client_of(request), request.method)

    @api.get("/o/{code}.gif")
    async def opened(code: str, request: Request) -> Response:
        """Record the open; a transparent pixel either way."""
        return await links.opened(code, request.headers, client_of(request))

    return api


def client_of(request: Request) -> str:
    return request.client.host if request.client else ""


def visit(code: str, headers: Mapping[str, str], client: str, method: str, pixel: bool) -> tracking.Visit:
    """The request, as the tracking room reads it."""
    purpose = headers.get("sec-purpose") or headers.get("purpose") or ""
    return tracking.Visit(code, headers.get("user-agent", ""), client, method, purpose, pixel)
