"""The identity of an event its sender gave no id: its content. The same contact doing the same thing at
the same moment with the same properties is one event, so importing a file again stores nothing new.

Stored identities depend on this exact text: migration 0018 gave it to the events stored before, and a
change here would need a migration of its own."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

PREFIX = "content:"


def content_id(contact_id: int, kind: str, occurred_at: datetime, properties: Mapping[str, Any]) -> str:
    """`content:` and the SHA-256 of the contact, type, UTC time to the microsecond and the properties in
    key order; 72 characters, within the 128 an event id may have."""
    moment = occurred_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    details = json.dumps(properties, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    text = "\x1f".join((str(contact_id), kind, moment, details))
    return PREFIX + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
