"""Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP): the second factor at sign-in. Pure.

Six digits, 30-second steps, HMAC-SHA1 — what every authenticator app reads from an `otpauth://` address.
A code from the step before or after is accepted too, for clocks a little apart; a code once used is not
accepted again (the caller keeps the last step used)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote

STEP = 30
DIGITS = 6


def new_secret() -> str:
    """A fresh 160-bit secret in base32, as authenticator apps take it."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def hotp(secret: str, counter: int) -> str:
    """The code for one counter value (RFC 4226 §5.3: dynamic truncation)."""
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def step_of(now: datetime) -> int:
    return int(now.timestamp()) // STEP


def accepted_step(secret: str, code: str, now: datetime, last_used: int | None) -> int | None:
    """The step a code belongs to (now, or one step either side), or None when it is wrong or used."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == DIGITS):
        return None
    current = step_of(now)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(hotp(secret, step), code):
            return None if last_used is not None and step <= last_used else step
    return None


def address(secret: str, account: str, issuer: str = "Herald") -> str:
    """The otpauth:// address an authenticator app reads (usually from a QR code)."""
    label = quote(f"{issuer}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(issuer)}&algorithm=SHA1&digits={DIGITS}&period={STEP}"
