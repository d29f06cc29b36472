"""Per-channel content checks and the plain-text part of HTML email."""

from __future__ import annotations

import pytest

from herald.content import channels
from herald.errors import Invalid


@pytest.mark.parametrize(
    ("channel", "content", "message"),
    [
        ("sms", {"body": ""}, "the body is empty"),
        ("sms", {"body": "x" * 1601}, "SMS allows 1600"),
        ("sms", {"body": "x", "subject": "y"}, "unknown field(s) subject"),
        ("sms", {"body": "{{ nope }}"}, "unknown variable(s) nope"),
        ("sms", ["body"], "expected a table of fields"),
        ("email", {"html": "<p>x</p>"}, "needs a subject"),
        ("email", {"subject": "Hi"}, "needs an html or a text body"),
        ("email", {"subject": "Hi", "text": "x" * 500_001}, "at most 500000"),
        ("email", {"subject": "Hi {{ name.__class__ }}", "text": "x"}, "not allowed"),
        ("whatsapp", {"category": "UTILITY", "body": "Hi {{1}}.", "params": {"1": "name.__x"}}, "parameter body.1"),
        ("whatsapp", {"text": "{% for x in tags %}{% endfor %}"}, "for is not allowed"),
        ("fax", {"body": "x"}, "unknown channel"),
    ],
)
def test_bad_content_names_the_field(channel, content, message) -> None:
    with pytest.raises(Invalid) as err:
        channels.validate(channel, content, "template 't'")
    assert message in str(err.value)


def test_good_content_is_kept_without_empty_fields() -> None:
    assert channels.validate("email", {"subject": "Hi", "html": "<p>x</p>", "text": ""}, "t") == {
        "subject": "Hi",
        "html": "<p>x</p>",
    }
    assert channels.validate("whatsapp", {"text": "Hi {{ name }}"}, "t") == {"text": "Hi {{ name }}"}


def test_jinja_and_lint_fields_per_channel() -> None:
    template = channels.validate(
        "whatsapp",
        {
            "category": "UTILITY",
            "body": "Hi {{1}}.",
            "params": {"1": "name"},
            "header": {"text": "Order"},
            "footer": "Shop",
            "buttons": [{"type": "URL", "text": "Go", "url": "https://x.example"}],
        },
        "t",
    )
    assert channels.jinja_fields("whatsapp", template) == {"body.1": "{{ name }}"}
    assert channels.lint_fields("whatsapp", template) == {
        "body": "Hi {{1}}.",
        "footer": "Shop",
        "header": "Order",
        "buttons": "https://x.example Go",
    }
    assert channels.jinja_fields("whatsapp", {"text": "Hi"}) == {"text": "Hi"}
    assert channels.lint_fields("whatsapp", {"text": "Hi"}) == {"body": "Hi"}
    assert channels.jinja_fields("sms", {"body": "Hi"}) == channels.lint_fields("sms", {"body": "Hi"}) == {"body": "Hi"}


def test_html_becomes_readable_text() -> None:
    html = (
        "<html><head><title>T</title><style>p{color:red}</style></head><body><h1>Winter   sale</h1>"
        "<p>20% off<br>for members</p><ul><li>Boots</li><li>Coats</li></ul>"
        "<p><a href='https://shop.example.com/u'>Unsubscribe</a> &amp; more</p><script>x()</script>"
        "</body></html>"
    )
    assert channels.html_to_text(html) == (
        "Winter sale\n\n20% off\nfor members\n\n- Boots\n\n- Coats\n\nUnsubscribe (https://shop.example.com/u) & more"
    )
    assert channels.html_to_text("<a>bare</a></style>") == "bare"


def test_a_plain_sms_is_kept_as_written() -> None:
    assert channels.validate("sms", {"body": "Hi {{ first_name }}"}, "t") == {"body": "Hi {{ first_name }}"}


@pytest.mark.parametrize(
    ("channel", "data", "kept"),
    [
        ("sms", {"body": "hi", "track_links": False}, {"body": "hi", "track_links": False}),
        ("sms", {"body": "hi", "survey": "nps"}, {"body": "hi", "survey": "nps"}),
        (
            "sms",
            {"body": "hi", "survey": "yes_no", "track_links": True},
            {"body": "hi", "survey": "yes_no", "track_links": True},
        ),
        (
            "email",
            {"subject": "S", "text": "t", "track_links": False},
            {"subject": "S", "text": "t", "track_links": False},
        ),
    ],
)
def test_a_version_may_keep_its_links_and_ask_a_question(channel, data, kept):
    assert channels.validate(channel, data, "v") == kept


@pytest.mark.parametrize(
    ("data", "field"),
    [({"body": "hi", "track_links": "no"}, "track_links"), ({"body": "hi", "survey": "stars"}, "survey")],
)
def test_a_tracking_field_out_of_shape_is_refused_by_name(data, field):
    with pytest.raises(Invalid) as refused:
        channels.validate("sms", data, "v")
    assert refused.value.where == f"v {field}"
