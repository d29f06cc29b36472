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
from urllib.parse import parse_qs

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
        """The page that asks before anything changes, with the person's preferences per channel."""
        message_id = message_of(container, token)
        if message_id is None:
            return page(INVALID, 404)
        with container.unaudited() as uow:
            shown = tracking.preferences(uow, message_id) or {}
        return page(
            "<h1>退订营销邮件 · Unsubscribe</h1>"
            "<p>不再接收我们的营销邮件？</p><p>Stop receiving our marketing e-mail?</p>"
            '<form method="post"><button type="submit">退订 · Unsubscribe</button></form>' + choices(shown)
        )

    @api.post("/unsubscribe/{token}", response_class=HTMLResponse)
    async def confirm(token: str, request: Request) -> HTMLResponse:
        """One click from a mailbox provider, or the page's button: unsubscribed; or the preferences saved."""
        message_id = message_of(container, token)
        if message_id is None:
            return page(INVALID, 404)
        body = await request.body()
        form = parse_qs(body.decode("utf-8", "replace"))
        if form.get("preferences") == ["1"]:
            return saved(container, message_id, set(form.get("channel", [])))
        one_click = ONE_CLICK in body
        how = "one-click unsubscribe (RFC 8058)" if one_click else "unsubscribe page"
        with container.unaudited() as uow:
            address = tracking.unsubscribe(uow, message_id, how, container.clock.now())
        if address is None:
            return page(INVALID, 404)
        shown = escape(masked(address))
        return page(
            f"<h1>已退订 · Unsubscribed</h1><p>{shown} 将不再收到营销邮件。</p>"
            f"<p>{shown} will get no more marketing e-mail.</p>"
        )

    return api


NAMES = {"email": "邮件 · e-mail", "sms": "短信 · SMS", "whatsapp": "WhatsApp"}


def choices(shown: dict[str, bool]) -> str:
    """The preference form: marketing on each channel the person can be reached on, as it stands."""
    if not shown:
        return ""
    boxes = "".join(
        f'<p><label><input type="checkbox" name="channel" value="{escape(channel)}"{" checked" if on else ""}>'
        f" {escape(NAMES.get(channel, channel))}</label></p>"
        for channel, on in shown.items()
    )
    return (
        "<h2>或选择接收方式 · Or choose how we may reach you</h2>"
        '<form method="post"><input type="hidden" name="preferences" value="1">'
        f'{boxes}<button type="submit">保存 · Save</button></form>'
    )


def saved(container: Container, message_id: int, wanted: set[str]) -> HTMLResponse:
    """The person's choice kept, with the page as its proof."""
    with container.unaudited() as uow:
        changed = tracking.set_preferences(uow, message_id, wanted, container.clock.now())
        shown = tracking.preferences(uow, message_id)
    if shown is None:
        return page(INVALID, 404)
    said = "、".join(NAMES.get(c, c) for c in changed) or "无变化 · nothing changed"
    return page(f"<h1>已保存 · Saved</h1><p>{escape(said)}</p>" + choices(shown))


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
