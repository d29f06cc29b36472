"""Meta's subscription check, asked of both WhatsApp webhook addresses: the challenge back, as plain text,
when the verify token matches; refused as every error is."""

from __future__ import annotations

import hmac
from typing import Any

from fastapi.responses import PlainTextResponse

from herald.errors import Forbidden

CHALLENGE_ANSWERED: dict[int | str, dict[str, Any]] = {
    200: {"description": "The challenge, as sent", "content": {"text/plain": {"schema": {"type": "string"}}}}
}


def answer_challenge(expected: str, mode: str, token: str, challenge: str) -> PlainTextResponse:
    """The challenge back when the verify token matches `expected` (compared in constant time)."""
    if mode != "subscribe" or not expected or not hmac.compare_digest(token.encode(), expected.encode()):
        raise Forbidden("verify token does not match")
    return PlainTextResponse(challenge)
