"""A text as SMPP short messages: GSM 03.38 (data_coding 0, one septet per octet, unpacked, as SMSCs take
it over SMPP) when every character is in its tables, else UCS-2 (data_coding 8, UTF-16 big-endian). A
text longer than one message is cut into parts, each behind a user data header (`05 00 03 ref total
seq`, esm_class 0x40) — never between an escape and its character, nor between the halves of a
surrogate pair (an emoji). Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

# GSM 03.38 basic table, by code (0x1B is the escape to the extension table).
BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
CODES = {char: code for code, char in enumerate(BASIC) if char != "\x1b"}
EXTENSION = {
    "\f": 0x0A,
    "^": 0x14,
    "{": 0x28,
    "}": 0x29,
    "\\": 0x2F,
    "[": 0x3C,
    "~": 0x3D,
    "]": 0x3E,
    "|": 0x40,
    "€": 0x65,
}
GSM7, UCS2 = 0, 8
SINGLE = {GSM7: 160, UCS2: 140}  # octets of one message: 160 septets, or 70 UTF-16 units
PART = {GSM7: 153, UCS2: 134}  # octets after the six-octet header: 153 septets, or 67 units
MAX_PARTS = 255


@dataclass(frozen=True)
class Parts:
    data_coding: int
    messages: tuple[bytes, ...]  # each short_message, its header included when there are several

    @property
    def esm_class(self) -> int:
        return 0x40 if len(self.messages) > 1 else 0


def gsm7(char: str) -> bytes | None:
    """A character's GSM 03.38 octets (two for the extension table), or None outside both tables."""
    if char in CODES:
        return bytes([CODES[char]])
    if char in EXTENSION:
        return bytes([0x1B, EXTENSION[char]])
    return None


def encode(text: str, reference: int) -> Parts:
    """The short messages for a text; `reference` (0–255) ties the parts of one text together."""
    units = [gsm7(char) for char in text]
    coding = GSM7 if all(u is not None for u in units) else UCS2
    pieces = [u for u in units if u is not None] if coding == GSM7 else [c.encode("utf-16-be") for c in text]
    if sum(map(len, pieces)) <= SINGLE[coding]:
        return Parts(coding, (b"".join(pieces),))
    chunks = _cut(pieces, PART[coding])
    if len(chunks) > MAX_PARTS:
        raise ValueError(f"the text needs {len(chunks)} parts; SMS allows {MAX_PARTS}")
    total = len(chunks)
    header = bytes([0x05, 0x00, 0x03, reference % 256, total])
    return Parts(coding, tuple(header + bytes([seq]) + chunk for seq, chunk in enumerate(chunks, 1)))


def _cut(pieces: list[bytes], size: int) -> list[bytes]:
    """Whole characters into parts of at most `size` octets."""
    chunks, current = [], b""
    for piece in pieces:
        if len(current) + len(piece) > size:
            chunks.append(current)
            current = b""
        current += piece
    return [*chunks, current]


def decode(data_coding: int, short_message: bytes) -> str:
    """A short message's text (its user data header, if any, already removed)."""
    if data_coding & 0x0F == UCS2:
        return short_message.decode("utf-16-be", "replace")
    reverse = {code: char for char, code in CODES.items()}
    extension = {code: char for char, code in EXTENSION.items()}
    text, escaped = [], False
    for octet in short_message:
        if escaped:
            text.append(extension.get(octet, " "))
            escaped = False
        elif octet == 0x1B:
            escaped = True
        else:
            text.append(reverse.get(octet, "?"))
    return "".join(text)
