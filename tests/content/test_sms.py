"""GSM-7 / UCS-2 detection and segment counts, including characters that may not straddle two parts."""

from __future__ import annotations

import pytest

from herald.content.sms import GSM7_EXTENSION, analyze

A = "a"


@pytest.mark.parametrize(
    ("text", "encoding", "units", "segments"),
    [
        ("", "GSM-7", 0, 0),
        (A * 160, "GSM-7", 160, 1),
        (A * 161, "GSM-7", 161, 2),
        (A * 306, "GSM-7", 306, 2),
        (A * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),
        ("€" * 81, "GSM-7", 162, 2),
        # 152 + an extension character cannot share the first part: naive arithmetic says 2.
        (A * 152 + "€" + A * 152, "GSM-7", 306, 3),
        ("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!¡¿§äöñüà", "GSM-7", 38, 1),
        ("你" * 70, "UCS-2", 70, 1),
        ("你" * 71, "UCS-2", 71, 2),
        ("你" * 134, "UCS-2", 134, 2),
        ("你" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),
        ("😀" * 36, "UCS-2", 72, 2),
        # A surrogate pair is never split: 66 + 2 does not fit in 67.
        (A * 66 + "😀" + A * 66, "UCS-2", 134, 3),
        ("It’s on", "UCS-2", 7, 1),
        ("【Herald】回T退订", "UCS-2", 12, 1),
        ("नमस्ते", "UCS-2", 6, 1),
    ],
)
def test_segments(text, encoding, units, segments) -> None:
    info = analyze(text)
    assert (info.encoding, info.units, info.segments) == (encoding, units, segments)


@pytest.mark.parametrize("char", sorted(GSM7_EXTENSION))
def test_every_extension_character_costs_two_septets(char) -> None:
    assert analyze(char * 80).segments == 1
    assert analyze(char * 81).segments == 2
    assert analyze(char).encoding == "GSM-7"


def test_it_names_the_characters_that_forced_ucs2_in_order() -> None:
    info = analyze("Hello 你好 😀 你")
    assert info.unicode_characters == ("你", "好", "😀")
    assert info.characters == 12 and info.units == 13


def test_per_segment_capacity_follows_the_length() -> None:
    assert analyze(A * 10).per_segment == 160
    assert analyze(A * 200).per_segment == 153
    assert analyze("你" * 80).per_segment == 67


def test_the_json_shape_lists_the_forcing_characters() -> None:
    assert analyze("Hi 你").as_dict() == {
        "encoding": "UCS-2",
        "characters": 4,
        "units": 4,
        "segments": 1,
        "per_segment": 70,
        "unicode_characters": ["你"],
    }
