"""Composing one message per channel for one recipient, smart encoding, and render guards."""

from __future__ import annotations

import pytest

from herald.content import render, sms
from herald.content.composer import compose, coupon_pools
from herald.content.render import RenderError
from herald.errors import Invalid

CTX = {"first_name": "Sita", "attr": {"order": "A-17", "city": "Pokhara & Co"}, "coupon": {"spring": "SPR-1"}}


def test_sms_and_whatsapp_text() -> None:
    assert compose("sms", {"body": "Hi {{ first_name }}"}, CTX).body == "Hi Sita"
    assert compose("whatsapp", {"text": "Code {{ coupon.spring }}"}, CTX).body == "Code SPR-1"


def test_email_escapes_html_values_and_makes_the_text_part() -> None:
    out = compose(
        "email",
        {
            "subject": "For {{ first_name }}",
            "preheader": "{{ attr.city }}",
            "html": "<p>Hi {{ first_name }} in {{ attr.city }}</p>",
        },
        CTX,
    )
    assert out.subject == "For Sita" and out.preheader == "Pokhara & Co"
    assert out.html == "<p>Hi Sita in Pokhara &amp; Co</p>"
    assert out.body == "Hi Sita in Pokhara & Co"
    plain = compose("email", {"subject": "x", "text": "Hi {{ attr.city }}", "html": "<b>y</b>"}, CTX)
    assert plain.body == "Hi Pokhara & Co" and plain.preheader is None


def test_whatsapp_templates_send_parameters_not_text() -> None:
    content = {
        "category": "UTILITY",
        "body": "Hi {{1}}, order {{2}} shipped.",
        "params": {"1": "first_name", "2": "attr.order"},
    }
    out = compose("whatsapp", content, CTX, name="order_update", locale="en-US", variant="A")
    assert out.body == "Hi Sita, order A-17 shipped."
    assert out.payload == {
        "template": {
            "name": "order_update",
            "language": {"code": "en_US"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Sita"}, {"type": "text", "text": "A-17"}]}
            ],
        }
    }
    assert (
        compose("whatsapp", content, CTX, name="order_update", variant="B").payload["template"]["name"]
        == "order_update_b"
    )
    with pytest.raises(RenderError, match="parameter body.2 .* is empty"):
        compose("whatsapp", {**content, "params": {"1": "first_name", "2": "attr.missing | default('')"}}, CTX)


def test_smart_encoding_keeps_texts_in_gsm7() -> None:
    text = "It’s “on” — 50% off… now\u00a0!"
    encoded = sms.smart_encode(text)
    assert encoded.text == 'It\'s "on" - 50% off... now !'
    assert encoded.replaced == ("’", "“", "”", "—", "…", "\u00a0")
    assert sms.analyze(encoded.text).encoding == "GSM-7" and sms.analyze(text).encoding == "UCS-2"
    assert sms.smart_encode("plain") == sms.SmartEncoded("plain", ())
    assert sms.smart_encode("“你”").text == '"你"'


def test_replace_cannot_multiply_output_past_the_cap() -> None:
    source = "{{ name" + " | replace('', 'xxxxxxxx')" * 8 + " }}"
    with pytest.raises(Invalid, match="cannot be rendered: replace\\(\\) would produce more than"):
        render.check(source)  # refused when saved …
    with pytest.raises(RenderError, match="replace\\(\\) would produce more than"):
        render.render(source, {"name": "abc"})
    assert render.render("{{ name | replace('a', 'o', 1) }}", {"name": "aaa"}) == "oaa"


def test_render_failures_become_reasons() -> None:
    with pytest.raises(RenderError, match="could not render"):
        render.render("{{ name < 3 }}", {"name": "1"})
    with pytest.raises(RenderError, match="took longer than"):
        render.render("{{ name }}", {"name": "x"}, budget=-1)


@pytest.mark.parametrize(
    ("source", "column"),
    [("Hi {{ name ", 4), ("{{ a b }}", 6), ("plain\n  {% if %}", 3), ("{% endif %}", 1)],
)
def test_syntax_errors_give_line_and_column(source, column) -> None:
    with pytest.raises(Invalid) as err:
        render.check(source)
    assert f"column {column}" in str(err.value)


def test_coupon_pools_are_found_in_templates() -> None:
    assert render.coupon_pools("{{ coupon.spring }} {% if coupon.vip %}{{ coupon.vip }}{% endif %}") == {
        "spring",
        "vip",
    }
    email = {"subject": "{{ coupon.a }}", "html": "<p>{{ coupon.b }}</p>", "text": "none"}
    assert coupon_pools("email", email) == {"a", "b"}
    whatsapp = {"category": "MARKETING", "body": "Code {{1}} now", "params": {"1": "coupon.spring"}}
    assert coupon_pools("whatsapp", whatsapp) == {"spring"}
