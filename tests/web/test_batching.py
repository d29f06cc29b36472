"""Group commit: what arrives together is written together, in order; a bad item fails alone."""

from __future__ import annotations

import asyncio
import time
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest

from herald.web.public.batching import Batcher

NOW = datetime(2026, 3, 10, tzinfo=UTC)


class Writes:
    """A stand-in unit of work that counts transactions and what each committed."""

    def __init__(self) -> None:
        self.committed: list[list[int]] = []
        self.open: list[int] = []

    @contextmanager
    def uow(self):
        self.open = []
        yield self
        self.committed.append(self.open)


def doubled(writes: Writes, slow: float = 0.0):
    def apply(uow, items, now):
        assert now == NOW
        time.sleep(slow)  # a write under way, while other requests arrive
        for item in items:
            if item < 0:
                raise ValueError(f"bad item {item}")
            uow.open.append(item)
        return [item * 2 for item in items]

    return apply


def test_requests_that_arrive_together_share_a_transaction_and_keep_their_order():
    writes = Writes()
    batcher = Batcher(writes.uow, lambda: NOW, doubled(writes, slow=0.05))

    async def many():
        first = asyncio.create_task(batcher.submit(0))
        await asyncio.sleep(0.01)  # the first is being written
        rest = await asyncio.gather(*(batcher.submit(i) for i in range(1, 10)))
        return [await first, *rest]

    assert asyncio.run(many()) == [i * 2 for i in range(10)]
    assert writes.committed[0] == [0]  # the first is written at once
    assert writes.committed[1] == list(range(1, 10))  # the rest, which came meanwhile, together
    assert len(writes.committed) == 2


def test_a_bad_item_fails_alone_and_the_others_are_written():
    writes = Writes()
    batcher = Batcher(writes.uow, lambda: NOW, doubled(writes))

    async def many():
        return await asyncio.gather(*(batcher.submit(i) for i in (1, 2, -3, 4)), return_exceptions=True)

    first, second, bad, fourth = asyncio.run(many())
    assert (first, second, fourth) == (2, 4, 8)
    assert isinstance(bad, ValueError) and str(bad) == "bad item -3"
    assert [1] in writes.committed and [2] in writes.committed and [4] in writes.committed


def test_a_single_failure_reaches_its_request():
    writes = Writes()
    batcher = Batcher(writes.uow, lambda: NOW, doubled(writes))
    with pytest.raises(ValueError, match="bad item -1"):
        asyncio.run(batcher.submit(-1))


def test_it_serves_one_event_loop_after_another():
    writes = Writes()
    batcher = Batcher(writes.uow, lambda: NOW, doubled(writes))
    assert asyncio.run(batcher.submit(1)) == 2
    assert asyncio.run(batcher.submit(2)) == 4  # a test client runs a loop a request
