"""Plain phone numbers parsed exactly as phonenumbers.parse parses them, in half the time.

Most numbers a business holds are plain: digits, perhaps a leading "+", spaces, dashes, dots and
brackets. The library first runs every input through patterns for RFC 3966 URIs, second numbers, letters
and extensions, none of which a plain number can hold. `parse` skips those for plain input and then
takes the library's own steps (country code, national prefix, lengths), so both give equal numbers or
the same error; anything else goes to the library whole. The tests compare the two on random inputs of
every shape and region. The steps are the library's private functions: a release that changes them
fails those tests rather than parsing differently.
"""

from __future__ import annotations

import re
from typing import cast

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumber
from phonenumbers import phonenumberutil as pnu

# A bracket may open it; then an optional plus and digits with separators. Three digits at least: the
# library reads exactly two digits alone as a number, and two with separators as none. ASCII digits
# only: the library turns other scripts' digits (Arabic-Indic, Devanagari…) into these first.
_PLAIN = re.compile(r"\(?\+?(?:[ \-.()]*[0-9]){3,}[ \-.()]*")
_DIGITS = re.compile(r"[^0-9]+")


def parse(text: str, region: str | None) -> PhoneNumber:
    """The number phonenumbers.parse(text, region) returns, raising the NumberParseException it raises."""
    if len(text) > pnu._MAX_INPUT_STRING_LENGTH or not _PLAIN.fullmatch(text):
        return phonenumbers.parse(text, region)
    plus = "+" in text
    digits = _DIGITS.sub("", text)
    if not plus and region not in phonenumbers.SUPPORTED_REGIONS:
        raise NumberParseException(NumberParseException.INVALID_COUNTRY_CODE, "Missing or invalid default region.")
    metadata = PhoneMetadata.metadata_for_region(region.upper(), None) if region else None
    number = PhoneNumber()
    code, national = _country_code(digits, plus, metadata, number)
    if code:
        home = pnu.region_code_for_country_code(code)
        if home != region:
            metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, home)
    else:
        # No calling code means no plus, which a plain number may only lack when read in a known region.
        national = digits
        number.country_code = cast(PhoneMetadata, metadata).country_code  # the region read in has metadata
    return _national(national, cast(PhoneMetadata, metadata), number)


def _country_code(digits: str, plus: bool, metadata: PhoneMetadata | None, number: PhoneNumber) -> tuple[int, str]:
    # The library takes no metadata (no region to read in) though its stubs say otherwise: hence the ignores.
    if not plus:
        return pnu._maybe_extract_country_code(digits, metadata, False, number)  # type: ignore[arg-type]
    try:
        return pnu._maybe_extract_country_code("+" + digits, metadata, False, number)  # type: ignore[arg-type]
    except NumberParseException:
        pass  # with three digits after the plus, only an unknown calling code is refused here
    # As the library does: digits after an unknown calling code are read as a national number.
    code, national = pnu._maybe_extract_country_code(digits, metadata, False, number)  # type: ignore[arg-type]
    if code == 0:
        raise NumberParseException(
            NumberParseException.INVALID_COUNTRY_CODE, "Could not interpret numbers after plus-sign."
        )
    return code, national


def _national(national: str, metadata: PhoneMetadata, number: PhoneNumber) -> PhoneNumber:
    if len(national) < pnu._MIN_LENGTH_FOR_NSN:
        raise NumberParseException(
            NumberParseException.TOO_SHORT_NSN, "The string supplied is too short to be a phone number."
        )
    # There is always metadata here: the calling code's own region's, or the known region read in.
    _, stripped, _ = pnu._maybe_strip_national_prefix_carrier_code(national, metadata)
    if pnu._test_number_length(stripped, metadata) not in _KEEP_PREFIX:
        national = stripped
    if len(national) > pnu._MAX_LENGTH_FOR_NSN:
        raise NumberParseException(
            NumberParseException.TOO_LONG, "The string supplied is too long to be a phone number."
        )
    pnu._set_italian_leading_zeros_for_phone_number(national, number)
    number.national_number = int(national)
    return number


_KEEP_PREFIX = (
    phonenumbers.ValidationResult.TOO_SHORT,
    phonenumbers.ValidationResult.IS_POSSIBLE_LOCAL_ONLY,
    phonenumbers.ValidationResult.INVALID_LENGTH,
)
