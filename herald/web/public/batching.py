"""Group commit for the routes vendors and recipients hit in floods (receipts, replies, clicks): requests
that arrive while a write is under way are written together in the next one — one transaction, one
commit — and each request is answered once its own part is committed. The first request of a quiet
moment is written at once; nothing waits on a timer.

Should a batch fail, its items are written again one by one, each in its own transaction, so one bad item
fails alone."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from herald.db import UnitOfWork

T = TypeVar("T")
R = TypeVar("R")
log = logging.getLogger("herald.web")
MOST = 256  # items written in one transaction at most


class Batcher(Generic[T, R]):
    """Writes what requests hand it in shared transactions; `apply` gets the unit of work, the items and
    the moment, and returns one result per item, in order."""

    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        now: Callable[[], datetime],
        apply: Callable[[UnitOfWork, Sequence[T], datetime], list[R]],
    ) -> None:
        self.uow, self.now, self.apply = uow, now, apply
        self.waiting: list[tuple[T, asyncio.Future[R]]] = []
        self.flushing: asyncio.Task[None] | None = None

    async def submit(self, item: T) -> R:
        """Write the item with whatever else is waiting; its result once committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[R] = loop.create_future()
        self.waiting.append((item, future))
        # A writer of another event loop (a test client runs one a request) cannot serve this one.
        if self.flushing is None or self.flushing.done() or self.flushing.get_loop() is not loop:
            self.flushing = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        while self.waiting:
            batch, self.waiting = self.waiting[:MOST], self.waiting[MOST:]
            outcomes = await asyncio.to_thread(self._write, [item for item, _ in batch])
            for (_, future), outcome in zip(batch, outcomes, strict=True):
                if future.done():  # its request went away (the client hung up)
                    continue
                if isinstance(outcome, BaseException):
                    future.set_exception(outcome)
                else:
                    future.set_result(outcome)

    def _write(self, items: list[T]) -> list[R | BaseException]:
        try:
            with self.uow() as uow:
                return list(self.apply(uow, items, self.now()))
        except Exception as exc:
            if len(items) == 1:
                return [exc]
            log.warning("a batch of %d could not be written together: writing each alone", len(items))
            return [outcome for item in items for outcome in self._write([item])]
