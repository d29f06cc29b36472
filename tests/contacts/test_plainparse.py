"""Plain numbers parse to what phonenumbers.parse gives, or fail with the same error, in every shape."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneMetadata

from herald.contacts.addresses import plainparse
from tests.contacts.phone_corpus import examples, spaced, variants

READ_IN = (None, "US", "GB", "CN", "IT", "BR", "gb", "XX", "")
# Digits of other scripts, which the library reads as these: Arabic-Indic and Devanagari.
OTHER_DIGITS = (str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩"), str.maketrans("0123456789", "०१२३४५६७८९"))


def _outcome(parse, text: str, region: str | None):
    try:
        return parse(text, region)
    except phonenumbers.NumberParseException as exc:
        return exc.error_type


def _texts(rng: random.Random):
    """(text, region to read it in) of every shape a plain number comes in, and some that are not plain."""
    for region, code, example in examples():
        prefix = PhoneMetadata.metadata_for_region_or_calling_code(code, region).national_prefix or ""
        home = None if region == "001" else region
        for digits in variants(example, rng):
            yield spaced(digits, rng), home
            yield spaced(prefix + digits, rng), home
            yield "+" + spaced(f"{code}{digits}", rng), rng.choice(READ_IN)
            yield "(+" + spaced(f"{code}{digits}", rng), rng.choice(READ_IN)
            yield f"00{code}{digits}", rng.choice(READ_IN)
            yield f"{code}{spaced(digits, rng)}", home
            yield spaced(digits, rng), rng.choice(READ_IN)
            yield spaced(prefix + digits, rng).translate(OTHER_DIGITS[rng.randrange(2)]), home


def test_it_agrees_with_the_library_on_every_shape() -> None:
    rng = random.Random(11)
    cases = list(_texts(rng))
    differ = [
        (text, region)
        for text, region in cases
        if _outcome(plainparse.parse, text, region) != _outcome(phonenumbers.parse, text, region)
    ]
    assert differ == []
    plain = sum(1 for text, _ in cases if plainparse._PLAIN.fullmatch(text))
    assert plain > 0.8 * len(cases) > 50_000  # all but the other scripts' digits and the odd shape


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("+0 20 7946 0018", None),  # no calling code starts with 0
        ("+999 1234 5678", "GB"),  # unknown code, read again as a national number
        ("+999 1234 5678", None),  # unknown code and nothing to fall back on
        ("+0044 20 7946 0018", "GB"),  # an international prefix after the plus
        ("+011 44 20 7946 0018", "US"),
        ("+12", None),  # too short after the plus
        ("+44 1", None),
        ("123", None),  # no plus, no region
        ("123", "XX"),
        ("1" * 18, "US"),  # too long for any national number
        ("020 7946 0018 ext. 12", "GB"),  # not plain: the library reads it whole
        ("tel:+44-20-7946-0018", None),
        ("12", "GB"),  # two digits alone
        ("1 2", "GB"),
        ("9" * 251, "US"),  # longer than the library reads
        ("00", "DE"),
        ("+39 06 1234 5678", None),  # a leading zero Italy keeps
        ("٠٦ ١٢٣٤ ٥٦٧٨", "IT"),  # Arabic-Indic digits, that zero included
        ("+९७७ ९८४१२३४५६७", None),  # Devanagari digits
        ("+39 000 000", None),
    ],
)
def test_it_agrees_on_edges(text: str, region: str | None) -> None:
    assert _outcome(plainparse.parse, text, region) == _outcome(phonenumbers.parse, text, region)
