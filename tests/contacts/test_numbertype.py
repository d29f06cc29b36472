"""A number's type and region come out as phonenumbers says, for every region's numbers and variations."""

from __future__ import annotations

import random

import phonenumbers
import pytest
from phonenumbers import PhoneMetadata, PhoneNumber, PhoneNumberType

from herald.contacts.addresses.numbertype import kind_and_region
from tests.contacts.phone_corpus import examples, variants


def _library(number: PhoneNumber) -> tuple[int, str | None]:
    return phonenumbers.number_type(number), phonenumbers.region_code_for_number(number)


def _numbers():
    rng = random.Random(7)
    for region, code, example in examples():
        for digits in variants(example, rng):
            try:
                yield phonenumbers.parse(f"+{code}{digits}" if region == "001" else digits, region)
            except phonenumbers.NumberParseException:
                continue


def test_it_agrees_with_the_library_on_every_region_and_variation() -> None:
    numbers = list(_numbers())
    differ = [(n, kind_and_region(n), _library(n)) for n in numbers if kind_and_region(n) != _library(n)]
    assert differ == []
    kinds = {kind_and_region(n)[0] for n in numbers}
    # The corpus reaches every type the library tells apart, invalid included.
    assert {
        PhoneNumberType.UNKNOWN,
        PhoneNumberType.MOBILE,
        PhoneNumberType.FIXED_LINE,
        PhoneNumberType.FIXED_LINE_OR_MOBILE,
        PhoneNumberType.TOLL_FREE,
        PhoneNumberType.VOIP,
    } <= kinds
    assert len(numbers) > 10_000


@pytest.mark.parametrize(
    "number",
    [
        PhoneNumber(country_code=39, national_number=612345678, italian_leading_zero=True),
        PhoneNumber(country_code=39, national_number=612345678, italian_leading_zero=True, number_of_leading_zeros=2),
        PhoneNumber(country_code=39, national_number=612345678, italian_leading_zero=True, number_of_leading_zeros=0),
        PhoneNumber(country_code=999, national_number=12345678),  # no such calling code
        PhoneNumber(country_code=1, national_number=5550100),  # no NANPA region takes it
        PhoneNumber(country_code=800, national_number=12345678),  # a non-geographic code
    ],
)
def test_it_agrees_on_leading_zeros_and_odd_codes(number: PhoneNumber) -> None:
    assert kind_and_region(number) == _library(number)


def test_every_region_a_calling_code_lists_has_metadata() -> None:
    for regions in phonenumbers.COUNTRY_CODE_TO_REGION_CODE.values():
        for region in regions:
            if region != "001":
                assert PhoneMetadata.metadata_for_region(region) is not None, region
