"""Vendors' status callbacks read as reports of delivery, each with the vendor's identity of the event
(vendors repeat events) and Herald's own reference where the vendor carried it back. Pure: a verified
callback in, reports out; a body that is not what the vendor sends raises ValueError.

- Twilio: a form with `MessageSid`, `MessageStatus` and `ErrorCode`; Herald's reference is the `ref` in
  the StatusCallback address it gave. Statuses before `sent` (queued, sending, accepted, scheduled) say
  nothing of delivery and are passed over.
- Meta: `entry[].changes[].value.statuses[]`, each with the `wamid` `id`, `status`, `timestamp`, the
  `biz_opaque_callback_data` Herald sent and, when failed, `errors[]`.
- Aliyun's SmsReport push: a JSON array of `{"phone_number", "send_time", "report_time", "success",
  "err_code", "err_msg", "sms_size", "biz_id", "out_id"}`, times in China's (UTC+8); `out_id` is the
  OutId Herald sent, its message's id.
- A webhook gateway: `{"type": "message.status", "reference": "42", "id": "gw-1", "status":
  "delivered", "code": null, "detail": null, "timestamp": 1780000000}`, its `webhook-id` the event; with
  `"price": "0.0075", "currency": "USD"` when the gateway says what the message cost.

What a message cost, where the vendor says: a gateway's `price`; Meta's `pricing.billable` false (a
message it does not charge for, as in a customer-service window) is a cost of 0. Twilio's callbacks and
Aliyun's reports carry no price: the price table estimates those.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import parse_qs, urlsplit

from herald.providers.base import Callback, Report

STAGES = ("sent", "delivered", "read", "undelivered", "failed")
TWILIO = {s: s for s in STAGES} | {"canceled": "failed"}
META = {"sent": "sent", "delivered": "delivered", "read": "read", "failed": "failed"}
# Meta's codes for a person WhatsApp cannot reach (not a WhatsApp user, an old app): a cue to fall back.
META_UNREACHABLE = {131026}


def twilio_statuses(callback: Callback) -> list[Report]:
    """A Twilio status callback as a report (none for a status that says nothing of delivery)."""
    fields = dict(callback.form())
    sid, state = (
        fields.get("MessageSid") or fields.get("SmsSid"),
        fields.get("MessageStatus") or fields.get("SmsStatus"),
    )
    if not sid or state not in TWILIO:
        return []
    code = fields.get("ErrorCode") or None
    detail = f"{code}: Twilio reports the message {state}" if code else None
    at = datetime.fromtimestamp(callback.at, UTC)
    ref = parse_qs(urlsplit(callback.url).query).get("ref", [""])[0]
    return [
        Report(
            "status",
            sid,
            TWILIO[state],
            at=at,
            reference=_number(ref),
            code=code,
            detail=detail,
            event=f"{sid}:{state}",
        )
    ]


def meta_statuses(callback: Callback) -> list[Report]:
    """The statuses in a WhatsApp Cloud webhook (messages and other changes are not receipts)."""
    data = json_object(callback.body)
    changes = [c for e in dicts_in(data, "entry") for c in dicts_in(e, "changes")]
    values = [c.get("value") for c in changes if isinstance(c, dict) and isinstance(c.get("value"), dict)]
    return [_meta(s) for v in values for s in dicts_in(v, "statuses") if s.get("status") in META]


def _meta(status: dict[str, Any]) -> Report:
    wamid, state, stamp = str(status.get("id") or ""), str(status["status"]), str(status.get("timestamp") or "")
    if not wamid or not stamp.isdigit():
        raise ValueError("a status without its id or timestamp")
    errors = [e for e in status.get("errors") or [] if isinstance(e, dict)]
    code = str(errors[0]["code"]) if errors and errors[0].get("code") is not None else None
    extra = errors[0].get("error_data") if errors else None
    said = (extra.get("details") if isinstance(extra, dict) else None) or (errors[0].get("title") if errors else None)
    return Report(
        "status",
        wamid,
        META[state],
        at=datetime.fromtimestamp(int(stamp), UTC),
        reference=_number(str(status.get("biz_opaque_callback_data") or "")),
        code=code,
        detail=f"{code}: {said}" if code and said else said,
        event=f"{wamid}:{state}",
        fallback=code is not None and code.isdigit() and int(code) in META_UNREACHABLE,
        price="0" if isinstance(status.get("pricing"), dict) and status["pricing"].get("billable") is False else None,
    )


def gateway_statuses(callback: Callback) -> list[Report]:
    """A webhook gateway's status callback as a report."""
    data = json_object(callback.body)
    if data.get("type") != "message.status":
        return []
    stage, stamp = data.get("status"), data.get("timestamp")
    if stage not in STAGES:
        raise ValueError(f"status must be one of {', '.join(STAGES)}, got {stage!r}")
    at = datetime.fromtimestamp(stamp, UTC) if isinstance(stamp, int) else datetime.fromtimestamp(callback.at, UTC)
    code = None if data.get("code") is None else str(data["code"])
    price, currency = _price(data)
    return [
        Report(
            "status",
            None if data.get("id") is None else str(data["id"]),
            stage,
            at=at,
            reference=_number(str(data.get("reference") or "")),
            code=code,
            detail=None if data.get("detail") is None else str(data["detail"]),
            event=callback.header("webhook-id"),
            price=price,
            currency=currency,
        )
    ]


