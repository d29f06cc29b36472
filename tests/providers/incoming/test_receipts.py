"""Vendors' status callbacks read as delivery reports (pure)."""

import json
import re
from datetime import UTC, datetime

import pytest

from herald.providers.base import Callback, Report
from herald.providers.incoming.receipts import aliyun_reports, gateway_statuses, meta_statuses, twilio_statuses

AT = 1_780_000_000.0
WHEN = datetime.fromtimestamp(AT, UTC)
HOOK = "https://herald.shop.example/webhooks/twilio/main/status?ref=42"


def twilio(body: str, url: str = HOOK) -> list[Report]:
    return twilio_statuses(Callback(url, {}, body.encode(), AT))


@pytest.mark.parametrize(
    ("body", "url", "expected"),
    [
        (
            "MessageSid=SM1&MessageStatus=delivered&ErrorCode=",
            HOOK,
            [Report("status", "SM1", "delivered", at=WHEN, reference=42, event="SM1:delivered")],
        ),
        (
            "SmsSid=SM1&SmsStatus=undelivered&ErrorCode=30003",
            HOOK,
            [
                Report(
                    "status",
                    "SM1",
                    "undelivered",
                    at=WHEN,
                    reference=42,
                    code="30003",
                    detail="30003: Twilio reports the message undelivered",
                    event="SM1:undelivered",
                )
            ],
        ),
        (
            "MessageSid=SM1&MessageStatus=canceled",
            "https://h/x",
            [Report("status", "SM1", "failed", at=WHEN, event="SM1:canceled")],
        ),
        ("MessageSid=SM1&MessageStatus=queued", HOOK, []),  # says nothing of delivery
        ("MessageSid=SM1&MessageStatus=sending", HOOK, []),
        ("MessageStatus=delivered", HOOK, []),  # no message named
        (
            "MessageSid=SM1&MessageStatus=read",
            "https://h/x?ref=abc",
            [Report("status", "SM1", "read", at=WHEN, event="SM1:read")],
        ),
    ],
)
def test_a_twilio_status_callback_becomes_a_report(body, url, expected) -> None:
    assert twilio(body, url) == expected


def meta(body) -> list[Report]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return meta_statuses(Callback("https://h/webhooks/whatsapp/main", {}, raw, AT))


def change(*statuses, messages=()) -> dict:
    value = {"messaging_product": "whatsapp", "statuses": list(statuses), "messages": list(messages)}
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }


READ = {
    "id": "wamid.A",
    "status": "read",
    "timestamp": "1780000100",
    "recipient_id": "9779841234567",
    "biz_opaque_callback_data": "42",
}
FAILED = {
    "id": "wamid.B",
    "status": "failed",
    "timestamp": "1780000200",
    "errors": [
        {"code": 131026, "title": "Message undeliverable", "error_data": {"details": "Unable to deliver message."}}
    ],
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            change(READ, FAILED),
            [
                Report(
                    "status",
                    "wamid.A",
                    "read",
                    at=datetime.fromtimestamp(1780000100, UTC),
                    reference=42,
                    event="wamid.A:read",
                ),
                Report(
                    "status",
                    "wamid.B",
                    "failed",
                    at=datetime.fromtimestamp(1780000200, UTC),
                    code="131026",
                    detail="131026: Unable to deliver message.",
                    event="wamid.B:failed",
                    fallback=True,  # not a WhatsApp user: the campaign's next channel may reach them
                ),
            ],
        ),
        (
            change({**FAILED, "errors": [{"code": 131047, "title": "Re-engagement message"}]}),
            [
                Report(
                    "status",
                    "wamid.B",
                    "failed",
                    at=datetime.fromtimestamp(1780000200, UTC),
                    code="131047",
                    detail="131047: Re-engagement message",
                    event="wamid.B:failed",
                )
            ],
        ),
        (
            change({**FAILED, "errors": [{"title": "no code", "error_data": "odd"}]}),
            [
                Report(
                    "status",
                    "wamid.B",
                    "failed",
                    at=datetime.fromtimestamp(1780000200, UTC),
                    detail="no code",
                    event="wamid.B:failed",
                )
            ],
        ),
        (
            change(
                {
                    **READ,
                    "status": "sent",
                    "pricing": {"billable": False, "pricing_model": "PMP", "type": "free_customer_service"},
                }
            ),
            [
                Report(
                    "status",
                    "wamid.A",
                    "sent",
                    at=datetime.fromtimestamp(1780000100, UTC),
                    reference=42,
                    event="wamid.A:sent",
                    price="0",
                )
            ],
        ),
        (
            change(
                {
                    **READ,
                    "status": "sent",
                    "pricing": {"billable": True, "pricing_model": "PMP", "category": "marketing"},
                }
            ),
            [
                Report(
                    "status",
                    "wamid.A",
                    "sent",
                    at=datetime.fromtimestamp(1780000100, UTC),
                    reference=42,
                    event="wamid.A:sent",
                )
            ],
        ),
        (change({**READ, "status": "deleted"}), []),  # not a delivery stage
        (change(messages=[{"from": "9779841234567", "id": "wamid.C", "type": "text"}]), []),  # a reply, not a receipt
        ({"object": "whatsapp_business_account", "entry": [{"changes": ["odd", {"value": "odd"}]}]}, []),
        ({"entry": "odd"}, []),
    ],
)
def test_a_meta_webhook_yields_its_statuses(body, expected) -> None:
    assert meta(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1]",
        json.dumps(change({**READ, "timestamp": "soon"})).encode(),
        json.dumps(change({**READ, "id": ""})).encode(),
    ],
)
def test_a_meta_webhook_not_shaped_as_meta_sends_it_is_refused(body) -> None:
    with pytest.raises(ValueError):
        meta(body)


