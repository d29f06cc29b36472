"""The worker's beat, between its batches: the scheduler's work (campaign runs started, rollouts judged,
campaigns completed, by one worker at a time), alert rules judged once a minute, receipts kept by callbacks
applied, scores recomputed daily, campaigns' tallies folded, vendors asked about messages left unknown,
and expired leases reconciled. A base of `Worker`, which sets these."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from herald import campaigns, outbox, scores, tracking
from herald.clock import Clock
from herald.db import UnitOfWork, locks
from herald.dispatch.worker.stats import WorkerStats
from herald.providers import Provider, Unsettled

log = logging.getLogger("herald.worker")
# How long a message stays unknown before its vendor's records are asked: they may lag the request a little.
SETTLE_AFTER = timedelta(minutes=5)
# Only messages left unknown within the last day are asked about: an older one, resent, would arrive long
# after it was meant to (and vendors keep searchable records for a limited time); those wait for a person.
SETTLE_WITHIN = timedelta(days=1)
SETTLE_EVERY = timedelta(minutes=1)  # an idle worker asks at most this often
WATCH_EVERY = timedelta(minutes=1)  # how often alert rules are judged
QUEUED_PAGE = 1000  # queued receipts applied in one transaction
Fold = Callable[[Callable[[], UnitOfWork], datetime, Callable[[], bool]], list[str]]


class Beat:
    """The worker's work between batches."""

    uow: Callable[[], UnitOfWork]
    clock: Clock
    stats: WorkerStats
    providers: Mapping[str, Provider]
    scores_every: timedelta | None
    clusters: int
    watch: Callable[[UnitOfWork, datetime], list[str]] | None
    tallies: Fold | None
    _stopping: threading.Event
    _watched_at: datetime | None
    _settled_at: datetime | None

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
