"""The worker loop. Each batch takes three short transactions: the first claims due messages; the
second prepares them (the campaigns room decides again with fresh facts, renders, and marks each in
flight); the third records what the providers answered. The providers are called between the second
and the third, outside any transaction, so a slow vendor never holds a database lock."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from herald import campaigns, contacts, outbox, scores
from herald.campaigns import BatchCounts, Prepared, prepare
from herald.clock import Clock
from herald.db import UnitOfWork, locks
from herald.dispatch import service as dispatch
from herald.dispatch.circuit import CircuitPolicy, Health, after_batch
from herald.dispatch.pacing import Limits
from herald.dispatch.retry import GiveUp, RetryPolicy, deadline, next_try
from herald.dispatch.senders import StickySenders
from herald.providers import (
    Accepted,
    Permanent,
    Provider,
    Retryable,
    Routing,
    Sender,
    SendResult,
    Uncertain,
    Unsettled,
)
from herald.types import Channel

log = logging.getLogger("herald.worker")
REJECTED = "rejected"  # the failure reason of a message a provider refused for good
# How long a message stays unknown before its vendor's records are asked: they may lag the request a little.
SETTLE_AFTER = timedelta(minutes=5)
# Only messages left unknown within the last day are asked about: an older one, resent, would arrive long
# after it was meant to (and vendors keep searchable records for a limited time); those wait for a person.
SETTLE_WITHIN = timedelta(days=1)
SETTLE_EVERY = timedelta(minutes=1)  # an idle worker asks at most this often


@dataclass
class WorkerStats:
    batches: int = 0
    claimed: int = 0
    sent: int = 0
    retried: int = 0
    failed: int = 0
    unknown: int = 0  # the provider gave no answer: parked for its receipt or a person, never resent blindly
    skipped: int = 0
    deferred: int = 0
    reconciled: int = 0
    held: int = 0
    invalidated: int = 0  # addresses suppressed as invalid after repeated permanent failures
    handed_back: int = 0  # claimed but not sent when the worker was stopped: queued again at once
    settled: int = 0  # unknown messages settled by asking the vendor's records
    fell_back: int = 0  # a channel could not reach the person: decided again without it
    paced: int = 0  # held back by an account's rate or daily limit: queued again for their moment
    waiting_on_lease: int = 0  # when idle: messages another worker (or a stopped one) still holds
    lease_until: datetime | None = None  # when the last of those leases runs out
    by_channel: dict[str, int] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)  # what the scheduler did: runs started, rollouts judged

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Worker:
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
        self.sender_limits = {
            (account, s.name): Limits(s.rate, s.daily_limit)
            for account, listed in self.senders.items()
            for s in listed
            if s.paced
        }
        self._health: dict[str, Health] = {}  # each account's circuit, as read before the batch
        self.stats = WorkerStats()
        self._holding: list[tuple[int, str]] = []  # (id, lease token) claimed and not yet recorded
        self._settled_at: datetime | None = None  # when vendors' records were last asked about unknown messages

    async def run(
        self, until_idle: bool = True, poll_seconds: float = 1.0, on_batch: Callable[[WorkerStats], None] | None = None
    ) -> WorkerStats:
        """Drain due messages; with `until_idle`, return when nothing is due. Stopped (Ctrl-C, SIGTERM,
        a cancelled task), it hands back what it claimed and had not sent before it goes."""
        try:
            async with AsyncExitStack() as kept:
                await self._keep_sessions(kept)
                await self._drain(until_idle, poll_seconds, on_batch)
            return self.stats
        except BaseException:
            self.hand_back()
            raise

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
        while True:
            handled = await self.run_once()
            if on_batch and handled:
                on_batch(self.stats)
            if not handled:
                if until_idle:
                    self._note_leases()
                    return
                await asyncio.sleep(poll_seconds)
                self._reconcile()
                await self._settle()

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
        """Queue again at once what this worker claimed and has not sent."""
        if not self._holding:
            return 0
        with self.uow() as uow:
            count = outbox.hand_back(uow, self._holding, self.clock.now())
        self._holding = []
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
        redraw clusters, when set) daily."""
        now = self.clock.now()
        with self.uow() as uow:  # one worker at a time; the others leave it to that one
            events = campaigns.tick(uow, now) if locks.claim_job(uow, locks.SCHEDULER) else []
        if self.scores_every:
            with self.uow() as uow:
                if not locks.claim_job(uow, locks.SCORES):  # another worker is recomputing them now
                    return self._log(events)
                last = scores.last_computed(uow)
                if last is None or now - last >= self.scores_every:
                    counts = scores.compute(uow, now)
                    if sum(counts.values()):
                        events.append("scores recomputed: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
                    if self.clusters and sum(counts.values()) >= self.clusters:
                        drawn = scores.cluster(uow, now, self.clusters)
                        events.append("clusters redrawn: " + ", ".join(f"{c['tag']} {c['contacts']}" for c in drawn))
        self._log(events)

    def _log(self, events: list[str]) -> None:
        for event in events:
            log.info("%s", event)
        self.stats.events.extend(events)

    async def run_once(self) -> int:
        """Claim, prepare, send and record one batch; returns how many messages were claimed."""
        self.tick()
        with self.uow() as uow:
            claimed = outbox.claim_batch(uow, self.batch_size, self.clock.now(), self.lease)
        if not claimed:
            return 0
        self._holding = [(c.id, c.token) for c in claimed]
        counts = BatchCounts()
        with self.uow() as uow:
            now = self.clock.now()
            self._health = dispatch.health_of(uow.session)
            paused = frozenset(a for a, h in self._health.items() if not h.usable(now))
            picker = StickySenders(self.senders) if self.senders else None
            ready = prepare(uow, claimed, now, self.routing, counts, paused, picker)
        self.stats.batches += 1
        self.stats.claimed += len(claimed)
        self.stats.skipped += counts.skipped
        self.stats.deferred += counts.deferred
        self.stats.failed += counts.failed
        self.stats.held += counts.held
        await self._send(ready)
        self._holding = []
        return len(claimed)

    async def _send(self, ready: list[Prepared]) -> None:
        by_provider: dict[str, list[Prepared]] = {}
        for item in ready:
            by_provider.setdefault(item.provider, []).append(item)
        for name, waiting in by_provider.items():
            timed = self._paced(name, waiting)
            if not timed:
                continue
            items, results = await self._send_timed(name, timed)
            self._record(items, results)
            self._judge_account(name, results)

    async def _send_timed(
        self, name: str, timed: list[tuple[Prepared, datetime | None]]
    ) -> tuple[list[Prepared], list[SendResult]]:
        """Each group of messages sent at its moment (a paced account's), all groups in flight together."""
        groups: dict[datetime | None, list[Prepared]] = {}
        for item, moment in timed:
            groups.setdefault(moment, []).append(item)

        async def at(moment: datetime | None, group: list[Prepared]) -> list[SendResult]:
            if moment is not None:
                await asyncio.sleep(max(0.0, (moment - self.clock.now()).total_seconds()))
            return await self._call(name, group)

        done = await asyncio.gather(*(at(moment, group) for moment, group in groups.items()))
        return [i for group in groups.values() for i in group], [r for results in done for r in results]

    async def _call(self, name: str, items: list[Prepared]) -> list[SendResult]:
        try:
            return await self.providers[name].send([i.outgoing for i in items])
        except Exception as exc:
            log.exception("provider %s failed a whole batch", name)
            return [Retryable(f"provider error: {type(exc).__name__}", fault=True)] * len(items)

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
                self.stats.paced += outbox.not_sent(uow, c.id, c.token, due, why, now)
        return [(timed[i][0], _later(timed[i][1], grant.at.get(i))) for i in grant.now]

    def _judge_account(self, name: str, results: list[SendResult]) -> None:
        """Count the account's faults in this batch toward its circuit (shared by every worker)."""
        faults = [r for r in results if (isinstance(r, Retryable) and r.fault) or isinstance(r, Uncertain)]
        fatal = next((r.reason for r in results if isinstance(r, Retryable) and r.fatal), None)
        accepted = sum(isinstance(r, Accepted) for r in results)
        before = self._health.get(name, Health(name))
        now = self.clock.now()
        last = faults[-1].reason if faults else None
        after = after_batch(self.circuit, before, accepted, len(faults), fatal, last, now)
        if after == before:
            return
        with self.uow() as uow:
            dispatch.record_health(uow, after, now)
        self._health[name] = after
        if before.usable(now) and not after.usable(now):
            event = f"provider account {name} paused until {after.open_until:%H:%M:%S} UTC: {after.reason}"
            log.warning("%s", event)
            self.stats.events.append(event)

    def _record(self, items: list[Prepared], results: list) -> None:
        now = self.clock.now()
        with self.uow() as uow:
            for item, result in zip(items, results, strict=True):
                c = item.claimed
                if isinstance(result, Accepted):
                    if outbox.mark_sent(uow, c.id, c.token, result.provider_message_id, now):
                        self.stats.sent += 1
                        ch = item.outgoing.channel
                        self.stats.by_channel[ch] = self.stats.by_channel.get(ch, 0) + 1
                elif isinstance(result, Retryable):
                    self._retry(uow, c, result, now)
                elif isinstance(result, Uncertain):
                    self.stats.unknown += outbox.mark_unknown(uow, c.id, c.token, result.reason, now)
                elif isinstance(result, Permanent) and result.fallback:
                    channel = item.outgoing.channel
                    self.stats.fell_back += outbox.fall_back(
                        uow, c.id, c.token, channel, f"{channel} cannot reach them: {result.reason}", result.code, now
                    )
                elif isinstance(result, Permanent):
                    if outbox.mark_failed(uow, c.id, c.token, REJECTED, result.reason, now, result.code):
                        self.stats.failed += 1
                        self._judge_address(uow, item, result, now)
                else:
                    self.stats.failed += outbox.mark_failed(uow, c.id, c.token, "provider", "unknown result", now)

    def _retry(self, uow: UnitOfWork, c: outbox.Claimed, result: Retryable, now: datetime) -> None:
        """Try again later (see `retry`), or give the message up for good with the reason."""
        expires = deadline(self.retry, c.due_at, c.expires_at, now)
        found = next_try(self.retry, c.attempts + 1, expires, now, result.retry_after, random.random())
        if isinstance(found, GiveUp):
            error = f"{result.reason}; {found.detail}"
            self.stats.failed += outbox.mark_failed(uow, c.id, c.token, found.reason, error, now)
        else:
            self.stats.retried += outbox.mark_retry(uow, c.id, c.token, found, result.reason, now, expires_at=expires)

    def _judge_address(self, uow: UnitOfWork, item: Prepared, result: Permanent, now: datetime) -> None:
        """An address the vendor says is opted out is suppressed at once; one the providers keep refusing
        for good is suppressed as invalid."""
        channel, address, reason = item.outgoing.channel, item.outgoing.to, result.reason
        if result.suppress:
            contacts.suppress(uow, Channel(channel), address, result.suppress, now, f"the provider said: {reason}")
            return
        if not self.invalid_after:
            return
        refused = outbox.rejections(uow.session, item.claimed.contact_id, channel, address)
        if refused >= self.invalid_after:
            contacts.suppress(
                uow,
                Channel(channel),
                address,
                "invalid",
                now,
                f"{refused} permanent delivery failures; the last: {reason}",
            )
            self.stats.invalidated += 1


def _later(a: datetime | None, b: datetime | None) -> datetime | None:
    """The later of two moments, either of which may be unset."""
    return max(a, b) if a is not None and b is not None else a or b
