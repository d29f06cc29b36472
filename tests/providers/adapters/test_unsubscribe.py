"""List-Unsubscribe addresses and their signed tokens (pure)."""

import pytest

from herald.providers.adapters.unsubscribe import ONE_CLICK, Unsubscribe, message_of, signing_key, token

KEY, OLD = signing_key("current secret"), signing_key("earlier secret")


def test_a_token_names_its_message_and_verifies_with_the_key_that_signed_it() -> None:
    signed = token(KEY, 42)
    assert signed.startswith("42.") and len(signed) == 3 + 22
    assert message_of(signed, [KEY]) == 42
    assert message_of(token(OLD, 42), [KEY, OLD]) == 42  # still good after the secret key is rotated
    assert signing_key("current secret") != b"current secret"  # the secret key itself never signs links


@pytest.mark.parametrize(
    "given",
    [
        token(KEY, 43)[:-1] + "A",  # a changed signature
        "43." + token(KEY, 42).split(".")[1],  # another message's signature
        token(OLD, 42),  # a key no longer trusted
        "42",
        "x.abc",
        "1" * 19 + ".abc",
        "",
    ],
)
def test_a_forged_or_malformed_token_names_no_message(given) -> None:
    assert message_of(given, [KEY]) is None


@pytest.mark.parametrize(
    ("public_url", "mailto", "expected"),
    [
        (
            "https://herald.shop.example/",
            "unsub@shop.example",
            {
                "List-Unsubscribe": "<https://herald.shop.example/unsubscribe/{t}>, "
                "<mailto:unsub@shop.example?subject=unsubscribe%20{t}>",
                "List-Unsubscribe-Post": ONE_CLICK,
            },
        ),
        (
            "https://herald.shop.example/herald",
            None,
            {
                "List-Unsubscribe": "<https://herald.shop.example/herald/unsubscribe/{t}>",
                "List-Unsubscribe-Post": ONE_CLICK,
            },
        ),
        # RFC 8058 one-click is https only: a laptop's http address gives the mailto alone.
        (
            "http://127.0.0.1:8000",
            "unsub@shop.example",
            {"List-Unsubscribe": "<mailto:unsub@shop.example?subject=unsubscribe%20{t}>"},
        ),
        (None, None, {}),
    ],
)
def test_the_headers_carry_an_https_one_click_and_a_mailto_address(public_url, mailto, expected) -> None:
    signed = token(KEY, 7)
    found = Unsubscribe(public_url, mailto, KEY).headers(7)
    assert found == {name: value.format(t=signed) for name, value in expected.items()}
    assert "\n" not in found.get("List-Unsubscribe", "")  # one line: folding has broken DKIM elsewhere
