"""Verifying numbers with a lookup service (see `providers.lookup`), a batch at a time: each batch is its
own transaction, so an interrupted run keeps what it has learned. A number the vendor calls invalid is
suppressed on SMS and WhatsApp."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from herald.clock import Clock
from herald.contacts import service
from herald.db import UnitOfWork
from herald.providers import Looked, Lookup, Retryable

BATCH = 100


def verify(
    uow: Callable[[], UnitOfWork],
    lookup: Lookup,
    clock: Clock,
    numbers: Sequence[tuple[int, str]],
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Look every (contact id, phone) up and record the answers; returns what happened, counted."""
    counts: Counter = Counter()
    line_types: Counter = Counter()
    problems: list[dict[str, Any]] = []
    for start in range(0, len(numbers), BATCH):
        chunk = numbers[start : start + BATCH]
        results = asyncio.run(lookup.lookup([phone for _, phone in chunk]))
        with uow() as work:
            for (contact_id, phone), result in zip(chunk, results, strict=True):
                if isinstance(result, Looked):
                    detail = f"{lookup.name} lookup: " + (", ".join(result.errors) or "not a valid number")
                    counts[
                        service.apply_lookup(
                            work, contact_id, result.valid, result.line_type, result.carrier, detail, clock.now()
                        )
                    ] += 1
                    if result.valid:
                        line_types[result.line_type or "unknown"] += 1
                else:
                    counts["retry_later" if isinstance(result, Retryable) else "refused"] += 1
                    if len(problems) < 20:
                        problems.append({"contact": contact_id, "phone": phone, "reason": result.reason})
        if progress:
            progress(len(chunk))
    return {
        "checked": len(numbers),
        "verified": counts["verified"],
        "invalid": counts["invalid"],
        "retry_later": counts["retry_later"],
        "refused": counts["refused"],
        "gone": counts["gone"],
        "line_types": dict(line_types),
        "problems": problems,
    }
