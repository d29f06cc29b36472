"""What a template version holds on each channel, checked at save time; email HTML to plain text. Pure.

SMS: `body`, and `aliyun` (a template Aliyun approved, see vendors.py). Email: `subject`, `preheader`,
`html`, `text` (made from the HTML when absent). WhatsApp:
Meta's template model, or `text` for free-form replies inside the 24-hour window (see whatsapp.py).
Every Jinja2 field is checked against the allow-list here, so nothing unsafe is ever stored.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html.parser import HTMLParser
from typing import Any

from herald.content import render, vendors, whatsapp
from herald.errors import Invalid

SMS_MAX = 1600  # the longest body providers accept (about ten segments)
EMAIL_MAX = 500_000
EMAIL_FIELDS = ("subject", "preheader", "html", "text")


def validate(channel: str, content: Mapping[str, Any], where: str) -> dict[str, Any]:
    """A channel's content, checked and normalized; errors name the field."""
    if not isinstance(content, Mapping):
        raise Invalid("expected a table of fields", where=where)
    if channel == "sms":
        return _sms(content, where)
    if channel == "email":
        return _email(content, where)
    if channel == "whatsapp":
        data = whatsapp.validate(content, where)
        for key, expr in whatsapp.expressions(data).items():
            render.check("{{ " + expr + " }}", where=f"{where} parameter {key}")
        if "text" in data:
            render.check(data["text"], where=f"{where} text")
        return data
    raise Invalid(f"unknown channel {channel!r}", where=where)


SURVEYS = ("nps", "satisfaction", "yes_no")


def _tracking(content: Mapping[str, Any], where: str) -> dict[str, Any]:
    """`track_links = false` keeps a version's links as written (no short links, no open pixel); `survey`
    says the message asks a question whose answers come back as replies (nps 0–10, satisfaction 1–5,
    yes_no)."""
    found: dict[str, Any] = {}
    if "track_links" in content:
        if not isinstance(content["track_links"], bool):
            raise Invalid(f"expected true or false, got {content['track_links']!r}", where=f"{where} track_links")
        found["track_links"] = content["track_links"]
    if "survey" in content:
        if content["survey"] not in SURVEYS:
            raise Invalid(f"expected one of {', '.join(SURVEYS)}, got {content['survey']!r}", where=f"{where} survey")
        found["survey"] = content["survey"]
    return found


def _sms(content: Mapping[str, Any], where: str) -> dict[str, Any]:
    _only(content, {"body", "aliyun", "track_links", "survey"}, where)
    body = str(content.get("body") or "")
    if not body.strip():
        raise Invalid("the body is empty", where=f"{where} body")
    if len(body) > SMS_MAX:
        raise Invalid(f"the body has {len(body)} characters; SMS allows {SMS_MAX}", where=f"{where} body")
    render.check(body, where=f"{where} body")
    if "aliyun" not in content:
        return {"body": body, **_tracking(content, where)}
    aliyun = vendors.validate_aliyun(content["aliyun"], where)
    for key, expr in vendors.expressions({"aliyun": aliyun}).items():
        render.check("{{ " + expr + " }}", where=f"{where} parameter {key}")
    return {"body": body, "aliyun": aliyun, **_tracking(content, where)}


def _email(content: Mapping[str, Any], where: str) -> dict[str, Any]:
    _only(content, {*EMAIL_FIELDS, "track_links"}, where)
    data = {k: str(content.get(k) or "") for k in EMAIL_FIELDS}
    if not data["subject"].strip():
        raise Invalid("an email needs a subject", where=f"{where} subject")
    if not (data["html"].strip() or data["text"].strip()):
        raise Invalid("an email needs an html or a text body", where=f"{where} html")
    for key, value in data.items():
        if len(value) > EMAIL_MAX:
            raise Invalid(f"{len(value)} characters; at most {EMAIL_MAX}", where=f"{where} {key}")
        if value:
            render.check(value, where=f"{where} {key}")
    return {**{k: v for k, v in data.items() if v}, **_tracking(content, where)}


def _only(content: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(content) - allowed)
    if unknown:
        raise Invalid(f"unknown field(s) {', '.join(unknown)} (allowed: {', '.join(sorted(allowed))})", where=where)


def jinja_fields(channel: str, content: Mapping[str, Any]) -> dict[str, str]:
    """The fields rendered with Jinja2, by name (WhatsApp parameters as `{{ expression }}`)."""
    if channel == "whatsapp":
        if "text" in content:
            return {"text": content["text"]}
        return {k: "{{ " + v + " }}" for k, v in whatsapp.expressions(content).items()}
    fields = {k: v for k, v in content.items() if isinstance(v, str)}
    return fields | {k: "{{ " + v + " }}" for k, v in vendors.expressions(content).items()}


def lint_fields(channel: str, content: Mapping[str, Any]) -> dict[str, str]:
    """The text a reader sees, by field, for lint (WhatsApp template: header, body, footer, buttons)."""
    if channel != "whatsapp" or "text" in content:
        return {
            ("body" if k == "text" and channel == "whatsapp" else k): v
            for k, v in content.items()
            if isinstance(v, str)
        }
    fields = {"body": content["body"], "footer": content.get("footer", "")}
    header = content.get("header") or {}
    fields["header"] = header.get("text", "")
    fields["buttons"] = " ".join(b.get("url", "") + " " + b["text"] for b in content.get("buttons", []))
    return {k: v for k, v in fields.items() if v}


class _TextMaker(HTMLParser):
    BLOCK = frozenset({"p", "div", "br", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "li", "table", "hr"})
    SKIP = frozenset({"style", "script", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.skipping = 0
        self.link: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.out.append("\n")
        if tag == "li":
            self.out.append("- ")
        if tag == "a":
            self.link = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.out.append("\n")
        if tag == "a" and self.link:
            self.out.append(f" ({self.link})")
            self.link = None

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """A readable plain-text part for an HTML email: blocks become lines, links keep their address."""
    maker = _TextMaker()
    maker.feed(html)
    maker.close()
    lines = [line.strip() for line in "".join(maker.out).split("\n")]
    text = "\n".join(lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()
