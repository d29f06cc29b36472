"""What each value in a `[providers.NAME]` table must be. Pure: each check takes a value and answers why it
is wrong, or None."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from email.utils import parseaddr
from typing import Any
from urllib.parse import urlsplit

Check = Callable[[Any], str | None]


def text(value: Any) -> str | None:
    return None if isinstance(value, str) and value.strip() else "expected text"


def web_address(value: Any) -> str | None:
    parts = urlsplit(value) if isinstance(value, str) else None
    ok = parts is not None and parts.scheme in ("http", "https") and bool(parts.hostname)
    return None if ok else f"expected an http(s) address, got {value!r}"


def signing_secret(value: Any) -> str | None:
    """A Standard Webhooks secret: `whsec_` and Base64, or a passphrase of 16 characters at least."""
    if not isinstance(value, str):
        return "expected text"
    if value.startswith("whsec_"):
        try:
            base64.b64decode(value[len("whsec_") :], validate=True)
        except binascii.Error:
            return "a whsec_ secret must be Base64 after the prefix"
        return None
    return None if len(value) >= 16 else "expected 16 characters at least (or a whsec_ secret)"


def seconds(value: Any) -> str | None:
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 120
    return None if ok else f"expected seconds between 0 and 120, got {value!r}"


def validity(value: Any) -> str | None:
    ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 36_000
    return None if ok else f"expected whole seconds from 1 to 36000, got {value!r}"


def sid(prefix: str) -> Callable[[Any], str | None]:
    def check(value: Any) -> str | None:
        ok = isinstance(value, str) and value.startswith(prefix) and len(value) == 34 and value[2:].isalnum()
        return None if ok else f"expected {prefix} and 32 letters or digits, got {value!r}"

    return check


def yes_no(value: Any) -> str | None:
    return None if isinstance(value, bool) else f"expected true or false, got {value!r}"


def endpoint(value: Any) -> str | None:
    """An API's address: a web address with no path (the API's own paths follow it)."""
    wrong = web_address(value) or (None if urlsplit(value).path in ("", "/") else "")
    return None if wrong is None else f"expected an http(s) address with no path, got {value!r}"


def digits(value: Any) -> str | None:
    ok = isinstance(value, str) and value.isdigit() and 5 <= len(value) <= 32
    return None if ok else f"expected Meta's numeric id, got {value!r}"


def graph_version(value: Any) -> str | None:
    ok = isinstance(value, str) and value.startswith("v") and value[1:].replace(".", "", 1).isdigit()
    return None if ok else f"expected a Graph API version like v23.0, got {value!r}"


def whole(low: int, high: int) -> Check:
    """A whole number from low to high."""

    def check(value: Any) -> str | None:
        ok = isinstance(value, int) and not isinstance(value, bool) and low <= value <= high
        return None if ok else f"expected a whole number from {low} to {high}, got {value!r}"

    return check


def one_of(*choices: str) -> Check:
    def check(value: Any) -> str | None:
        return None if value in choices else f"expected one of {', '.join(choices)}, got {value!r}"

    return check


def mail_address(value: Any) -> str | None:
    """An e-mail address, bare or with a display name (`Shop <news@shop.example>`)."""
    _, address = parseaddr(value) if isinstance(value, str) else ("", "")
    local, _, domain = address.rpartition("@")
    ok = bool(local) and bool(domain) and " " not in address
    return None if ok else f"expected an e-mail address, got {value!r}"


def rate(value: Any) -> str | None:
    """Units a second: more than 0, at most 10,000."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and 0 < value <= 10_000
    return None if ok else f"expected units a second, more than 0 and at most 10000, got {value!r}"


def ascii_text(longest: int, empty: bool = False) -> Check:
    """ASCII text of at most `longest` characters (SMPP's fixed-size fields)."""

    def check(value: Any) -> str | None:
        ok = isinstance(value, str) and value.isascii() and (empty or value.strip()) and len(value) <= longest
        return None if ok else f"expected ASCII text of at most {longest} characters"

    return check


def sender_id(value: Any) -> str | None:
    """A number (`+14155550100`, `95588`) or an alphanumeric sender id of at most 11 characters."""
    text = value.removeprefix("+") if isinstance(value, str) else ""
    number = text.isdigit() and 3 <= len(text) <= 15
    alphanumeric = text.isascii() and text.replace(" ", "").isalnum() and not text.isdigit() and len(text) <= 11
    return None if number or alphanumeric else f"expected a number or a sender id of at most 11 letters, got {value!r}"


def token(value: Any) -> str | None:
    """A secret that ends an address: 24 to 128 letters, digits, `-` or `_`."""
    ok = (
        isinstance(value, str)
        and 24 <= len(value) <= 128
        and all(c.isascii() and (c.isalnum() or c in "-_") for c in value)
    )
    return None if ok else "expected 24 to 128 letters, digits, - or _ (a URL-safe secret)"