def gateway(body: dict) -> list[Report]:
    return gateway_statuses(
        Callback("https://h/webhooks/gateway/gw", {"webhook-id": "evt_1"}, json.dumps(body).encode(), AT)
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            {"type": "message.status", "reference": "42", "id": "gw-1", "status": "delivered", "timestamp": 1780000300},
            [
                Report(
                    "status",
                    "gw-1",
                    "delivered",
                    at=datetime.fromtimestamp(1780000300, UTC),
                    reference=42,
                    event="evt_1",
                )
            ],
        ),
        (
            {"type": "message.status", "reference": 42, "status": "failed", "code": 7, "detail": "no route"},
            [Report("status", None, "failed", at=WHEN, reference=42, code="7", detail="no route", event="evt_1")],
        ),
        (
            {"type": "message.status", "reference": 42, "status": "sent", "price": "0.0075", "currency": "usd"},
            [Report("status", None, "sent", at=WHEN, reference=42, event="evt_1", price="0.0075", currency="USD")],
        ),
        (
            {"type": "message.status", "reference": 42, "status": "sent", "price": 0, "currency": "CNY"},
            [Report("status", None, "sent", at=WHEN, reference=42, event="evt_1", price="0", currency="CNY")],
        ),
        ({"type": "message.inbound", "from": "+1", "text": "STOP"}, []),
    ],
)
def test_a_gateway_status_callback_becomes_a_report(body, expected) -> None:
    assert gateway(body) == expected


@pytest.mark.parametrize(
    ("price", "currency", "words"),
    [
        ("cheap", "USD", "price must be a decimal, got 'cheap'"),
        ("-1", "USD", "price must be 0 or more with a three-letter currency"),
        ("NaN", "USD", "price must be 0 or more"),
        ("0.01", None, "three-letter currency, got 0.01 ''"),
        ("0.01", "US$", "three-letter currency"),
    ],
)
def test_a_gateway_price_must_be_a_decimal_in_a_currency(price, currency, words) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        gateway({"type": "message.status", "status": "sent", "price": price, "currency": currency})


def test_a_gateway_status_must_name_a_stage() -> None:
    with pytest.raises(
        ValueError, match="status must be one of sent, delivered, read, undelivered, failed, got 'gone'"
    ):
        gateway({"type": "message.status", "status": "gone"})


def aliyun(body) -> list[Report]:
    raw = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    return aliyun_reports(Callback("https://h/webhooks/aliyun/ali/report/t", {}, raw, AT))


DELIVERED = {
    "phone_number": "13800138000",
    "send_time": "2026-12-06 10:00:00",
    "report_time": "2026-12-06 10:00:05",
    "success": True,
    "err_code": "DELIVERED",
    "err_msg": "用户接收成功",
    "sms_size": "1",
    "biz_id": "932702304080415357^0",
    "out_id": "42",
}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            [DELIVERED],
            [
                Report(
                    "status",
                    "932702304080415357^0",
                    "delivered",
                    at=datetime(2026, 12, 6, 2, 0, 5, tzinfo=UTC),  # China's 10:00:05
                    reference=42,
                    event="932702304080415357^0:DELIVERED",
                )
            ],
        ),
        (
            [
                {
                    **DELIVERED,
                    "success": False,
                    "err_code": "MOBILE_NOT_ON_SERVICE",
                    "err_msg": "停机",
                    "report_time": "?",
                }
            ],
            [
                Report(
                    "status",
                    "932702304080415357^0",
                    "undelivered",
                    at=WHEN,  # a time that cannot be read: when the report came
                    reference=42,
                    code="MOBILE_NOT_ON_SERVICE",
                    detail="MOBILE_NOT_ON_SERVICE: 停机",
                    event="932702304080415357^0:MOBILE_NOT_ON_SERVICE",
                )
            ],
        ),
        (
            [{**DELIVERED, "success": False, "err_code": "", "err_msg": "", "out_id": ""}],
            [
                Report(
                    "status",
                    "932702304080415357^0",
                    "undelivered",
                    at=datetime(2026, 12, 6, 2, 0, 5, tzinfo=UTC),
                    event="932702304080415357^0:False",
                )
            ],
        ),
        ([], []),
    ],
)
def test_an_aliyun_sms_report_push_becomes_reports(body, expected) -> None:
    assert aliyun(body) == expected


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b"[1]",
        json.dumps([{**DELIVERED, "biz_id": ""}]).encode(),
        json.dumps([{**DELIVERED, "success": "yes"}]).encode(),
    ],
)
def test_an_aliyun_push_not_shaped_as_aliyuns_is_refused(body) -> None:
    with pytest.raises(ValueError):
        aliyun(body)
