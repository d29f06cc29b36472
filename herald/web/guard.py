"""The API's outer wall, until sign-in and keys exist (and beside them after): a pure ASGI middleware.

- **Host**: only the configured names (`allowed_hosts`) are answered, so a page that rebinds its own
  domain to 127.0.0.1 (DNS rebinding) cannot read through the browser: 400 otherwise.
- **Origin**: a state-changing request that a browser sends from another site (an `Origin` that is not an
  allowed host, or `Sec-Fetch-Site: cross-site`) is refused with 403. Browsers send simple cross-site
  requests — `text/plain` bodies, bodiless POSTs — without asking first; tools such as curl send no Origin.
- **Size**: a body past the limit (a declared `Content-Length`, or one that streams past it) is answered
  413 with the limit; file uploads have their own, larger one.
- **Rate**: sign-in attempts and the public pages (short links, the open pixel, unsubscribe) are limited
  per client address (token buckets, `throttle`); past the limit the answer is 429 with Retry-After.
- **Headers**: every answer says nosniff, no framing, no referrer, same-origin resources, and a strict
  Content-Security-Policy: the API none at all, the pages only their own stylesheet and scripts (never
  inline ones), the docs page its own scripts and styles. Over https, Strict-Transport-Security too."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

from herald.access import Buckets, Limit

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
API_CSP = "default-src 'none'; frame-ancestors 'none'"
PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
HSTS = (b"strict-transport-security", b"max-age=31536000; includeSubDomains")
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'"
)
# The `error` word of an answer by its status, wherever in the server it is given.
KINDS = {
    400: "Invalid",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "NotAllowed",
    409: "Conflict",
    413: "TooLarge",
    422: "Invalid",
    429: "TooMany",
}

HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]


class Guard:
    def __init__(
        self,
        app: App,
        hosts: Iterable[str],
        max_body: int,
        uploads: dict[str, int],
        limits: Iterable[tuple[str, str, Limit]] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app, self.max_body, self.uploads = app, max_body, uploads
        self.hosts = {h.strip().lower().strip("[]") for h in hosts if h.strip()}
        self.limits, self.buckets, self.clock = list(limits), Buckets(), clock  # (method or *, path prefix, limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope, headers) or self._throttled(scope)
        if refusal:
            await _answer(send, *refusal)
            return
        limit = self.uploads.get(scope["path"], self.max_body)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await _answer(send, 413, f"the request body is larger than {_mb(limit)} (the limit)")
            return
        if not declared and scope["path"] not in self.uploads:
            # A body sent in chunks is read here, up to the limit: past it the answer is 413, which the
            # framework, reading it itself, would turn into "error parsing the body".
            try:
                body = await read_body(receive, limit)
            except Gone:  # the client hung up mid-body: no one to answer, and half a request is not acted on
                return
            if body is None:
                await _answer(send, 413, f"the request body is larger than {_mb(limit)} (the limit)")
                return
            receive = _replay(body, receive)
        await self.app(scope, receive, _with_headers(send, scope["path"], scope.get("scheme") == "https"))

    def _throttled(self, scope: Scope) -> tuple[int, str, int] | None:
        for method, prefix, limit in self.limits:
            if scope["path"].startswith(prefix) and method in ("*", scope["method"]):
                address = scope["client"][0] if scope.get("client") else "unknown"
                wait = self.buckets.take(limit, address, self.clock())
                if wait:
                    return 429, f"too many requests from {address}; wait {math.ceil(wait)} s", math.ceil(wait)
        return None

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        host = _host(headers.get("host", ""))
        if host not in self.hosts:
            return 400, f"host {host or '(none)'!r} is not one this server answers (setting allowed_hosts)"
        if scope["method"] in SAFE_METHODS:
            return None
        origin = headers.get("origin")
        if origin == "null" and headers.get("sec-fetch-site") == "same-origin":
            # A form posted from one of our own pages: the pages' no-referrer policy makes the browser
            # hide the origin as "null", and it vouches for it in Sec-Fetch-Site, which no page can set.
            return None
        if origin is not None and _host(urlsplit(origin).netloc) not in self.hosts:
            return 403, f"a request from {origin} may not change anything here (cross-site)"
        if headers.get("sec-fetch-site") == "cross-site":
            return 403, "a request from another site may not change anything here"
        return None


def _host(value: str) -> str:
    """A Host header's name without its port: `127.0.0.1:8000` → 127.0.0.1, `[::1]:8000` → ::1."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Gone(Exception):
    """The client went away while its request's body was being read."""


async def read_body(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes `limit`; `Gone` when the client hangs up first."""
    parts, size, more = [], 0, True
    while more:
        message = await receive()
        if message["type"] != "http.request":
            raise Gone
        part = message.get("body", b"")
        size += len(part)
        if size > limit:
            return None
        parts.append(part)
        more = message.get("more_body", False)
    return b"".join(parts)


def _replay(body: bytes, receive: Receive) -> Receive:
    """The body read, handed over once; after it, the client's own messages (a streamed answer listens for
    the client leaving, and must not hear it has left when it has not)."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


# Every answer's own headers, made once: (its policy, over https) → the headers added.
EXTRA = {
    (csp, https): [*HEADERS, (b"content-security-policy", csp.encode()), *([HSTS] if https else [])]
    for csp in (API_CSP, PAGE_CSP, DOCS_CSP)
    for https in (False, True)
}


def _with_headers(send: Send, path: str, https: bool) -> Send:
    csp = DOCS_CSP if path.startswith("/api/docs") else API_CSP if path.startswith("/api/") else PAGE_CSP
    extra = EXTRA[csp, https]

    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*message.get("headers", []), *extra]
        await send(message)

    return wrapped


async def _answer(send: Send, status: int, detail: str, retry_after: int | None = None) -> None:
    kind = KINDS[status]
    body = json.dumps({"error": kind, "detail": detail}).encode()
    wait = [(b"retry-after", str(retry_after).encode())] if retry_after is not None else []
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *wait,
                *HEADERS,
                (b"content-security-policy", API_CSP.encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _mb(size: int) -> str:
    return f"{size / (1 << 20):g} MB"
