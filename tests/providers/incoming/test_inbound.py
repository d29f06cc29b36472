"""Messages people send in, read from vendors' webhooks (pure)."""

import json
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest

from herald.providers.base import Callback, Report
from herald.providers.incoming.inbound import aliyun_up, gateway_inbound, meta_messages, twilio_inbound

AT = 1_780_000_000.0
WHEN = datetime.fromtimestamp(AT, UTC)
URL = "https://herald.shop.example/webhooks/twilio/main/inbound"


def twilio(fields: dict) -> list[Report]:
    return twilio_inbound(Callback(URL, {}, urlencode(fields).encode(), AT))


def test_a_twilio_text_is_read_with_its_number_and_the_number_it_went_to():
    found = twilio({"MessageSid": "SM1", "From": "+14155550100", "To": "+15005550006", "Body": "STOP", "NumMedia": "0"})
    assert found == [
        Report(
            "inbound", "SM1", sender="+14155550100", text="STOP", at=WHEN, event="SM1", channel="sms", to="+15005550006"
        )
    ]


def test_twilio_whatsapp_media_a_reply_and_the_vendors_own_reading():
    fields = {
        "SmsSid": "SM2",
        "SmsStatus": "received",
        "From": "whatsapp:+8613800138000",
        "To": "whatsapp:+15005550006",
        "Body": "",
        "ButtonText": "退订",
        "NumMedia": "2",
        "MediaUrl0": "https://api.twilio.com/m/0",
        "MediaUrl1": "https://api.twilio.com/m/1",
        "OriginalRepliedMessageSid": "SM0",
        "OptOutType": "stop",
    }
    (report,) = twilio(fields)
    assert (report.channel, report.sender, report.to, report.text) == (
        "whatsapp",
        "+8613800138000",
        "+15005550006",
        "退订",
    )
    assert report.media == ("https://api.twilio.com/m/0", "https://api.twilio.com/m/1")
    assert (report.replied_to, report.vendor_intent) == ("SM0", "STOP")


def test_an_opt_out_type_twilio_does_not_send_is_not_taken():
    (report,) = twilio({"MessageSid": "SM3", "From": "+14155550100", "Body": "hi", "OptOutType": "MAYBE"})
    assert report.vendor_intent is None and report.to is None


def test_a_twilio_status_callback_is_no_inbound_message():
    assert twilio({"MessageSid": "SM1", "MessageStatus": "delivered", "From": "+1"}) == []


@pytest.mark.parametrize(
    "fields",
    [
        {"From": "+14155550100", "Body": "x"},
        {"MessageSid": "SM1", "Body": "x"},
        {"MessageSid": "SM1", "From": "+1", "NumMedia": "eleven"},
        {"MessageSid": "SM1", "From": "+1", "NumMedia": "11"},
    ],
)
def test_a_twilio_form_without_what_twilio_always_sends_is_refused(fields):
    with pytest.raises(ValueError):
        twilio(fields)


def meta(messages: list, metadata: dict | None = None) -> list[Report]:
    value = {"messaging_product": "whatsapp", "messages": messages}
    if metadata is not None:
        value["metadata"] = metadata
    body = {"object": "whatsapp_business_account", "entry": [{"changes": [{"field": "messages", "value": value}]}]}
    return meta_messages(Callback(URL, {}, json.dumps(body).encode(), AT))


STAMP = "1780000000"


