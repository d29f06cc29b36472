"""Meta's template model: shape, limits, parameters, the send components and the status webhook."""

from __future__ import annotations

import re

import pytest

from herald.content import whatsapp
from herald.errors import Invalid

ORDER = {
    "category": "utility",
    "body": "Hi {{1}}, order {{2}} shipped.",
    "params": {"1": "first_name | default('there')", "2": "attr.order"},
}


def test_a_template_is_normalized() -> None:
    data = whatsapp.validate(
        {
            **ORDER,
            "footer": "Herald Shop",
            "header": {"format": "image", "url": "https://cdn.example.com/a.png"},
            "buttons": [
                {"type": "quick_reply", "text": "Stop promotions"},
                {"type": "URL", "text": "Track", "url": "https://x.example/t/{{1}}", "param": "attr.order"},
                {"type": "PHONE_NUMBER", "text": "Call", "phone_number": "+14155550100"},
            ],
        },
        "t",
    )
    assert data["category"] == "UTILITY" and data["header"] == {
        "format": "IMAGE",
        "url": "https://cdn.example.com/a.png",
    }
    assert [b["type"] for b in data["buttons"]] == ["QUICK_REPLY", "URL", "PHONE_NUMBER"]
    assert whatsapp.expressions(data) == {
        "body.1": "first_name | default('there')",
        "body.2": "attr.order",
        "button.1": "attr.order",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"category": "PROMO"}, "category must be one of"),
        ({"body": " "}, "the body is empty"),
        ({"body": "x" * 1025}, "WhatsApp allows 1024"),
        ({"colour": "red"}, "unknown field(s) colour"),
        ({"footer": "Reply {{1}}"}, "footer may not carry parameters"),
        ({"params": {"1": "first_name"}}, "{{2}} mapped to no Herald variable"),
        ({"params": {"1": "first_name", "2": " "}}, "{{2}} mapped to no Herald variable"),
        ({"header": {"text": "Order {{1}}"}}, "header: {{1}} mapped to no Herald variable"),
        ({"footer": "x" * 61}, "WhatsApp allows 60"),
        ({"header": "text"}, "expected a table"),
        ({"header": {"format": "TEXT", "text": "{{1}} {{2}}"}}, "at most one parameter"),
        ({"header": {"format": "GIF", "url": "https://x"}}, "format must be TEXT"),
        ({"header": {"format": "IMAGE", "url": "http://cdn.example.com/a.png"}}, "is not an https URL"),
        ({"buttons": "Stop"}, "expected a list of at most 10 buttons"),
        ({"buttons": [{"type": "QUICK_REPLY", "text": str(i)} for i in range(11)]}, "at most 10 buttons"),
        ({"buttons": ["x"]}, "expected a table with type and text"),
        ({"buttons": [{"type": "CALL", "text": "x"}]}, "type must be one of"),
        ({"buttons": [{"type": "QUICK_REPLY", "text": "x" * 26}]}, "WhatsApp allows 25"),
        ({"buttons": [{"type": "URL", "text": "a", "url": "https://x.example/{{1}}"}]}, "mapped to no Herald"),
        (
            {"buttons": [{"type": "URL", "text": str(i), "url": "https://x.example"} for i in range(3)]},
            "at most 2 URL buttons",
        ),
        ({"buttons": [{"type": "PHONE_NUMBER", "text": "Call", "phone_number": "0415"}]}, "must be E.164"),
    ],
)
def test_bad_templates_are_refused_with_the_field(change, message) -> None:
    with pytest.raises(Invalid) as err:
        whatsapp.validate({**ORDER, **change}, "template 'order'")
    assert message in str(err.value) and "template 'order'" in str(err.value)


def test_free_form_text_has_its_own_shape() -> None:
    assert whatsapp.validate({"text": "Thanks {{ first_name }}"}, "t") == {"text": "Thanks {{ first_name }}"}
    with pytest.raises(Invalid, match="takes only 'text'"):
        whatsapp.validate({"text": "x", "footer": "y"}, "t")
    with pytest.raises(Invalid, match="allows 4096"):
        whatsapp.validate({"text": "x" * 4097}, "t")


