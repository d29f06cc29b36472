"""Messages people send in, read from vendors' webhooks. Pure: a verified callback in, inbound reports
out; a body that is not what the vendor sends raises ValueError.

- Twilio: a form with `MessageSid`, `From`, `To`, `Body`, `NumMedia` and `MediaUrl{N}`; WhatsApp numbers
  come as `whatsapp:+…`, and `OriginalRepliedMessageSid` names the message answered. `OptOutType` (STOP,
  START, HELP) is Twilio's own reading, sent when Advanced Opt-Out is on.
- Meta: `entry[].changes[].value.messages[]`, each with `from` (the WhatsApp id, the number without +),
  `id`, `timestamp`, `type` and the type's object (text, a button tapped, an interactive reply, media with
  its caption); `context.id` is the message answered.
- Aliyun's SmsUp push: a JSON array of `{"phone_number", "content", "send_time", "dest_code",
  "sequence_id"}`, mainland numbers without +86, times in China's (UTC+8).
- A webhook gateway: `{"type": "message.inbound", "id", "from", "to", "channel", "text", "media",
  "timestamp", "replied_to"}`, its `webhook-id` the event.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from herald.providers.base import Callback, Report
from herald.providers.incoming.receipts import CHINA, dicts_in, json_object

TWILIO_INTENTS = ("STOP", "START", "HELP")
MAX_MEDIA = 10  # Twilio's own limit on an MMS's media; more is not a vendor's message


def twilio_inbound(callback: Callback) -> list[Report]:
    """A message sent to one of the account's numbers."""
    fields = dict(callback.form())
    if (fields.get("MessageStatus") or fields.get("SmsStatus") or "received") != "received":
        return []  # a status callback
    sid, sender = fields.get("MessageSid") or fields.get("SmsSid"), fields.get("From") or ""
    if not sid or not sender:
        raise ValueError("an inbound message without its MessageSid or From")
    channel = "whatsapp" if sender.startswith("whatsapp:") else "sms"
    count = fields.get("NumMedia") or "0"
    if not count.isdigit() or int(count) > MAX_MEDIA:
        raise ValueError(f"NumMedia must be 0 to {MAX_MEDIA}, got {count!r}")
    media = tuple(fields[f"MediaUrl{i}"] for i in range(int(count)) if fields.get(f"MediaUrl{i}"))
    said = (fields.get("OptOutType") or "").upper()
    return [
        Report(
            "inbound",
            sid,
            sender=sender.removeprefix("whatsapp:"),
            text=fields.get("Body") or fields.get("ButtonText") or "",
            at=datetime.fromtimestamp(callback.at, UTC),
            event=sid,
            channel=channel,
            to=(fields.get("To") or "").removeprefix("whatsapp:") or None,
            media=media,
            replied_to=fields.get("OriginalRepliedMessageSid") or None,
            vendor_intent=said if said in TWILIO_INTENTS else None,
        )
    ]


def meta_messages(callback: Callback) -> list[Report]:
    """The messages in a WhatsApp Cloud webhook (statuses and other changes are not messages)."""
    data = json_object(callback.body)
    changes = [c for e in dicts_in(data, "entry") for c in dicts_in(e, "changes")]
    values = [c["value"] for c in changes if isinstance(c.get("value"), dict)]
    found = []
    for value in values:
        number = (
            value.get("metadata", {}).get("display_phone_number") if isinstance(value.get("metadata"), dict) else None
        )
        found += [_meta(m, number) for m in dicts_in(value, "messages") if m.get("type") not in SKIPPED]
    return found


SKIPPED = ("system", "unsupported", "errors")  # Meta's notices, not anything the person wrote


