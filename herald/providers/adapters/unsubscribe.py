"""Unsubscribe addresses for marketing mail: RFC 2369's `List-Unsubscribe` with an https and a mailto
address, and RFC 8058's `List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so a mailbox provider's
"unsubscribe" button works in one click. Pure.

Each address carries a token naming the message, signed with a key derived from Herald's secret key:
`<message id>.<HMAC-SHA256 of it, first 16 bytes, Base64 URL-safe>`. The token is opaque to the reader,
cannot be forged to unsubscribe someone else, and still verifies after the secret key is rotated (the
earlier keys are tried too). RFC 8058 asks for an https address; an http `public_url` (a laptop, a
rehearsal) gives no one-click header, only the mailto one when configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import quote

PURPOSE = b"herald list-unsubscribe v1"
PATH = "/unsubscribe/"  # under public_url; the one-click POST and the page for people who click
ONE_CLICK = "List-Unsubscribe=One-Click"
LONGEST_ID = 18  # digits: more than any message id, so a long number cannot make work


def signing_key(secret_key: str) -> bytes:
    """The unsubscribe key derived from Herald's secret key (so the secret key itself never signs links)."""
    return hmac.new(secret_key.encode(), PURPOSE, hashlib.sha256).digest()


def token(key: bytes, message_id: int) -> str:
    mac = hmac.new(key, str(message_id).encode(), hashlib.sha256).digest()[:16]
    return f"{message_id}.{base64.urlsafe_b64encode(mac).rstrip(b'=').decode()}"


def message_of(given: str, keys: Sequence[bytes]) -> int | None:
    """The message a token names, when one of the keys signed it (compared in constant time); else None."""
    number, dot, _ = given.partition(".")
    if not dot or not number.isdigit() or len(number) > LONGEST_ID:
        return None
    expected = [token(key, int(number)).encode() for key in keys]
    return int(number) if any(hmac.compare_digest(e, given.encode()) for e in expected) else None


@dataclass(frozen=True)
class Unsubscribe:
    """Where a recipient unsubscribes: Herald's public address (https for one click) and a mailbox."""

    public_url: str | None
    mailto: str | None
    key: bytes = field(repr=False)

    def headers(self, message_id: int) -> dict[str, str]:
        """The message's List-Unsubscribe headers (none when there is nowhere to unsubscribe)."""
        signed = token(self.key, message_id)
        links = []
        https = self.public_url is not None and self.public_url.startswith("https://")
        if https:
            links.append(f"<{str(self.public_url).rstrip('/')}{PATH}{signed}>")
        if self.mailto:
            links.append(f"<mailto:{self.mailto}?subject={quote('unsubscribe ' + signed)}>")
        found = {"List-Unsubscribe": ", ".join(links)} if links else {}
        if https:
            found["List-Unsubscribe-Post"] = ONE_CLICK
        return found
