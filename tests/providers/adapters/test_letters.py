"""Letters as a mail server takes them: MIME parts, headers, VERP and DKIM (pure)."""

from datetime import UTC, datetime
from email import message_from_bytes, policy

import dkim
import pytest

from herald.providers.adapters.letters import (
    Dkim,
    Letterhead,
    envelope_from,
    letter,
    message_id,
    message_of_bounce,
    with_preheader,
)
from herald.providers.adapters.unsubscribe import Unsubscribe, signing_key, token
from herald.providers.base import Outgoing

NOW = datetime(2026, 12, 5, 9, 30, tzinfo=UTC)
KEY = signing_key("secret")
HEAD = Letterhead(
    "Shop 商店 <news@shop.example>",
    reply_to="care@shop.example",
    bounce_address="bounces@mail.shop.example",
    unsubscribe=Unsubscribe("https://herald.shop.example", "unsub@shop.example", KEY),
)
SALE = Outgoing(
    42,
    "c3:17:0",
    "email",
    "sita@example.com",
    "Winter sale: 20% off",
    "冬季特卖 Winter sale",
    html="<html><body class='x'><p>20% off</p></body></html>",
    payload={"preheader": "Two days only & more"},
    purpose="marketing",
)


def parsed(data: bytes):
    return message_from_bytes(data, policy=policy.SMTP)


def test_a_marketing_letter_has_text_and_html_its_reference_and_one_click_unsubscribe() -> None:
    built = letter(HEAD, SALE, NOW)
    mail = parsed(built.data)
    assert built.envelope_from == "bounces+m42@mail.shop.example" and not built.utf8
    assert built.message_id == mail["Message-ID"] == message_id(SALE, "shop.example")
    assert built.message_id.startswith("<herald.42.") and built.message_id.endswith("@shop.example>")
    assert (mail["To"], mail["Subject"], mail["Reply-To"]) == (
        "sita@example.com",
        "冬季特卖 Winter sale",
        "care@shop.example",
    )
    assert mail["From"] == "Shop 商店 <news@shop.example>" and mail["Date"] == "Sat, 05 Dec 2026 09:30:00 +0000"
    signed = token(KEY, 42)
    assert mail["List-Unsubscribe"] == (
        f"<https://herald.shop.example/unsubscribe/{signed}>, "
        f"<mailto:unsub@shop.example?subject=unsubscribe%20{signed}>"
    )
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/alternative"
    assert mail.get_body(("plain",)).get_content().strip() == "Winter sale: 20% off"
    html = mail.get_body(("html",)).get_content()
    assert "<body class='x'><div style=\"display:none;" in html and "Two days only &amp; more</div><p>" in html
    assert "商店".encode() not in built.data  # the display name and subject travel as encoded words
    assert b"\r\n" in built.data and all(len(line) <= 998 for line in built.data.split(b"\r\n"))


def test_the_message_id_is_the_same_on_every_attempt_and_differs_between_messages() -> None:
    again = letter(HEAD, SALE, datetime(2026, 12, 5, 10, tzinfo=UTC))
    assert again.message_id == letter(HEAD, SALE, NOW).message_id
    other = Outgoing(43, "c3:18:0", "email", "li@example.com", "x", "y")
    assert letter(HEAD, other, NOW).message_id != again.message_id


def test_a_transactional_letter_in_plain_text_has_no_unsubscribe_and_bounces_to_the_from_address() -> None:
    receipt = Outgoing(
        5, "k", "email", "sita@example.com", "Your order shipped.", "Order A-17", purpose="transactional"
    )
    plain = Letterhead("orders@shop.example", unsubscribe=HEAD.unsubscribe)
    built = letter(plain, receipt, NOW)
    mail = parsed(built.data)
    assert "List-Unsubscribe" not in mail and "Reply-To" not in mail
    assert mail.get_content_type() == "text/plain" and built.envelope_from == "orders@shop.example"


def test_extra_headers_are_kept_and_a_letter_with_no_subject_still_has_the_header() -> None:
    item = Outgoing(6, "k", "email", "sita@example.com", "Hi", headers={"X-Campaign": "winter"})
    mail = parsed(letter(Letterhead("news@shop.example"), item, NOW).data)
    assert mail["X-Campaign"] == "winter" and mail["Subject"] == ""


def test_an_address_that_is_not_ascii_asks_for_smtputf8() -> None:
    item = Outgoing(8, "k", "email", "李雷@例子.中国", "你好", "问候")
    built = letter(Letterhead("news@shop.example"), item, NOW)
    assert built.utf8 and "李雷@例子.中国".encode() in built.data


def test_a_dkim_signature_covers_the_unsubscribe_headers_and_verifies(dkim_key) -> None:
    head = Letterhead(HEAD.sender, HEAD.reply_to, None, HEAD.unsubscribe, Dkim("shop.example", "s1", dkim_key.pem))
    data = letter(head, SALE, NOW).data
    assert data.startswith(b"DKIM-Signature: ")
    signature = parsed(data)["DKIM-Signature"].replace(" ", "")
    assert "d=shop.example" in signature and "s=s1" in signature and "c=relaxed/relaxed" in signature
    assert "list-unsubscribe:list-unsubscribe-post" in signature.lower()
    records = {b"s1._domainkey.shop.example.": dkim_key.record}
    lookup = lambda name, timeout=5: records.get(name)  # noqa: E731
    assert dkim.verify(data, dnsfunc=lookup)
    tampered = data.replace(b"List-Unsubscribe-Post: List-Unsubscribe=One-Click", b"List-Unsubscribe-Post: No")
    assert not dkim.verify(tampered, dnsfunc=lookup)


@pytest.mark.parametrize("key", [b"", b"-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n"])
def test_a_dkim_key_that_is_not_a_private_key_is_refused(key) -> None:
    with pytest.raises(ValueError, match="not a PEM private key"):
        Dkim("shop.example", "s1", key)


@pytest.mark.parametrize(
    ("recipient", "expected"),
    [
        ("bounces+m42@mail.shop.example", 42),
        ("<bounces+m7@mail.shop.example>", 7),
        ("bounces@mail.shop.example", None),
        ("bounces+mx@mail.shop.example", None),
    ],
)
def test_a_bounce_finds_its_message_by_the_envelope(recipient, expected) -> None:
    assert message_of_bounce(recipient) == expected
    assert message_of_bounce(envelope_from(HEAD, 42)) == 42


@pytest.mark.parametrize(
    ("html", "preheader", "expected"),
    [
        ("<p>x</p>", None, "<p>x</p>"),
        ("<p>x</p>", "", "<p>x</p>"),
        (
            "<p>x</p>",
            "<b>",
            '<div style="display:none;max-height:0;overflow:hidden;mso-hide:all">&lt;b&gt;</div><p>x</p>',
        ),
        ("<BODY>x", "p", '<BODY><div style="display:none;max-height:0;overflow:hidden;mso-hide:all">p</div>x'),
    ],
)
def test_the_preheader_is_the_first_hidden_text_of_the_body(html, preheader, expected) -> None:
    assert with_preheader(html, preheader) == expected