@pytest.mark.parametrize(
    ("message", "text", "media"),
    [
        ({"type": "text", "text": {"body": "别再发了"}}, "别再发了", ()),
        ({"type": "button", "button": {"text": "Stop promotions", "payload": "STOP"}}, "Stop promotions", ()),
        ({"type": "button", "button": {"payload": "STOP"}}, "STOP", ()),
        ({"type": "interactive", "interactive": {"type": "button_reply", "button_reply": {"title": "Yes"}}}, "Yes", ()),
        ({"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"title": "9"}}}, "9", ()),
        ({"type": "interactive", "interactive": {"type": "nfm_reply"}}, "", ()),
        ({"type": "reaction", "reaction": {"message_id": "wamid.A", "emoji": "👍"}}, "👍", ()),
        (
            {"type": "image", "image": {"id": "MEDIA1", "caption": "my receipt"}},
            "my receipt",
            ("whatsapp-media:MEDIA1",),
        ),
        ({"type": "audio", "audio": {"id": "MEDIA2"}}, "", ("whatsapp-media:MEDIA2",)),
        ({"type": "location", "location": {"latitude": 1}}, "[location]", ()),
        ({"type": "contacts", "contacts": []}, "[contacts]", ()),
    ],
)
def test_each_kind_of_whatsapp_message_is_read_as_what_the_person_wrote_or_tapped(message, text, media):
    (report,) = meta([{"from": "8613800138000", "id": "wamid.B", "timestamp": STAMP} | message])
    assert (report.sender, report.text, report.media, report.channel) == ("+8613800138000", text, media, "whatsapp")
    assert (report.event, report.at) == ("wamid.B", datetime.fromtimestamp(int(STAMP), UTC))


def test_a_whatsapp_reply_names_the_message_it_answers_and_the_number_it_went_to():
    message = {"from": "15551234567", "id": "wamid.C", "timestamp": STAMP, "type": "text", "text": {"body": "STOP"}}
    (report,) = meta(
        [message | {"context": {"from": "15550001111", "id": "wamid.SENT"}}], {"display_phone_number": "1 555 000 1111"}
    )
    assert (report.replied_to, report.to) == ("wamid.SENT", "+15550001111")


def test_metas_notices_and_statuses_are_no_messages():
    notices = [{"from": "1", "id": "w", "timestamp": STAMP, "type": t} for t in ("system", "unsupported")]
    assert meta(notices) == []
    body = {"entry": [{"changes": [{"value": {"statuses": [{"id": "w", "status": "read"}]}}, {"value": "x"}]}]}
    assert meta_messages(Callback(URL, {}, json.dumps(body).encode(), AT)) == []


@pytest.mark.parametrize(
    "message",
    [
        {"id": "w", "timestamp": STAMP, "type": "text"},
        {"from": "+1555", "id": "w", "timestamp": STAMP, "type": "text"},
        {"from": "1555", "timestamp": STAMP, "type": "text"},
        {"from": "1555", "id": "w", "timestamp": "soon", "type": "text"},
    ],
)
def test_a_whatsapp_message_without_its_sender_id_or_time_is_refused(message):
    with pytest.raises(ValueError):
        meta([message])


CHINA = timezone(timedelta(hours=8))


def aliyun(items) -> list[Report]:
    return aliyun_up(Callback(URL, {}, json.dumps(items).encode(), AT))


def test_an_aliyun_smsup_push_is_read_in_chinas_time_with_plus_86():
    items = [
        {"phone_number": "13800138000", "content": "TD", "send_time": "2026-12-06 12:00:00", "dest_code": "01"}
        | {"sequence_id": 1234},
        {"phone_number": "+8613900139000", "content": "退订", "send_time": "whenever"},
    ]
    first, second = aliyun(items)
    assert (first.sender, first.text, first.to, first.event) == ("+8613800138000", "TD", "01", "up:1234")
    assert first.at == datetime(2026, 12, 6, 12, tzinfo=CHINA)
    assert (second.sender, second.at, second.to) == ("+8613900139000", WHEN, None)
    assert second.event.startswith("up:+8613900139000:")


@pytest.mark.parametrize(
    ("number", "e164"),
    [
        ("13800138000", "+8613800138000"),
        ("8613800138000", "+8613800138000"),
        ("+8613800138000", "+8613800138000"),
        ("008613800138000", "+8613800138000"),
        ("85291234567", "+85291234567"),
    ],
)
def test_aliyuns_numbers_are_made_e164_however_they_come(number, e164):
    (report,) = aliyun([{"phone_number": number, "content": "T"}])
    assert report.sender == e164


@pytest.mark.parametrize("items", [{"phone_number": "1"}, ["x"], [{"content": "T"}], [{"phone_number": "138a"}]])
def test_an_aliyun_push_that_is_not_smsup_is_refused(items):
    with pytest.raises(ValueError):
        aliyun(items)


def gateway(body: dict, headers: dict | None = None) -> list[Report]:
    return gateway_inbound(Callback(URL, headers or {"webhook-id": "evt_9"}, json.dumps(body).encode(), AT))


def test_a_gateways_inbound_message_is_read_with_its_event():
    body = {"type": "message.inbound", "id": "gw-7", "from": "+9779841234567", "to": "HERALD", "text": "HELP"}
    body |= {"channel": "whatsapp", "media": ["https://x/1.jpg"], "timestamp": 1_780_000_100, "replied_to": "gw-1"}
    (report,) = gateway(body)
    assert (report.event, report.provider_message_id, report.channel, report.to) == (
        "evt_9",
        "gw-7",
        "whatsapp",
        "HERALD",
    )
    assert (report.media, report.replied_to, report.at) == (("https://x/1.jpg",), "gw-1", WHEN + timedelta(seconds=100))


def test_a_gateways_message_with_only_its_sender_takes_the_arrival_time():
    (report,) = gateway({"type": "message.inbound", "from": "+9779841234567"})
    assert (report.channel, report.text, report.at, report.provider_message_id) == ("sms", "", WHEN, None)
    assert (report.to, report.replied_to, report.media) == (None, None, ())


def test_a_gateways_status_is_no_inbound_message():
    assert gateway({"type": "message.status", "status": "delivered"}) == []


@pytest.mark.parametrize(
    "body",
    [
        {"type": "message.inbound"},
        {"type": "message.inbound", "from": "+1", "channel": "email"},
        {"type": "message.inbound", "from": "+1", "media": "x"},
        {"type": "message.inbound", "from": "+1", "media": [1]},
        {"type": "message.inbound", "from": "+1", "media": ["x"] * 11},
    ],
)
def test_a_gateways_inbound_message_out_of_shape_is_refused(body):
    with pytest.raises(ValueError):
        gateway(body)
