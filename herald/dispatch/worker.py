"""The worker loop. Each batch takes three short transactions: the first claims due messages; the
second prepares them (the campaigns room decides again with fresh facts, renders, and marks each in
flight); the third records what the providers answered (`recording.py`). The providers are called
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
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from herald import campaigns, outbox, scores, tracking
from herald.campaigns import BatchCounts, Links, Prepared, prepare
from herald.clock import Clock
from herald.db import UnitOfWork, locks
from herald.dispatch import service as dispatch
from herald.dispatch.answering import Answers, NoticeQueue
from herald.dispatch.circuit import CircuitPolicy, Health
from herald.dispatch.pacing import Limits
from herald.dispatch.recording import OPTED_OUT, REJECTED, RecordsResults
from herald.dispatch.retry import RetryPolicy
from herald.dispatch.senders import StickySenders
from herald.dispatch.stats import WorkerStats
from herald.outbox import Claimed
from herald.providers import (
    Provider,
    Retryable,
    Routing,
    Sender,
    SendResult,
    Unsettled,
)
from herald.types import Channel

__all__ = ["REJECTED", "Worker", "WorkerStats"]

log = logging.getLogger("herald.worker")
# How long a message stays unknown before its vendor's records are asked: they may lag the request a little.
SETTLE_AFTER = timedelta(minutes=5)
# Only messages left unknown within the last day are asked about: an older one, resent, would arrive long
# after it was meant to (and vendors keep searchable records for a limited time); those wait for a person.
SETTLE_WITHIN = timedelta(days=1)
SETTLE_EVERY = timedelta(minutes=1)  # an idle worker asks at most this often
WATCH_EVERY = timedelta(minutes=1)  # how often alert rules are judged
QUEUED_PAGE = 1000  # queued receipts applied in one transaction


@dataclass
class Batch:
    """One batch, claimed and prepared: what is sent, and what the loop counts."""

    claimed: list[Claimed] = field(default_factory=list)
    ready: list[Prepared] = field(default_factory=list)
    counts: BatchCounts = field(default_factory=BatchCounts)
    events: list[str] = field(default_factory=list)  # what the scheduler did before it was claimed
    health: dict[str, Health] = field(default_factory=dict)  # the accounts' circuits as read for it
    taken: bool = False  # counted in by the loop


class Worker(RecordsResults, Answers):
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
        tallies: Callable[[Callable[[], UnitOfWork], datetime, Callable[[], bool]], list[str]] | None = None,
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

    async def _settle(self) -> None:
        """Ask vendors that keep records (Aliyun) about messages left unknown a while: one they took is
        closed as sent; one they never took is sent again — so no timeout costs a message or doubles it."""
        askable = {name: p for name, p in self.providers.items() if hasattr(p, "ask")}
        now = self.clock.now()
        if not askable or (self._settled_at is not None and now - self._settled_at < SETTLE_EVERY):
            return
        self._settled_at = now
        with self.uow() as uow:
            waiting = outbox.unknown_to_ask(uow.session, askable, now - SETTLE_WITHIN, now - SETTLE_AFTER)
        for name, provider in askable.items():
            items = [Unsettled(m, address, at) for m, account, address, at in waiting if account == name]
            answers = await provider.ask(items) if items else {}
            taken, never = [m for m, yes in answers.items() if yes], [m for m, yes in answers.items() if not yes]
            with self.uow() as uow:
                self.stats.settled += len(outbox.resolve_unknown(uow, taken, "sent", now, f"{name} has it", "vendor"))
                again = outbox.resolve_unknown(uow, never, "resend", now, f"{name} never took it: sent again")
                self.stats.settled += len(again)

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

    def _note_leases(self) -> None:
        with self.uow() as uow:
            self.stats.waiting_on_lease, self.stats.lease_until = outbox.leased(uow.session, self.clock.now())

    def _reconcile(self) -> None:
        safe = {name for name, p in self.providers.items() if p.deduplicates}
        with self.uow() as uow:
            self.stats.reconciled += outbox.reconcile_expired(uow, self.clock.now(), safe)

    def tick(self) -> None:
        """Start due campaign runs, judge rollouts, complete finished campaigns; recompute scores (and
        redraw clusters, when set) daily; fold campaigns' tallies (a running worker does that beside its
        sending, once a minute)."""
        self._log(self._scheduled())
        self._log(self._fold())

    def _fold(self, going: Callable[[], bool] = lambda: True) -> list[str]:
        """Fold what changed into campaigns' tallies, until done or `going` says to stop."""
        if self.tallies is None:
            return []
        return self.tallies(self.uow, self.clock.now(), going)

    async def _keep_folding(self) -> None:
        """Campaigns' tallies folded once a minute in a thread of their own: a first pass over a big
        campaign takes a minute, which must not hold up the batches claimed in the preparing thread."""
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1, thread_name_prefix="herald-tallies") as pool:  # a pass under way ends first
            try:
                while True:
                    try:
                        self._log(await loop.run_in_executor(pool, self._fold, lambda: not self._stopping.is_set()))
                    except Exception:  # results are grouped from the ledger meanwhile: slower, still right
                        log.exception("folding campaigns' tallies failed; tried again in a minute")
                    await asyncio.sleep(WATCH_EVERY.total_seconds())
            finally:
                self._stopping.set()  # the pass under way stops after the transaction it is in

    def _scheduled(self) -> list[str]:
        """What `tick` does, as lines to log (run in the preparing thread: it touches no counts)."""
        now = self.clock.now()
        with self.uow() as uow:  # one worker at a time; the others leave it to that one
            scheduler = locks.claim_job(uow, locks.SCHEDULER)
            events = campaigns.tick(uow, now) if scheduler else []
        if scheduler and self.watch and (self._watched_at is None or now - self._watched_at >= WATCH_EVERY):
            with self.uow() as uow:
                events.extend(self.watch(uow, now))
            self._watched_at = now
        queued = self._apply_queued(now)  # receipts kept by callbacks' answers, in the order they came
        if queued:
            events.append(f"receipts applied as their callbacks were kept: {queued}")
        with self.uow() as uow:  # receipts that came before their message's send result was recorded
            applied = tracking.apply_waiting(uow, now)["applied"]
        if applied:
            events.append(f"receipts applied once their messages were recorded: {applied}")
        if self.scores_every:
            with self.uow() as uow:
                if not locks.claim_job(uow, locks.SCORES):  # another worker is recomputing them now
                    return events
                last = scores.last_computed(uow)
                if last is None or now - last >= self.scores_every:
                    counts = scores.compute(uow, now)
                    if sum(counts.values()):
                        events.append("scores recomputed: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
                    profiles = scores.recompute_profiles(uow, now)
                    if profiles["contacts"]:
                        events.append(f"send-time profiles recomputed: {profiles['contacts']} contacts")
                    if self.clusters and sum(counts.values()) >= self.clusters:
                        drawn = scores.cluster(uow, now, self.clusters)
                        events.append("clusters redrawn: " + ", ".join(f"{c['tag']} {c['contacts']}" for c in drawn))
        return events

    def _apply_queued(self, now: datetime) -> int:
        """The receipts callbacks kept to be applied here, a page per transaction until none is left: how
        many were applied (moved their message, waited for it, or had nothing new to say)."""
        done = 0
        while True:
            with self.uow() as uow:
                counts = tracking.apply_queued(uow, now, QUEUED_PAGE)
            done += sum(counts.values())
            if sum(counts.values()) < QUEUED_PAGE:
                return done

    def _log(self, events: list[str]) -> None:
        for event in events:
            log.info("%s", event)
        self.stats.events.extend(events)

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

    async def _send(self, batch: Batch) -> None:
        by_provider: dict[str, list[Prepared]] = {}
        for item in batch.ready:
            by_provider.setdefault(item.provider, []).append(item)
        for name, waiting in by_provider.items():
            timed = self._paced(name, waiting)
            if not timed:
                continue
            items, results = await self._send_timed(name, timed)
            self._record(items, results)
            self._judge_account(name, results)
        self._holding.difference_update((c.id, c.token) for c in batch.claimed)
        self._track()
        await self._answer()
        await self._deliver()
        await self._notify()

    def _track(self) -> None:
        """Record the receipts and messages the providers read on their own connections (an SMSC's bind:
        receipts, and texts from handsets, which are read and acted on as any reply)."""
        for name, provider in self.providers.items():
            take = getattr(provider, "take_reports", None)
            reports = take() if take is not None else []
            if reports:
                inbound = [r for r in reports if r.kind == "inbound"]
                with self.uow() as uow:
                    counts = tracking.record_receipts(uow, name, reports, self.clock.now())
                    if inbound:
                        tracking.record_inbound(uow, name, Channel.SMS, inbound, self.replies, self.clock.now())
                self.stats.receipts += counts["applied"]

    async def _send_timed(
        self, name: str, timed: list[tuple[Prepared, datetime | None]]
    ) -> tuple[list[Prepared], list[SendResult | object]]:
        """Each group of messages sent at its moment (a paced account's), all groups in flight together.
        Stopped meanwhile, it lets the requests already made finish and records them; the groups still
        waiting for their moment are left to be handed back."""
        groups: dict[datetime | None, list[Prepared]] = {}
        for item, moment in timed:
            groups.setdefault(moment, []).append(item)
        made: set[datetime | None] = set()

        async def at(moment: datetime | None, group: list[Prepared]) -> list[SendResult | object]:
            if moment is not None:
                await asyncio.sleep(max(0.0, (moment - self.clock.now()).total_seconds()))
            made.add(moment)
            return await self._call(name, group)

        calls = {moment: asyncio.create_task(at(moment, group)) for moment, group in groups.items()}
        try:
            await asyncio.wait(calls.values())
        except asyncio.CancelledError:
            for moment, call in calls.items():
                if moment not in made:
                    call.cancel()
            await asyncio.wait([calls[m] for m in made] or calls.values())
            answered = [m for m in made if not calls[m].cancelled() and calls[m].exception() is None]
            self._record([i for m in answered for i in groups[m]], [r for m in answered for r in calls[m].result()])
            raise
        return [i for group in groups.values() for i in group], [r for call in calls.values() for r in call.result()]

    async def _call(self, name: str, items: list[Prepared]) -> list[SendResult | object]:
        """The provider's answer for each message; OPTED_OUT for one an opt-out stopped after it was
        prepared (see `outbox.give`), which is not sent."""
        for item in items:  # from here the vendor may have them: a stop no longer hands them back
            self._unsent.pop(item.claimed.id, None)
        with self.uow() as uow:
            given = outbox.give(uow, [(i.claimed.id, i.claimed.token) for i in items], self.clock.now())
        going = [i for i in items if i.claimed.id in given]
        try:
            answers = iter(await self.providers[name].send([i.outgoing for i in going]) if going else [])
        except Exception as exc:
            log.exception("provider %s failed a whole batch", name)
            answers = iter([Retryable(f"provider error: {type(exc).__name__}", fault=True)] * len(going))
        return [next(answers) if i.claimed.id in given else OPTED_OUT for i in items]

    def _paced(self, name: str, items: list[Prepared]) -> list[tuple[Prepared, datetime | None]]:
        """The messages the paces of their senders and of the account let go now, each with its moment;
        the others go back to the queue for theirs."""
        limits, segments = self.pacing.get(name, (Limits(), False))
        by_sender: dict[str | None, list[Prepared]] = {}
        for item in items:
            by_sender.setdefault(item.sender, []).append(item)
        timed: list[tuple[Prepared, datetime | None]] = []
        for sender, group in by_sender.items():
            own = self.sender_limits.get((name, sender or ""), Limits())
            key, who = dispatch.sender_bucket(name, sender or ""), f"sender {sender} of {name}"
            timed += self._take(key, who, own, segments, [(item, None) for item in group])
        return self._take(f"account:{name}", f"account {name}", limits, segments, timed)

    def _take(
        self, key: str, who: str, limits: Limits, segments: bool, timed: list[tuple[Prepared, datetime | None]]
    ) -> list[tuple[Prepared, datetime | None]]:
        """Reserve from one shared bucket: the messages that may go, each at the later of its moments."""
        if not limits.paced or not timed:
            return timed
        now = self.clock.now()
        units = [item.units if segments else 1 for item, _ in timed]
        with self.uow() as uow:
            grant = dispatch.take(uow, key, limits, units, now)
            why = f"paced: {who} at {limits.per_second or '-'}/s, {limits.per_day or '-'}/day"
            for index, due in grant.later.items():
                c = timed[index][0].claimed
                self._unsent.pop(c.id, None)
                self.stats.paced += outbox.not_sent(uow, c.id, c.token, due, why, now)
        return [(timed[i][0], _later(timed[i][1], grant.at.get(i))) for i in grant.now]


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    """The later of two moments, either of which may be unset."""
    return max(a, b) if a is not None and b is not None else a or b