def _price(data: dict[str, Any]) -> tuple[str | None, str | None]:
    """A gateway's `price` and `currency`, checked: a decimal of 0 or more, in a three-letter currency."""
    if data.get("price") is None:
        return None, None
    try:
        price = Decimal(str(data["price"]))
    except InvalidOperation:
        raise ValueError(f"price must be a decimal, got {data['price']!r}") from None
    currency = str(data.get("currency") or "")
    if not price.is_finite() or price < 0 or not (len(currency) == 3 and currency.isalpha()):
        raise ValueError(f"price must be 0 or more with a three-letter currency, got {data['price']} {currency!r}")
    return str(price), currency.upper()


CHINA = timezone(timedelta(hours=8))


def aliyun_reports(callback: Callback) -> list[Report]:
    """The receipts in an Aliyun SmsReport push."""
    data = json.loads(callback.body)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise ValueError("expected a JSON array of reports")
    return [_aliyun(r, callback.at) for r in data]


def _aliyun(report: dict[str, Any], arrived: float) -> Report:
    biz, code = str(report.get("biz_id") or ""), str(report.get("err_code") or "")
    if not biz or not isinstance(report.get("success"), bool):
        raise ValueError("a report without its biz_id or success")
    said = str(report.get("report_time") or "")
    try:
        at = datetime.strptime(said, "%Y-%m-%d %H:%M:%S").replace(tzinfo=CHINA).astimezone(UTC)
    except ValueError:
        at = datetime.fromtimestamp(arrived, UTC)
    failed = not report["success"]
    return Report(
        "status",
        biz,
        "undelivered" if failed else "delivered",
        at=at,
        reference=_number(str(report.get("out_id") or "")),
        code=code or None if failed else None,
        detail=(f"{code}: {report.get('err_msg') or ''}".strip(": ") or None) if failed else None,
        event=f"{biz}:{code or report['success']}",
    )


def json_object(body: bytes) -> dict[str, Any]:
    data = json.loads(body)
    if not isinstance(data, dict):
        raise ValueError("expected a JSON object")
    return data


def dicts_in(data: Any, key: str) -> list[Any]:
    found = data.get(key) if isinstance(data, dict) else None
    return [x for x in found if isinstance(x, dict)] if isinstance(found, list) else []


def _number(text: str) -> int | None:
    return int(text) if text.isdigit() else None
