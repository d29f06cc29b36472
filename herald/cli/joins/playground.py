"""`herald rules decide`: the policy playground. A recipient and an intent as JSON on standard input,
the decision and its trail out, with no database at all."""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from herald.console import JsonFlag, emit, out
from herald.contacts import Phone, normalize_email, normalize_phone
from herald.errors import Invalid
from herald.rules import (
    ConsentFact,
    Defer,
    MessageIntent,
    Recipient,
    Send,
    SendFact,
    decide,
    explain,
    load_policy,
    parse_preset,
    trail_json,
    zone,
)
from herald.types import Channel, Purpose, parse_enum, parse_moment

when = parse_moment


def recipient_from(data: dict[str, Any]) -> Recipient:
    """Recipient facts from the playground's JSON; time zones come from the number when not given."""
    addresses: dict[Channel, str] = {}
    zones: tuple[str, ...] = ()
    region = line = None
    if data.get("phone"):
        phone = normalize_phone(str(data["phone"]), data.get("region"))
        if not isinstance(phone, Phone):
            raise Invalid(getattr(phone, "reason", "not a phone number"), where="phone")
        addresses[Channel.SMS] = addresses[Channel.WHATSAPP] = phone.e164
        zones, region, line = phone.timezones, phone.region, phone.line_type
    if data.get("email"):
        email = normalize_email(str(data["email"]))
        if not isinstance(email, str):
            raise Invalid(getattr(email, "reason", "not an email address"), where="email")
        addresses[Channel.EMAIL] = email
    if data.get("timezone"):
        if zone(str(data["timezone"])) is None:
            raise Invalid(
                f"{data['timezone']!r} is not a time zone (use an IANA name such as Asia/Kathmandu)", where="timezone"
            )
        zones = (str(data["timezone"]),)
    return Recipient(
        contact_id=None,
        addresses=addresses,
        timezones=zones,
        region=data.get("region") or region,
        consents=tuple(_consent(c, f"consents[{i}]") for i, c in enumerate(data.get("consents", []))),
        suppressions={
            parse_enum(Channel, s.get("channel"), f"suppressions[{i}].channel"): str(s.get("reason", "manual"))
            for i, s in enumerate(data.get("suppressions", []))
        },
        lifecycle=data.get("lifecycle"),
        line_type=data.get("line_type") or line,
        sends=tuple(
            SendFact(
                parse_enum(Channel, s.get("channel"), f"sends[{i}].channel"),
                parse_enum(Purpose, s.get("purpose", "marketing"), f"sends[{i}].purpose"),
                when(s.get("at"), f"sends[{i}].at"),
            )
            for i, s in enumerate(data.get("sends", []))
        ),
        last_inbound={
            parse_enum(Channel, k, "last_inbound"): when(v, f"last_inbound.{k}")
            for k, v in (data.get("last_inbound") or {}).items()
        },
    )


def _consent(c: dict[str, Any], where: str) -> ConsentFact:
    status = str(c.get("status", "granted")).lower()
    if status not in ("granted", "revoked"):
        raise Invalid(f"{status!r} is not granted or revoked", where=f"{where}.status")
    return ConsentFact(
        parse_enum(Channel, c.get("channel"), f"{where}.channel"),
        parse_enum(Purpose, c.get("purpose", "marketing"), f"{where}.purpose"),
        status,
        when(c.get("at"), f"{where}.at"),
        c.get("source"),
        bool(c.get("evidence")),
    )


def intent_from(data: dict[str, Any]) -> MessageIntent:
    channels = data.get("channels") or ["sms"]
    if not isinstance(channels, list):
        raise Invalid('expected a list such as ["whatsapp", "sms"]', where="intent.channels")
    return MessageIntent(
        purpose=parse_enum(Purpose, data.get("purpose", "marketing"), "intent.purpose"),
        channels=tuple(parse_enum(Channel, c, f"intent.channels[{i}]") for i, c in enumerate(channels)),
        template_category=data.get("template_category"),
        template_status=data.get("template_status"),
    )


def decide_command(
    ctx: typer.Context,
    preset: Annotated[str, typer.Option(help="Policy preset (herald rules presets).")] = "default",
    policy: Annotated[Path | None, typer.Option(help="TOML overrides: [rule] tables of parameters.")] = None,
    now: Annotated[str | None, typer.Option(help="The moment to decide at, ISO-8601 with offset.")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Read a recipient and intent as JSON on standard input; print the decision and its trail."""
    try:
        data = json.loads(sys.stdin.read() or "{}")
    except json.JSONDecodeError as exc:
        raise Invalid(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", where="standard input") from None
    if not isinstance(data, dict):
        raise Invalid("expected a JSON object", where="standard input")
    overrides = parse_preset(policy.read_text(encoding="utf-8"), str(policy)) if policy else None
    moment = when(now, "--now") if now else datetime.now().astimezone()
    decision = decide(
        recipient_from(data), intent_from(data.get("intent") or {}), load_policy(preset, overrides), moment
    )
    result: dict[str, Any] = {"action": decision.action, "trail": trail_json(decision)}
    if isinstance(decision, Send | Defer):
        result["channel"] = decision.channel.value
    if isinstance(decision, Send):
        result["at"] = decision.at.isoformat()
    if isinstance(decision, Defer):
        result["until"] = decision.until.isoformat()
    else:
        result.setdefault("reason", getattr(decision, "reason", None))
    text = explain(decision.action, result.get("channel"), result.get("until"), result["trail"], result.get("reason"))
    emit(ctx, json_out, result, lambda: out.print(text, markup=False))


# The playground reads contacts' facts, so it lives above the rules engine, and joins `herald rules`.
JOINS = {"rules": {"decide": decide_command}}
