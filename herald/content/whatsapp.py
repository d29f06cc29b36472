"""WhatsApp's template model (Meta's components) and free-form text: shape, limits and parameters. Pure.

A template body carries numbered placeholders `{{1}}`, `{{2}}`…; Herald maps each to one of its own
expressions (`first_name | default('there')`), renders those per recipient and sends them as the
component parameters, so the text Meta approved is never altered.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from herald.errors import Invalid

CATEGORIES = ("MARKETING", "UTILITY", "AUTHENTICATION")
META_STATUSES = ("PENDING", "APPROVED", "REJECTED", "PAUSED", "DISABLED")
MEDIA = ("IMAGE", "VIDEO", "DOCUMENT")
BUTTONS = ("QUICK_REPLY", "URL", "PHONE_NUMBER")
LIMITS = {"body": 1024, "header": 60, "footer": 60, "button": 25, "buttons": 10, "url_buttons": 2, "text": 4096}
PLACEHOLDER = re.compile(r"\{\{\s*(\d+)\s*\}\}")
NAME = re.compile(r"^[a-z0-9_]{1,512}$")


def placeholders(text: str) -> list[tuple[int, int, int]]:
    """(offset, length, number) of each `{{n}}` in text."""
    return [(m.start(), len(m.group(0)), int(m.group(1))) for m in PLACEHOLDER.finditer(text)]


def unmapped(text: str, params: Mapping[str, str]) -> list[tuple[int, int, int]]:
    """The placeholders in text that no Herald expression fills."""
    return [mark for mark in placeholders(text) if not str(params.get(str(mark[2]), "")).strip()]


def parameter_problems(body: str, params: Mapping[str, str]) -> list[tuple[int, int, str]]:
    """(offset, length, reason) for each placeholder Meta would reject or Herald could not fill."""
    marks = placeholders(body)
    problems = []
    numbers = sorted({n for _, _, n in marks})
    if numbers != list(range(1, len(numbers) + 1)):
        problems.append(
            (
                0,
                0,
                f"placeholders must run 1..{len(numbers)} without gaps; the body has "
                + ", ".join(f"{{{{{n}}}}}" for n in numbers),
            )
        )
    for start, length, n in unmapped(body, params):
        problems.append((start, length, f"{{{{{n}}}}} is mapped to no Herald variable"))
    stripped = body.strip()
    for start, length, n in marks:
        if stripped.startswith(body[start : start + length]) and body[:start].strip() == "":
            problems.append((start, length, f"{{{{{n}}}}} opens the body; Meta rejects a parameter at the start"))
        if body[start + length :].strip() == "":
            problems.append((start, length, f"{{{{{n}}}}} ends the body; Meta rejects a parameter at the end"))
    for key in params:
        if not key.isdigit() or int(key) not in numbers:
            problems.append((0, 0, f"parameter {key!r} is mapped but the body has no {{{{{key}}}}}"))
    return problems


def validate(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    """Check a WhatsApp content document (template or free-form text); returns it normalized."""
    if "text" in data and "body" not in data:
        return _free_form(data, where)
    unknown = sorted(set(data) - {"category", "body", "params", "header", "footer", "buttons"})
    if unknown:
        raise Invalid(f"unknown field(s) {', '.join(unknown)}", where=where)
    category = str(data.get("category", "")).upper()
    if category not in CATEGORIES:
        raise Invalid(
            f"category must be one of {', '.join(CATEGORIES)}, not {data.get('category')!r}", where=f"{where} category"
        )
    body = _text(data.get("body"), "body", LIMITS["body"], where, required=True)
    params = {str(k): str(v) for k, v in (data.get("params") or {}).items()}
    out: dict[str, Any] = {"category": category, "body": body, "params": params}
    _all_mapped(body, params, f"{where} body")
    if data.get("header"):
        out["header"] = _header(data["header"], f"{where} header")
        _all_mapped(out["header"].get("text", ""), out["header"].get("params", {}), f"{where} header")
    if data.get("footer"):
        footer = _text(data["footer"], "footer", LIMITS["footer"], where)
        if placeholders(footer):
            raise Invalid("the footer may not carry parameters", where=f"{where} footer")
        out["footer"] = footer
    if data.get("buttons"):
        out["buttons"] = _buttons(data["buttons"], f"{where} buttons")
    return out


def _all_mapped(text: str, params: Mapping[str, str], where: str) -> None:
    """A placeholder Herald cannot fill would go out as `{{2}}`: refused when the template is saved."""
    missing = [f"{{{{{n}}}}}" for _, _, n in unmapped(text, params)]
    if missing:
        raise Invalid(
            f"{', '.join(dict.fromkeys(missing))} mapped to no Herald variable; add it to params", where=where
        )


def _free_form(data: Mapping[str, Any], where: str) -> dict[str, Any]:
    unknown = sorted(set(data) - {"text"})
    if unknown:
        raise Invalid(f"free-form text takes only 'text', not {', '.join(unknown)}", where=where)
    return {"text": _text(data["text"], "text", LIMITS["text"], where, required=True)}


def _text(value: Any, name: str, limit: int, where: str, required: bool = False) -> str:
    text = "" if value is None else str(value)
    if required and not text.strip():
        raise Invalid(f"the {name} is empty", where=f"{where} {name}")
    if len(text) > limit:
        raise Invalid(f"the {name} has {len(text)} characters; WhatsApp allows {limit}", where=f"{where} {name}")
    return text


def _header(header: Any, where: str) -> dict[str, Any]:
    if not isinstance(header, Mapping):
        raise Invalid("expected a table with format and text or url", where=where)
    fmt = str(header.get("format", "TEXT")).upper()
    if fmt == "TEXT":
        text = _text(header.get("text"), "text", LIMITS["header"], where, required=True)
        if len(placeholders(text)) > 1:
            raise Invalid("a text header takes at most one parameter", where=where)
        return {
            "format": "TEXT",
            "text": text,
            "params": {str(k): str(v) for k, v in (header.get("params") or {}).items()},
        }
    if fmt not in MEDIA:
        raise Invalid(f"format must be TEXT, {', '.join(MEDIA)}, not {fmt!r}", where=where)
    return {"format": fmt, "url": https_url(header.get("url"), f"{where} url")}


def https_url(value: Any, where: str) -> str:
    """A media or button link: https only."""
    url = str(value or "").strip()
    if not re.match(r"^https://[^\s/$.?#][^\s]*$", url, re.IGNORECASE):
        raise Invalid(f"{url!r} is not an https URL", where=where)
    return url


def _buttons(buttons: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(buttons, list) or len(buttons) > LIMITS["buttons"]:
        raise Invalid(f"expected a list of at most {LIMITS['buttons']} buttons", where=where)
    out = [_button(b, f"{where}[{i}]") for i, b in enumerate(buttons)]
    if sum(b["type"] == "URL" for b in out) > LIMITS["url_buttons"]:
        raise Invalid(f"at most {LIMITS['url_buttons']} URL buttons", where=where)
    return out


def _button(button: Any, where: str) -> dict[str, Any]:
    if not isinstance(button, Mapping):
        raise Invalid("expected a table with type and text", where=where)
    kind = str(button.get("type", "")).upper()
    if kind not in BUTTONS:
        raise Invalid(f"type must be one of {', '.join(BUTTONS)}, not {button.get('type')!r}", where=where)
    out: dict[str, Any] = {"type": kind, "text": _text(button.get("text"), "text", LIMITS["button"], where, True)}
    if kind == "URL":
        out["url"] = https_url(button.get("url"), f"{where} url")
        if placeholders(out["url"]):
            if not str(button.get("param", "")).strip():
                raise Invalid("the URL has a {{1}} parameter mapped to no Herald variable", where=f"{where} param")
            out["param"] = str(button["param"])
    if kind == "PHONE_NUMBER":
        out["phone_number"] = str(button.get("phone_number", ""))
        if not re.fullmatch(r"\+[1-9]\d{6,14}", out["phone_number"]):
            raise Invalid("phone_number must be E.164, e.g. +14155550100", where=f"{where} phone_number")
    return out


def expressions(content: Mapping[str, Any]) -> dict[str, str]:
    """Every Herald expression a template maps, keyed by where it goes (body.1, header.1, button.0)."""
    found = {f"body.{k}": v for k, v in content.get("params", {}).items()}
    header = content.get("header") or {}
    found.update({f"header.{k}": v for k, v in header.get("params", {}).items()})
    for i, button in enumerate(content.get("buttons", [])):
        if "param" in button:
            found[f"button.{i}"] = button["param"]
    return found


def fill(text: str, values: Mapping[str, str]) -> str:
    """Text with each `{{n}}` replaced by its value, as the recipient will see it."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def components(content: Mapping[str, Any], values: Mapping[str, str]) -> list[dict[str, Any]]:
    """The Cloud API `components` for a template send, from rendered values keyed as `expressions()`."""
    out: list[dict[str, Any]] = []
    header = content.get("header")
    if header and header["format"] in MEDIA:
        kind = header["format"].lower()
        out.append({"type": "header", "parameters": [{"type": kind, kind: {"link": header["url"]}}]})
    elif header and placeholders(header["text"]):
        out.append({"type": "header", "parameters": [{"type": "text", "text": values["header.1"]}]})
    numbers = sorted({n for *_, n in placeholders(content["body"])})
    body = [{"type": "text", "text": values[f"body.{n}"]} for n in numbers]
    if body:
        out.append({"type": "body", "parameters": body})
    for i, button in enumerate(content.get("buttons", [])):
        if "param" in button:
            out.append(
                {
                    "type": "button",
                    "sub_type": "url",
                    "index": str(i),
                    "parameters": [{"type": "text", "text": values[f"button.{i}"]}],
                }
            )
    return out


