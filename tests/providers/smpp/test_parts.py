"""Texts as SMPP short messages: GSM 03.38 or UCS-2, and long texts in parts that never cut an escape or
an emoji (pure)."""

import pytest

from herald.providers.smpp.parts import BASIC, GSM7, UCS2, Parts, decode, encode, gsm7


def test_the_gsm_table_has_its_128_codes_and_the_extension_goes_behind_an_escape() -> None:
    assert len(BASIC) == 128 and BASIC[0] == "@" and BASIC[0x1B] == "\x1b" and BASIC[0x7F] == "à"
    assert gsm7("A") == b"A" and gsm7("@") == b"\x00" and gsm7("€") == b"\x1b\x65" and gsm7("[") == b"\x1b\x3c"
    assert gsm7("你") is None


@pytest.mark.parametrize(
    ("text", "coding", "sizes"),
    [
        ("Hello", GSM7, [5]),
        ("x" * 160, GSM7, [160]),
        ("€" * 80, GSM7, [160]),  # 80 escaped characters fill one message exactly
        ("x" * 161, GSM7, [6 + 153, 6 + 8]),
        ("你好" * 35, UCS2, [140]),
        ("你好" * 35 + "!", UCS2, [6 + 134, 6 + 8]),
        ("", GSM7, [0]),
    ],
)
def test_a_text_fills_one_message_or_as_few_parts_as_it_needs(text, coding, sizes) -> None:
    found = encode(text, 7)
    assert found.data_coding == coding and [len(m) for m in found.messages] == sizes
    assert found.esm_class == (0x40 if len(sizes) > 1 else 0)


def test_parts_carry_a_header_with_the_reference_their_count_and_their_number() -> None:
    found = encode("x" * 400, 300)
    assert [m[:6] for m in found.messages] == [bytes([5, 0, 3, 300 % 256, 3, n]) for n in (1, 2, 3)]
    assert "".join(decode(found.data_coding, m[6:]) for m in found.messages) == "x" * 400


def test_an_escaped_character_is_never_cut_from_its_escape() -> None:
    text = "x" * 152 + "€" + "y" * 10  # the euro's two septets would straddle the 153rd
    found = encode(text, 1)
    assert [len(m) - 6 for m in found.messages] == [152, 12] and found.messages[1][6:8] == b"\x1b\x65"
    assert "".join(decode(GSM7, m[6:]) for m in found.messages) == text


def test_an_emoji_is_never_cut_between_its_halves() -> None:
    text = "好" * 66 + "😀" + "!" * 5  # the emoji's four bytes would straddle the 134th
    found = encode(text, 1)
    assert [len(m) - 6 for m in found.messages] == [132, 14]
    assert "".join(decode(UCS2, m[6:]) for m in found.messages) == text


def test_a_text_needing_more_than_255_parts_is_refused() -> None:
    with pytest.raises(ValueError, match="needs 256 parts; SMS allows 255"):
        encode("x" * 153 * 256, 1)


@pytest.mark.parametrize(
    ("coding", "octets", "text"),
    [
        (0, b"Hi \x1b\x65\x00", "Hi €@"),
        (0, b"\x1b\x07", " "),  # an escape to nothing known reads as a space
        (0, b"\x80", "?"),
        (8, "退订".encode("utf-16-be"), "退订"),
        (0x18, "退订".encode("utf-16-be"), "退订"),  # UCS-2 with a message class
    ],
)
def test_a_short_message_reads_back_as_text(coding, octets, text) -> None:
    assert decode(coding, octets) == text


def test_parts_say_their_esm_class() -> None:
    assert Parts(GSM7, (b"a",)).esm_class == 0 and Parts(GSM7, (b"a", b"b")).esm_class == 0x40
