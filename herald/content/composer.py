"""One version rendered for one recipient: the message each channel's provider sends. Pure.

A missing variable, an empty WhatsApp parameter or oversize output raises RenderError, and the
recipient is skipped with that reason instead of being sent a broken message.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from herald.content import channels, locales, render, vendors, whatsapp
from herald.content.render import RenderError


@dataclass(frozen=True)
class Composed:
    body: str  # what the recipient reads (SMS text, WhatsApp text or filled template, email plain text)
    subject: str | None = None
    html: str | None = None
    preheader: str | None = None
    payload: Mapping[str, Any] = field(default_factory=dict)  # channel-specific parts (WhatsApp template)


def coupon_pools(channel: str, content: Mapping[str, Any]) -> frozenset[str]:
    """Every coupon pool a version's fields draw from (parsed once per field text, then cached)."""
    return frozenset().union(*(render.coupon_pools(f) for f in channels.jinja_fields(channel, content).values()))


def compose(
    channel: str,
    content: Mapping[str, Any],
    context: Mapping[str, Any],
    *,
    name: str = "",
    locale: str = "en",
    variant: str = "A",
) -> Composed:
    """Render a version's content for one recipient."""
    if channel == "email":
        return _email(content, context)
    if channel == "whatsapp" and "body" in content:
        return _whatsapp_template(content, context, name if variant == "A" else f"{name}_{variant.lower()}", locale)
    text = content.get("body", content.get("text", ""))
    if channel == "sms" and "aliyun" in content:
        return Composed(render.render(text, context), payload={"aliyun": _aliyun(content, context)})
    return Composed(render.render(text, context))


def _aliyun(content: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, Any]:
    """The template code and its variables' values, as Aliyun's TemplateParam wants them (strings)."""
    values = {}
    for key, expr in vendors.expressions(content).items():
        value = render.render("{{ " + expr + " }}", context).strip()
        if not value:
            raise RenderError(f"Aliyun variable {key.split('.', 1)[1]} ({expr}) is empty; Aliyun refuses the message")
        values[key.split(".", 1)[1]] = value
    return {"template_code": content["aliyun"]["template_code"], "template_param": values}


def _email(content: Mapping[str, Any], context: Mapping[str, Any]) -> Composed:
    html = render.render(content["html"], context, limit=channels.EMAIL_MAX, html=True) if "html" in content else None
    text = (
        render.render(content["text"], context, limit=channels.EMAIL_MAX)
        if "text" in content
        else channels.html_to_text(html or "")
    )
    preheader = render.render(content["preheader"], context) if "preheader" in content else None
    return Composed(text, render.render(content["subject"], context), html, preheader)


def _whatsapp_template(content: Mapping[str, Any], context: Mapping[str, Any], name: str, locale: str) -> Composed:
    values = {}
    for key, expr in whatsapp.expressions(content).items():
        value = render.render("{{ " + expr + " }}", context).strip()
        if not value:
            raise RenderError(f"WhatsApp parameter {key} ({expr}) is empty; Meta refuses empty parameters")
        values[key] = value
    body = whatsapp.fill(content["body"], {k.split(".", 1)[1]: v for k, v in values.items() if k.startswith("body.")})
    payload = {
        "template": {
            "name": name,
            "language": {"code": locales.whatsapp_code(locale)},
            "components": whatsapp.components(content, values),
        }
    }
    return Composed(body, payload=payload)