def meta_status_updates(payload: Any) -> list[dict[str, Any]]:
    """The template status changes in a `message_template_status_update` webhook payload, each with the
    time Meta gives its entry (Unix seconds, or None). A payload not shaped as Meta sends them is Invalid,
    naming where."""
    if not isinstance(payload, Mapping):
        raise Invalid("expected a JSON object", where="webhook payload")
    updates = []
    for i, entry in enumerate(_list(payload.get("entry"), "entry")):
        entry = _object(entry, f"entry[{i}]")
        at = entry.get("time")
        at = at if isinstance(at, int | float) and not isinstance(at, bool) and 0 <= at < 1e11 else None
        for j, change in enumerate(_list(entry.get("changes"), f"entry[{i}].changes")):
            change = _object(change, f"entry[{i}].changes[{j}]")
            if change.get("field") != "message_template_status_update":
                continue
            value = _object(change.get("value") or {}, f"entry[{i}].changes[{j}].value")
            event = str(value.get("event", "")).upper()
            # Meta adds states over time (IN_APPEAL, PENDING_DELETION, ...): keep any, send only on APPROVED.
            if event and value.get("message_template_name"):
                updates.append(
                    {
                        "status": event,
                        "name": str(value["message_template_name"]),
                        "language": str(value.get("message_template_language", "")),
                        "id": str(value.get("message_template_id", "")),
                        "reason": str(value.get("reason") or ""),
                        "time": at,
                    }
                )
    return updates


def _list(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Invalid(f"expected a list, got {type(value).__name__}", where=f"webhook payload {where}")
    return value


def _object(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise Invalid(f"expected an object, got {type(value).__name__}", where=f"webhook payload {where}")
    return value
