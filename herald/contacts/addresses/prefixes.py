"""What a number's leading digits tell — its time zones and original carrier — found as phonenumbers finds
them, without most of its look-ups.

The library walks a number's prefixes from nine digits down to one, looking each up in its data. A
calling code's keys come in only a few lengths (China's zones in one), so each code gets the lengths its
keys have, longest first, and only those are looked up: the same longest prefix is found. The tests
compare both on every region's numbers.
"""

from __future__ import annotations

from typing import Any

from phonenumbers.carrierdata import CARRIER_DATA
from phonenumbers.tzdata import TIMEZONE_DATA

UNKNOWN_ZONES = ("Etc/Unknown",)
_LENGTHS: dict[tuple[int, int], tuple[int, ...]] = {}  # (id of the data, calling code) -> lengths


def zones(digits: str, code: int) -> tuple[str, ...]:
    """The time zones of a geographical number (its E.164 digits without "+"), or UNKNOWN_ZONES."""
    for length in _lengths(TIMEZONE_DATA, code, len(digits)):
        found = TIMEZONE_DATA.get(digits[:length])
        if found is not None:
            return found
    return UNKNOWN_ZONES


def carrier(digits: str, code: int) -> str:
    """The English name of the carrier a mobile range was first given to, or "" where none is known."""
    for length in _lengths(CARRIER_DATA, code, len(digits)):
        names = CARRIER_DATA.get(digits[:length])
        # The library's language rule for "en": the English name, else a shorter prefix's.
        if names is not None and (name := names.get("en")) is not None:
            return name
    return ""


def _lengths(data: dict[Any, Any], code: int, most: int) -> tuple[int, ...]:
    key = (id(data), code)
    lengths = _LENGTHS.get(key)
    if lengths is None:
        text = str(code)
        found = {len(k) for k in data if k.startswith(text) or text.startswith(k)}
        lengths = _LENGTHS[key] = tuple(sorted(found, reverse=True))
    return lengths if not lengths or lengths[0] <= most else tuple(n for n in lengths if n <= most)
