"""SMS encoding and segment counting (GSM 03.38). Pure.

GSM-7 fits 160 septets in one message and 153 per part when concatenated; the extension table costs two
septets and is never split across parts. Anything else forces UCS-2: 70 code units single, 67 per part,
and a surrogate pair (most emoji) is never split either.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
LIMITS = {"GSM-7": (160, 153), "UCS-2": (70, 67)}


@dataclass(frozen=True)
class SmsInfo:
    encoding: str  # GSM-7 | UCS-2
    characters: int  # what a person counts (code points)
    units: int  # septets for GSM-7, UTF-16 code units for UCS-2
    segments: int
    per_segment: int  # capacity of each part at this length
    unicode_characters: tuple[str, ...]  # the characters that forced UCS-2, in order of appearance

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["unicode_characters"] = list(self.unicode_characters)
        return data


def unit_cost(char: str, encoding: str) -> int:
    if encoding == "GSM-7":
        return 2 if char in GSM7_EXTENSION else 1
    return 2 if ord(char) > 0xFFFF else 1


def segment_count(costs: list[int], single: int, multi: int) -> int:
    """Parts needed when no character may straddle two parts."""
    total = sum(costs)
    if total == 0:
        return 0
    if total <= single:
        return 1
    parts, used = 1, 0
    for cost in costs:
        if used + cost > multi:
            parts, used = parts + 1, 0
        used += cost
    return parts


def analyze(text: str) -> SmsInfo:
    """Encoding, length and segment count of an SMS body."""
    forcing = tuple(dict.fromkeys(c for c in text if c not in GSM7_BASIC and c not in GSM7_EXTENSION))
    encoding = "UCS-2" if forcing else "GSM-7"
    costs = [unit_cost(c, encoding) for c in text]
    single, multi = LIMITS[encoding]
    segments = segment_count(costs, single, multi)
    return SmsInfo(encoding, len(text), sum(costs), segments, single if segments <= 1 else multi, forcing)


# Look-alikes that word processors and phones slip into text; each one alone would force UCS-2. The
# replacements follow the carriers' "smart encoding" tables (curly quotes, primes, dashes, odd spaces).
LOOKALIKES: dict[str, str] = {
    **dict.fromkeys("«»“”ʺˮ‟❝❞〝〞＂", '"'),
    **dict.fromkeys("‘’ʻˈʼʽʹ‛＇´ˊ`′‵", "'"),
    **dict.fromkeys("‐‑‒–—―−﹘﹣－", "-"),
    **dict.fromkeys("\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000", " "),
    "…": "...",
    "‹": "<",
    "›": ">",
    "⁄": "/",
    "∕": "/",
    "／": "/",
    "＼": "\\",
    "﹨": "\\",
    "ˆ": "^",
    "˜": "~",
    "¦": "|",
    "•": "-",
    "\u200b": "",
    "\u2060": "",
    "\ufeff": "",
    "\t": " ",
}


@dataclass(frozen=True)
class SmartEncoded:
    text: str
    replaced: tuple[str, ...]  # the characters swapped, in order of first appearance


def smart_encode(text: str) -> SmartEncoded:
    """Swap look-alikes for GSM-7 characters; what cannot be swapped stays (and still forces UCS-2)."""
    replaced = tuple(dict.fromkeys(c for c in text if c in LOOKALIKES))
    if not replaced:
        return SmartEncoded(text, ())
    return SmartEncoded("".join(LOOKALIKES.get(c, c) for c in text), replaced)