def test_components_carry_the_rendered_values_in_meta_shape() -> None:
    data = whatsapp.validate(
        {
            **ORDER,
            "header": {"format": "TEXT", "text": "Order {{1}}", "params": {"1": "x"}},
            "buttons": [{"type": "URL", "text": "Track", "url": "https://x.example/{{1}}", "param": "attr.order"}],
        },
        "t",
    )
    values = {"body.1": "Sita", "body.2": "A-17", "header.1": "A-17", "button.0": "A-17"}
    assert whatsapp.components(data, values) == [
        {"type": "header", "parameters": [{"type": "text", "text": "A-17"}]},
        {"type": "body", "parameters": [{"type": "text", "text": "Sita"}, {"type": "text", "text": "A-17"}]},
        {"type": "button", "sub_type": "url", "index": "0", "parameters": [{"type": "text", "text": "A-17"}]},
    ]
    media = whatsapp.validate(
        {
            "category": "MARKETING",
            "body": "New in",
            "header": {"format": "VIDEO", "url": "https://cdn.example.com/v.mp4"},
        },
        "t",
    )
    assert whatsapp.components(media, {}) == [
        {"type": "header", "parameters": [{"type": "video", "video": {"link": "https://cdn.example.com/v.mp4"}}]}
    ]
    plain = whatsapp.validate(
        {
            "category": "MARKETING",
            "body": "New in",
            "header": {"text": "Hello"},
            "buttons": [{"type": "QUICK_REPLY", "text": "Stop"}],
        },
        "t",
    )
    assert whatsapp.components(plain, {}) == []
    assert whatsapp.fill("Hi {{1}} and {{ 2 }}, {{3}}", {"1": "A", "2": "B"}) == "Hi A and B, {{3}}"


def test_status_webhook_updates_are_read_from_meta_payloads() -> None:
    payload = {
        "object": "whatsapp_business_account",
        "entry": [
            {
                "id": "1",
                "time": 1772359200,
                "changes": [
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": "APPROVED",
                            "message_template_id": 42,
                            "message_template_name": "order_update",
                            "message_template_language": "en_US",
                            "reason": "NONE",
                        },
                    },
                    {
                        "field": "message_template_status_update",
                        "value": {
                            "event": "PAUSED",
                            "message_template_name": "promo",
                            "message_template_language": "zh_CN",
                        },
                    },
                    {"field": "messages", "value": {"statuses": []}},
                    {"field": "message_template_status_update", "value": {"event": "", "message_template_name": "x"}},
                ],
            },
            {"id": "2", "time": "soon"},
        ],
    }
    assert whatsapp.meta_status_updates(payload) == [
        {
            "status": "APPROVED",
            "name": "order_update",
            "language": "en_US",
            "id": "42",
            "reason": "NONE",
            "time": 1772359200,
        },
        {"status": "PAUSED", "name": "promo", "language": "zh_CN", "id": "", "reason": "", "time": 1772359200},
    ]
    with pytest.raises(Invalid, match="expected a JSON object"):
        whatsapp.meta_status_updates([])


@pytest.mark.parametrize(
    ("payload", "where"),
    [
        ({"entry": "abc"}, "entry: expected a list"),
        ({"entry": 5}, "entry: expected a list"),
        ({"entry": [None]}, "entry[0]: expected an object"),
        ({"entry": [[1]]}, "entry[0]: expected an object"),
        ({"entry": [{"changes": {"a": 1}}]}, "entry[0].changes: expected a list"),
        ({"entry": [{"changes": ["x"]}]}, "entry[0].changes[0]: expected an object"),
        (
            {"entry": [{"changes": [{"field": "message_template_status_update", "value": [1]}]}]},
            "entry[0].changes[0].value: expected an object",
        ),
    ],
)
def test_a_payload_not_shaped_as_meta_sends_it_is_named(payload, where) -> None:
    with pytest.raises(Invalid, match=re.escape(where)):
        whatsapp.meta_status_updates(payload)
