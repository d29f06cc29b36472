"""Vendors' callbacks (receipts, replies) and whether each is genuine: its signature checked on the raw
bytes, in constant time, and — where the vendor signs a time — its freshness. Pure.

- Twilio signs `X-Twilio-Signature`: Base64 of HMAC-SHA1, keyed with the auth token, over the full URL it
  called followed by each POST parameter's name and value, sorted by name. Proxies and load balancers
  may add or drop the default port, so the URL is tried as called, without its port and with it.
- Meta signs `X-Hub-Signature-256`: `sha256=` and the hex HMAC-SHA256 of the raw body, keyed with the
  app secret.
- Aliyun signs nothing it pushes (SmsReport): the address it is given carries a secret token as its last
  path segment, compared in constant time, so only who knows the address can post to it.
- A webhook gateway signs the Standard Webhooks way, as Herald signs what it sends it: `webhook-id`,
  `webhook-timestamp` and `webhook-signature` (`v1,` Base64 HMAC-SHA256 of `id.timestamp.body`). A
  timestamp more than five minutes from now is refused, so a captured callback cannot be replayed
  later; within those minutes a repeat is recorded once by its id (the tracking room's part), as are
  the repeats vendors send on their own.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import urlsplit, urlunsplit

from herald.providers.base import Callback

TOLERANCE = 300  # seconds a signed timestamp may be from now


def twilio_signature(token: str, url: str, fields: list[tuple[str, str]]) -> str:
    """The X-Twilio-Signature of a request to `url` with these form fields."""
    signed = url + "".join(name + value for name, value in sorted(fields))
    return base64.b64encode(hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def twilio_signed(token: str, callback: Callback) -> bool:
    """Whether Twilio signed this callback with the account's auth token."""
    given = callback.header("X-Twilio-Signature")
    if not given:
        return False
    fields = callback.form()
    found = [twilio_signature(token, url, fields) for url in _with_and_without_port(callback.url)]
    return any(hmac.compare_digest(expected.encode(), given.encode()) for expected in found)


def _with_and_without_port(url: str) -> list[str]:
    parts = urlsplit(url)
    default = {"https": 443, "http": 80}.get(parts.scheme)
    host = parts.hostname or ""
    bare = urlunsplit(parts._replace(netloc=host))
    ported = urlunsplit(parts._replace(netloc=f"{host}:{parts.port or default}"))
    return list(dict.fromkeys([url, bare, ported]))


def meta_signed(app_secret: str, callback: Callback) -> bool:
    """Whether Meta signed this callback with the app's secret."""
    given = callback.header("X-Hub-Signature-256") or ""
    if not given.startswith("sha256="):
        return False
    expected = hmac.new(app_secret.encode(), callback.body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), given.removeprefix("sha256=").lower().encode())


def standard_signed(key: bytes, callback: Callback, tolerance: float = TOLERANCE) -> bool:
    """Whether a Standard Webhooks callback is signed with `key` and was signed within `tolerance`."""
    wid, stamp = callback.header("webhook-id"), callback.header("webhook-timestamp")
    signatures = callback.header("webhook-signature")
    if not (wid and stamp and signatures) or not stamp.isdigit() or abs(callback.at - int(stamp)) > tolerance:
        return False
    signed = f"{wid}.{stamp}.".encode() + callback.body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    given = [s.split(",", 1)[1].encode() for s in signatures.split() if s.startswith("v1,")]
    return any(hmac.compare_digest(expected, g) for g in given)


def token_in_path(token: str, callback: Callback) -> bool:
    """Whether the address called ends in the account's secret token (Aliyun's pushes, which are unsigned)."""
    last = urlsplit(callback.url).path.rstrip("/").rpartition("/")[2]
    return bool(token) and hmac.compare_digest(last.encode(), token.encode())
