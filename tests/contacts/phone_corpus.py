"""Numbers of every region and shape, generated from the library's own example numbers, for comparing a
faster path with phonenumbers itself."""

from __future__ import annotations

import random
from collections.abc import Iterator

import phonenumbers
from phonenumbers import PhoneMetadata

DESCS = (
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)
SEPARATORS = ("", " ", "-", ".", " - ", "(", ")", "  ")


def examples() -> Iterator[tuple[str, int, str]]:
    """(region or "001", calling code, national example number) for every description of every region
    that has one."""
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        yield from _of(region, PhoneMetadata.metadata_for_region(region))
    for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS):
        yield from _of("001", PhoneMetadata.metadata_for_nongeo_region(code))


def _of(region: str, metadata) -> Iterator[tuple[str, int, str]]:
    for name in DESCS:
        desc = getattr(metadata, name)
        if desc is not None and desc.example_number:
            yield region, metadata.country_code, desc.example_number


def variants(digits: str, rng: random.Random) -> Iterator[str]:
    """The digits as given, then with digits changed, dropped, added and swapped at random."""
    yield digits
    for _ in range(4):
        cut = rng.randrange(len(digits))
        yield digits[:cut] + str(rng.randrange(10)) + digits[cut + 1 :]
        yield digits[:cut] + digits[cut + 1 :]
        yield digits[:cut] + str(rng.randrange(10)) + digits[cut:]
    yield digits[::-1]
    yield "0" + digits
    yield "00" + digits


def spaced(digits: str, rng: random.Random) -> str:
    """The digits with separators of plain writing put in at random places."""
    out = []
    for digit in digits:
        if rng.random() < 0.3:
            out.append(rng.choice(SEPARATORS))
        out.append(digit)
    return "".join(out)
