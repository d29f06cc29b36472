"""A number's zones and original carrier come out as phonenumbers finds them, for every region's numbers."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import carrier as pn_carrier
from phonenumbers import timezone as pn_timezone

from herald.contacts.addresses import prefixes
from tests.contacts.phone_corpus import examples, variants


def _valid_numbers():
    rng = random.Random(5)
    for _region, code, example in examples():
        for digits in variants(example, rng):
            try:
                number = phonenumbers.parse(f"+{code}{digits}")
            except phonenumbers.NumberParseException:
                continue
            if phonenumbers.is_valid_number(number):
                yield number


def _digits(number) -> str:
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]


def test_it_finds_the_zones_and_carrier_the_library_finds() -> None:
    numbers = list(_valid_numbers())
    zones = [
        (n, prefixes.zones(_digits(n), n.country_code), pn_timezone.time_zones_for_geographical_number(n))
        for n in numbers
    ]
    carriers = [
        (n, prefixes.carrier(_digits(n), n.country_code), pn_carrier.name_for_valid_number(n, "en")) for n in numbers
    ]
    assert [z for z in zones if z[1] != z[2]] == []
    assert [c for c in carriers if c[1] != c[2]] == []
    # The corpus reaches numbers with and without a known carrier or zone.
    assert {bool(c[1]) for c in carriers} == {True, False}
    assert {z[1] == prefixes.UNKNOWN_ZONES for z in zones} == {True, False}
    assert len(numbers) > 5_000


@pytest.mark.parametrize(("digits", "code"), [("1", 1), ("44", 44), ("8", 8), ("99912345", 999)])
def test_short_or_unknown_numbers_are_looked_up_the_same(digits: str, code: int) -> None:
    number = phonenumbers.PhoneNumber(country_code=code, national_number=int(digits[len(str(code)) :] or 0))
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)[1:]
    assert prefixes.zones(e164, code) == pn_timezone.time_zones_for_geographical_number(number)
    assert prefixes.carrier(e164, code) == pn_carrier.name_for_valid_number(number, "en")
