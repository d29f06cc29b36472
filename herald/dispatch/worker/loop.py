"""The worker loop. Each batch takes three short transactions: the first claims due messages; the
second prepares them (the campaigns room decides again with fresh facts, renders, and marks each in
flight); the third records what the providers answered (`recording`). The providers are called
between the second and the third, outside any transaction, so a slow vendor never holds a database lock.

Batches overlap: while one batch's requests are in flight, the next is claimed and prepared in a thread
of its own, so the event loop keeps answering the vendors and no request waits for the database. At
most two batches are out at once; a stopped worker waits for the one being prepared and hands back
every message it had not yet given to a provider."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AsyncExitStack
from datetime import datetime, timedelta

from herald import outbox, tracking
from herald.campaigns import Links, Prepared, prepare
from herald.clock import Clock
from herald.db import UnitOfWork
from herald.dispatch import service as dispatch
from herald.dispatch.circuit import CircuitPolicy, Health
from herald.dispatch.pacing import Limits
from herald.dispatch.retry import RetryPolicy
from herald.dispatch.worker.answering import NoticeQueue
from herald.dispatch.worker.beat import Beat, Fold
from herald.dispatch.worker.recording import REJECTED
from herald.dispatch.worker.senders import StickySenders
from herald.dispatch.worker.sending import Batch, Sends
from herald.dispatch.worker.stats import WorkerStats
from herald.providers import Provider, Routing, Sender

__all__ = ["REJECTED", "Worker", "WorkerStats"]

log = logging.getLogger("herald.worker")


class Worker(Beat, Sends):
    def __init__(
        self,
        uow: Callable[[], UnitOfWork],
        clock: Clock,
        providers: Mapping[str, Provider],
        routing: Routing,
        batch_size: int,
        lease: timedelta,
        invalid_after: int = 3,
        scores_every: timedelta | None = timedelta(hours=24),
        clusters: int = 0,
        retry: RetryPolicy | None = None,
        pacing: Mapping[str, tuple[Limits, bool]] | None = None,
        senders: Mapping[str, tuple[Sender, ...]] | None = None,
        links: Links | None = None,
        replies: tracking.ReplyPolicy | None = None,
        watch: Callable[[UnitOfWork, datetime], list[str]] | None = None,
        notices: NoticeQueue | None = None,
        tallies: Fold | None = None,
    ) -> None:
        self.uow, self.clock, self.providers = uow, clock, providers
        self.routing = routing  # which provider accounts carry each channel, per country
        self.batch_size, self.lease = batch_size, lease
        self.invalid_after = invalid_after  # permanent failures that mark an address invalid; 0: never
        self.scores_every = scores_every  # how often RFM and lifecycle are recomputed; None: never
        self.clusters = clusters  # how many customer clusters to redraw after each recompute; 0: none
        self.retry = retry or RetryPolicy()  # when a message a provider could not take is tried again
        self.circuit = CircuitPolicy()  # when an account that keeps failing is paused
        self.pacing = pacing or {}  # account -> (its limits, whether it meters SMS segments)
        self.senders = dict(senders or {})  # account -> its senders, its own first (accounts that list some)
        self.links = links  # makes the links of prepared messages short (when Herald has a public address)
        self.replies = replies or tracking.reply_policy({})  # how texts from handsets are read and answered
        # Alert rules judged once a minute by the worker that runs the scheduler (analytics, wired in by
        # bootstrap: this room sits below it).
        self.watch = watch
        self.notices = notices  # alerts to e-mail (analytics' queue, also wired in by bootstrap)
        # Campaigns' kept figures (analytics' tallies), folded once a minute beside the sending.
        self.tallies = tallies
        self._stopping = threading.Event()  # tells a pass folding tallies to stop
        self._watched_at: datetime | None = None
        self.sender_limits = {
            (account, s.name): Limits(s.rate, s.daily_limit)
            for account, listed in self.senders.items()
            for s in listed
            if s.paced
        }
        self._health: dict[str, Health] = {}  # each account's circuit, as read before the batch
        self.stats = WorkerStats()
        self._holding: set[tuple[int, str]] = set()  # (id, lease token) claimed and not yet recorded
        self._unsent: dict[int, Prepared] = {}  # marked in flight, not yet given to a provider
        self._preparing: Future[Batch] | None = None  # the batch being claimed and prepared in a thread
        self._thread: ThreadPoolExecutor | None = None
        self._settled_at: datetime | None = None  # when vendors' records were last asked about unknown messages

    async def run(
        self, until_idle: bool = True, poll_seconds: float = 1.0, on_batch: Callable[[WorkerStats], None] | None = None
    ) -> WorkerStats:
        """Drain due messages; with `until_idle`, return when nothing is due. Stopped (Ctrl-C, SIGTERM,
        a cancelled task), it hands back what it claimed and had not sent before it goes."""
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="herald-prepare")
        self._stopping.clear()
        # A worker that keeps running folds the tallies beside its sending; one run until idle, once done.
        folding = asyncio.create_task(self._keep_folding()) if self.tallies and not until_idle else None
        try:
            async with AsyncExitStack() as kept:
                await self._keep_sessions(kept)
                await self._drain(until_idle, poll_seconds, on_batch)
            if until_idle:
                self._log(self._fold())
            return self.stats
        except BaseException:
            self.hand_back()
            raise
        finally:
            if folding is not None:
                folding.cancel()
                await asyncio.gather(folding, return_exceptions=True)
            self._thread.shutdown(wait=True)
            self._thread = None

    async def _keep_sessions(self, stack: AsyncExitStack) -> None:
        """HTTP providers keep one session, and its connections, for the whole run."""
        for provider in self.providers.values():
            opened = getattr(provider, "opened", None)
            if opened is not None:
                await stack.enter_async_context(opened())

    async def _drain(
        self, until_idle: bool, poll_seconds: float, on_batch: Callable[[WorkerStats], None] | None
    ) -> None:
        self._reconcile()
        await self._settle()
        sending: asyncio.Task[None] | None = None
        following: asyncio.Task[None] | None = None
        try:
            while True:
                batch = await self._next()  # prepared while the last batch is in flight
                following = asyncio.create_task(self._send(batch)) if batch.claimed else None
                waited = sending is not None
                if sending is not None:
                    await sending
                    if on_batch:
                        on_batch(self.stats)
                sending = following
                if following is not None or waited:
                    continue  # more may be due: a batch's fallbacks come back to the queue at once
                await self._answer()
                await self._deliver()
                await self._notify()
                if until_idle:
                    self._note_leases()
                    return
                await asyncio.sleep(poll_seconds)
                self._reconcile()
                await self._settle()
        finally:  # stopped, or a batch failed: what is still out is stopped (and recorded as far as it got)
            left = [t for t in {sending, following} if t is not None and not t.done()]
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)

    def hand_back(self) -> int:
        """Queue again at once what this worker claimed and has not given to a provider: claimed messages,
        and prepared ones not yet sent (the batch being prepared in a thread is waited for first)."""
        if self._preparing is not None:
            with contextlib.suppress(BaseException):  # a batch that failed to prepare was counted in already
                self._taken(self._preparing.result())
            self._preparing = None
        if not self._holding and not self._unsent:
            return 0
        now, why = self.clock.now(), "the worker stopped before sending it: queued again"
        with self.uow() as uow:
            count = outbox.hand_back(uow, self._holding, now)
            count += sum(
                outbox.not_sent(uow, p.claimed.id, p.claimed.token, now, why, now) for p in self._unsent.values()
            )
        self._holding, self._unsent = set(), {}
        self.stats.handed_back += count
        log.info("handed back %d claimed messages", count)
        return count

    async def run_once(self) -> int:
        """Claim, prepare, send and record one batch; returns how many messages were claimed."""
        batch = await self._next()
        if batch.claimed:
            await self._send(batch)
        return len(batch.claimed)

    async def _next(self) -> Batch:
        """The next batch, claimed and prepared in the preparing thread (or here, outside a run)."""
        if self._thread is None:
            return self._taken(self._claim_and_prepare())
        self._preparing = self._thread.submit(self._claim_and_prepare)
        batch = await asyncio.wrap_future(self._preparing)
        self._preparing = None
        return self._taken(batch)

    def _claim_and_prepare(self) -> Batch:
        """Database work only: the scheduler's beat, a claim, and the batch prepared and marked in flight."""
        events = self._scheduled()
        with self.uow() as uow:
            claimed = outbox.claim_batch(uow, self.batch_size, self.clock.now(), self.lease)
        if not claimed:
            return Batch(events=events)
        batch = Batch(claimed, events=events)
        try:
            with self.uow() as uow:
                now = self.clock.now()
                batch.health = dispatch.health_of(uow.session)
                paused = frozenset(a for a, h in batch.health.items() if not h.usable(now))
                picker = StickySenders(self.senders) if self.senders else None
                batch.ready = prepare(uow, claimed, now, self.routing, batch.counts, paused, picker, self.links)
        except BaseException:  # claimed, not prepared: handed back with the rest when the worker stops
            self._holding.update((c.id, c.token) for c in claimed)
            raise
        return batch

    def _taken(self, batch: Batch) -> Batch:
        """Count a batch in, and hold its messages until they are recorded."""
        if batch.taken:
            return batch
        batch.taken = True
        self._log(batch.events)
        self._health = batch.health or self._health
        self._holding.update((c.id, c.token) for c in batch.claimed)
        self._unsent.update((p.claimed.id, p) for p in batch.ready)
        if batch.claimed:
            self.stats.batches += 1
            self.stats.claimed += len(batch.claimed)
            self.stats.skipped += batch.counts.skipped
            self.stats.deferred += batch.counts.deferred
            self.stats.failed += batch.counts.failed
            self.stats.held += batch.counts.held
        return batch
