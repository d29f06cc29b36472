"""A request handed to an ASGI app by hand, for what a test client cannot do: a caller that sends half a
body and hangs up."""

from __future__ import annotations

import asyncio
from typing import Any


def hung_up(app: Any, method: str, path: str, first_part: bytes, *headers: tuple[bytes, bytes]) -> list[dict]:
    """Send `first_part` of a body that never ends, then the client's leaving; what the app sent back."""
    messages = iter([{"type": "http.request", "body": first_part, "more_body": True}, {"type": "http.disconnect"}])
    sent: list[dict] = []

    async def receive() -> dict:
        return next(messages)

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("203.0.113.9", 50000),
        "server": ("testserver", 80),
    }
    asyncio.run(app(scope, receive, send))
    return sent