def _meta(message: dict[str, Any], number: Any) -> Report:
    wamid, sender, stamp = str(message.get("id") or ""), str(message.get("from") or ""), str(message.get("timestamp"))
    if not wamid or not sender.isdigit() or not stamp.isdigit():
        raise ValueError("a message without its id, from or timestamp")
    text, media = _meta_content(message)
    context = message.get("context")
    return Report(
        "inbound",
        wamid,
        sender="+" + sender,
        text=text,
        at=datetime.fromtimestamp(int(stamp), UTC),
        event=wamid,
        channel="whatsapp",
        to=("+" + str(number).lstrip("+").replace(" ", "")) if number else None,
        media=media,
        replied_to=str(context["id"]) if isinstance(context, dict) and context.get("id") else None,
    )


def _meta_content(message: dict[str, Any]) -> tuple[str, tuple[str, ...]]:
    """What the person wrote or tapped, and the ids of media they sent."""
    kind = str(message.get("type") or "")
    part = message.get(kind)
    part = part if isinstance(part, dict) else {}
    if kind == "text":
        return str(part.get("body") or ""), ()
    if kind == "button":
        return str(part.get("text") or part.get("payload") or ""), ()
    if kind == "interactive":
        reply = part.get(str(part.get("type") or ""))
        return (str(reply.get("title") or "") if isinstance(reply, dict) else ""), ()
    if kind == "reaction":
        return str(part.get("emoji") or ""), ()
    if part.get("id"):  # image, video, audio, document, sticker: fetched by id with the account's token
        return str(part.get("caption") or ""), (f"whatsapp-media:{part['id']}",)
    return f"[{kind}]", ()


def aliyun_up(callback: Callback) -> list[Report]:
    """The messages in an Aliyun SmsUp push."""
    data = json.loads(callback.body)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValueError("expected a JSON array of messages")
    return [_aliyun(m, callback.at) for m in data]


def _aliyun(message: dict[str, Any], arrived: float) -> Report:
    number, sequence = str(message.get("phone_number") or ""), message.get("sequence_id")
    if not number.lstrip("+").isdigit() or "content" not in message:
        raise ValueError("a message without its phone_number or content")
    try:
        at = datetime.strptime(str(message.get("send_time")), "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA)
    except ValueError:
        at = datetime.fromtimestamp(arrived, UTC)
    sender = _mainland(number)
    event = f"up:{sequence}" if sequence is not None else f"up:{sender}:{at.timestamp():.0f}:{message['content']}"
    return Report(
        "inbound",
        None,
        sender=sender,
        text=str(message["content"]),
        at=at.astimezone(UTC),
        event=event[:255],
        channel="sms",
        to=str(message.get("dest_code") or "") or None,
    )


def _mainland(number: str) -> str:
    """A number as Aliyun pushes it, in E.164: a mainland mobile's 11 digits, or with its 86 or +86."""
    if number.startswith("+"):
        return number
    if number.startswith("00"):
        return "+" + number[2:]
    return "+86" + number if len(number) == 11 and number.startswith("1") else "+" + number


def gateway_inbound(callback: Callback) -> list[Report]:
    """A webhook gateway's inbound message."""
    data = json_object(callback.body)
    if data.get("type") != "message.inbound":
        return []
    sender, channel, stamp = data.get("from"), data.get("channel") or "sms", data.get("timestamp")
    at = datetime.fromtimestamp(stamp if isinstance(stamp, int) else callback.at, UTC)
    if not isinstance(sender, str) or not sender or channel not in ("sms", "whatsapp"):
        raise ValueError("an inbound message needs its from, and a channel of sms or whatsapp")
    media = data.get("media") or []
    if not isinstance(media, list) or len(media) > MAX_MEDIA or not all(isinstance(m, str) for m in media):
        raise ValueError(f"media must be a list of at most {MAX_MEDIA} links")
    return [
        Report(
            "inbound",
            None if data.get("id") is None else str(data["id"]),
            sender=sender,
            text=str(data.get("text") or ""),
            at=at,
            event=callback.header("webhook-id"),
            channel=channel,
            to=None if data.get("to") is None else str(data["to"]),
            media=tuple(media),
            replied_to=None if data.get("replied_to") is None else str(data["replied_to"]),
        )
    ]
