"""A number's type and region, exactly as phonenumbers answers them, in a third of the time.

The library asks its metadata one description at a time, looking each pattern up again on every call, and
works the region out twice when asked for the type. Here each (metadata, length) gets its plan once: the
descriptions that admit that length, in the library's order, with their compiled patterns. The answers
are the library's own; the tests compare both on every example number of every region and variations
of them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import cast

from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberDesc,
    PhoneNumberType,
    national_significant_number,
)

Match = Callable[[str], object]
# The order in which the library tries the types that come before fixed line and mobile.
_SPECIAL = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
Plan = tuple[Match | None, tuple[tuple[int, Match], ...], Match | None, Match | None, bool]
_PLANS: dict[tuple[int, int], Plan] = {}
_LEADING: dict[str, Match] = {}


def kind_and_region(number: PhoneNumber) -> tuple[int, str | None]:
    """(PhoneNumberType, region code) of a parsed number, as number_type and region_code_for_number say."""
    code = number.country_code
    regions = COUNTRY_CODE_TO_REGION_CODE.get(code) if code is not None else None
    if code is None or regions is None:
        return PhoneNumberType.UNKNOWN, None
    digits = national_significant_number(number)
    region = regions[0] if len(regions) == 1 else _region_among(regions, digits)
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(code, region) if region is not None else None
    if metadata is None:
        return PhoneNumberType.UNKNOWN, region
    return _kind(metadata, digits), region


def _region_among(regions: tuple[str, ...], digits: str) -> str | None:
    """The first region sharing a calling code whose leading digits, or else whose patterns, fit."""
    for code in regions:
        # Every region a calling code lists has metadata (the library says so and the tests check).
        metadata = cast(PhoneMetadata, PhoneMetadata.metadata_for_region(code.upper(), None))
        if metadata.leading_digits is not None:
            if _leading(metadata.leading_digits)(digits):
                return code
        elif _kind(metadata, digits) != PhoneNumberType.UNKNOWN:
            return code
    return None


def _leading(pattern: str) -> Match:
    match = _LEADING.get(pattern)
    if match is None:
        match = _LEADING[pattern] = re.compile(pattern).match
    return match


def _kind(metadata: PhoneMetadata, digits: str) -> int:
    key = (id(metadata), len(digits))
    plan = _PLANS.get(key)
    if plan is None:
        plan = _PLANS[key] = _plan(metadata, len(digits))
    general, special, fixed, mobile, same = plan
    if general is None or not general(digits):
        return PhoneNumberType.UNKNOWN
    for kind, match in special:
        if match(digits):
            return kind
    if fixed is not None and fixed(digits):
        mobile_too = same or (mobile is not None and mobile(digits))
        return PhoneNumberType.FIXED_LINE_OR_MOBILE if mobile_too else PhoneNumberType.FIXED_LINE
    if not same and mobile is not None and mobile(digits):
        return PhoneNumberType.MOBILE
    return PhoneNumberType.UNKNOWN


def _plan(metadata: PhoneMetadata, length: int) -> Plan:
    special = tuple((kind, m) for name, kind in _SPECIAL if (m := _matcher(getattr(metadata, name), length)))
    return (
        _matcher(metadata.general_desc, length),
        special,
        _matcher(metadata.fixed_line, length),
        _matcher(metadata.mobile, length),
        bool(metadata.same_mobile_and_fixed_line_pattern),
    )


def _matcher(desc: PhoneNumberDesc | None, length: int) -> Match | None:
    """The whole-number match of a description's pattern, or None where it can never match this length
    (no description, a length it does not list, or no pattern)."""
    if desc is None or not desc.national_number_pattern:
        return None
    if desc.possible_length and length not in desc.possible_length:
        return None
    return re.compile(desc.national_number_pattern).fullmatch
