"""The audit log's hash chain. Pure.

Each entry's hash covers its own fields and the hash of the entry before it, so changing, removing or
reordering an entry breaks every hash after it. `verify` walks the log and names the first entry that
does not fit. (Cutting entries off the end leaves a shorter chain that still fits: the head's hash, which
`herald audit verify` prints, is what an operator keeps elsewhere to notice that.)"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS = "0" * 64
FIELDS = ("at", "actor", "actor_kind", "origin", "action", "subject", "outcome", "detail")


def entry_hash(previous: str, entry: Mapping[str, Any]) -> str:
    """The hash of one entry after `previous`: SHA-256 over a canonical JSON of its fields."""
    body = {f: entry.get(f) for f in FIELDS}
    text = json.dumps([previous, body], sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Verified:
    entries: int
    head: str  # the last entry's hash (GENESIS for an empty log)
    broken_at: int | None  # the id of the first entry that does not fit
    reason: str | None


def verify(entries: Iterable[Mapping[str, Any]]) -> Verified:
    """Walk entries in id order: each must name the previous hash and hash to what it says."""
    previous, count = GENESIS, 0
    for entry in entries:
        count += 1
        if entry["prev_hash"] != previous:
            return Verified(count, previous, entry["id"], "it does not follow the entry before it (one was removed)")
        if entry_hash(previous, entry) != entry["hash"]:
            return Verified(count, previous, entry["id"], "its contents were changed after it was written")
        previous = entry["hash"]
    return Verified(count, previous, None, None)
