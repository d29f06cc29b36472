"""WhatsApp template management on Meta's Graph API: a Herald template version submitted for review
(POST /{waba_id}/message_templates with its components and example values), and what Meta decided read
back (GET /{waba_id}/message_templates), so nobody writes a status by hand.

A Herald version keeps Meta's numbered placeholders, so its text goes to Meta as written; Meta asks for an
example value of each (`body_text`, `header_text`, a URL button's `example`), which the operator gives.
A media header needs a sample uploaded to Meta first (its upload API); such versions are submitted from
WhatsApp Manager instead, and their status is still read back here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import aiohttp

from herald.errors import HeraldError, Invalid
from herald.providers.adapters.http import json_object


def creation(
    name: str, language: str, content: Mapping[str, Any], examples: Mapping[str, str], needed: Mapping[str, str]
) -> dict[str, Any]:
    """The body of a template creation request, given every place that takes an example and the Herald
    expression that fills it when sent (`body.1`: `first_name`). Invalid naming a missing example or a
    media header."""
    missing = [key for key in needed if not str(examples.get(key, "")).strip()]
    if missing:
        said = ", ".join(f"{key} ({needed[key]})" for key in missing)
        raise Invalid(f"give an example value for {said}, e.g. --example {missing[0]}=…", where="examples")
    components: list[dict[str, Any]] = []
    header = content.get("header")
    if header and header["format"] != "TEXT":
        raise Invalid(
            f"a {header['format'].lower()} header needs its sample uploaded to Meta: submit this one from "
            "WhatsApp Manager, then `herald templates meta-sync`",
            where="header",
        )
    if header:
        components.append(_text_component("HEADER", header["text"], "header_text", examples, "header", flat=True))
    components.append(_text_component("BODY", content["body"], "body_text", examples, "body", flat=False))
    if content.get("footer"):
        components.append({"type": "FOOTER", "text": content["footer"]})
    if content.get("buttons"):
        buttons = [_button(b, examples.get(f"button.{i}")) for i, b in enumerate(content["buttons"])]
        components.append({"type": "BUTTONS", "buttons": buttons})
    return {"name": name, "language": language, "category": content["category"], "components": components}


def _text_component(
    kind: str, text: str, example_key: str, examples: Mapping[str, str], prefix: str, flat: bool
) -> dict[str, Any]:
    values = [examples[key] for key in sorted((k for k in examples if k.startswith(prefix + ".")), key=_number)]
    component: dict[str, Any] = {"type": kind, "text": text}
    if kind == "HEADER":
        component["format"] = "TEXT"
    if values:
        component["example"] = {example_key: values if flat else [values]}
    return component


def _number(key: str) -> int:
    return int(key.split(".", 1)[1])


def _button(button: Mapping[str, Any], example: str | None) -> dict[str, Any]:
    found = {"type": button["type"], "text": button["text"]}
    if button["type"] == "URL":
        found["url"] = button["url"]
        if example:
            found["example"] = [example]
    if button["type"] == "PHONE_NUMBER":
        found["phone_number"] = button["phone_number"]
    return found


class MetaTemplates:
    """One WhatsApp Business Account's templates."""

    def __init__(self, waba_id: str, token: str, base_url: str, version: str, timeout: float = 10.0) -> None:
        self.url = f"{base_url.rstrip('/')}/{version}/{waba_id}/message_templates"
        self.headers = {"Authorization": f"Bearer {token}"}
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def submit(self, body: Mapping[str, Any]) -> dict[str, Any]:
        """Submit a template for review; Meta's answer: its id, status (PENDING, or APPROVED at once) and
        category (which Meta may change)."""
        async with aiohttp.ClientSession(headers=self.headers, timeout=self.timeout) as session:
            async with session.post(self.url, json=body) as response:
                return _answer(response.status, await response.text())

    async def statuses(self) -> list[dict[str, Any]]:
        """Every template of the account with Meta's status, page after page."""
        fields = "name,language,status,category,id,rejected_reason"
        url: str | None = f"{self.url}?fields={fields}&limit=100"
        found: list[dict[str, Any]] = []
        async with aiohttp.ClientSession(headers=self.headers, timeout=self.timeout) as session:
            while url:
                async with session.get(url) as response:
                    page = _answer(response.status, await response.text())
                found += [_status(t) for t in page.get("data", []) if isinstance(t, Mapping)]
                url = (page.get("paging") or {}).get("next")
        return found


def _status(template: Mapping[str, Any]) -> dict[str, Any]:
    reason = template.get("rejected_reason")
    return {
        "name": template.get("name"),
        "language": template.get("language"),
        "status": template.get("status"),
        "id": template.get("id"),
        "reason": None if reason in (None, "NONE") else reason,
    }


def _answer(status: int, text: str) -> dict[str, Any]:
    found = json_object(text)
    if 200 <= status < 300:
        return found
    given = found.get("error")
    error: Mapping[str, Any] = given if isinstance(given, Mapping) else {}
    said = error.get("error_user_msg") or error.get("message") or text.strip()[:300] or f"HTTP {status}"
    code = f" ({error['code']})" if error.get("code") is not None else ""
    raise HeraldError(f"Meta refused: {said}{code}")
