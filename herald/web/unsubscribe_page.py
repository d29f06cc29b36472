"""The unsubscribe link of marketing mail (`public_url/unsubscribe/TOKEN`):

- `POST` — a mailbox provider's one-click unsubscribe (RFC 8058, body `List-Unsubscribe=One-Click`) or the
  button on the page: the contact's e-mail marketing consent is revoked, with how it was asked as the
  proof (receipts and other transactional mail still reach them). Asking twice changes nothing more.
- `GET` — a page that asks first, in Chinese and English: link scanners and previews fetch links, and a
  fetch must never unsubscribe anyone.

A token Herald did not sign (with its secret key or an earlier one) is answered 404.
"""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from herald import tracking
from herald.providers import unsubscribe_key, unsubscribed_message

if TYPE_CHECKING:
    from herald.bootstrap import Container

ONE_CLICK = b"List-Unsubscribe=One-Click"
INVALID = "<p>此退订链接无效。</p><p>This unsubscribe link is not valid.</p>"
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>退订 · Unsubscribe</title></head>
<body><main>{body}</main></body></html>
"""


def router(container: Container) -> APIRouter:
    api = APIRouter(tags=["unsubscribe"], include_in_schema=False)

    @api.get("/unsubscribe/{token}", response_class=HTMLResponse)
    def ask(token: str) -> HTMLResponse:
        """The page that asks before anything changes."""
        if message_of(container, token) is None:
            return page(INVALID, 404)
        return page(
            "<h1>退订营销邮件 · Unsubscribe</h1>"
            "<p>不再接收我们的营销邮件？</p><p>Stop receiving our marketing e-mail?</p>"
            '<form method="post"><button type="submit">退订 · Unsubscribe</button></form>'
        )

    @api.post("/unsubscribe/{token}", response_class=HTMLResponse)
    async def confirm(token: str, request: Request) -> HTMLResponse:
        """One click from a mailbox provider, or the page's button: unsubscribed."""
        message_id = message_of(container, token)
        if message_id is None:
            return page(INVALID, 404)
        one_click = ONE_CLICK in await request.body()
        how = "one-click unsubscribe (RFC 8058)" if one_click else "unsubscribe page"
        with container.uow() as uow:
            address = tracking.unsubscribe(uow, message_id, how, container.clock.now())
        if address is None:
            return page(INVALID, 404)
        shown = escape(masked(address))
        return page(
            f"<h1>已退订 · Unsubscribed</h1><p>{shown} 将不再收到营销邮件。</p>"
            f"<p>{shown} will get no more marketing e-mail.</p>"
        )

    return api


def message_of(container: Container, token: str) -> int | None:
    """The message a link's token names, signed with the secret key or an earlier one."""
    keys = [unsubscribe_key(k) for k in container.settings.erasure_keys]
    return unsubscribed_message(token, keys)


def masked(address: str) -> str:
    """An address as the page shows it: enough to recognize, not enough to harvest (`s***@shop.example`)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}" if domain else "***"


def page(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(PAGE.format(body=body), status_code=status)
