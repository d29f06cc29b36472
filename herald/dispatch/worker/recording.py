"""What the worker does with the providers' answers: each message recorded under its lease token — sent,
retried later, failed with the reason, parked unknown, or queued again for its next channel — the address
suppressed when the vendor says so, and the account's circuit counted. The loop is in `worker.py`."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from datetime import datetime

from herald import contacts, outbox
from herald.campaigns import Prepared
from herald.clock import Clock
from herald.db import UnitOfWork
from herald.dispatch import service as dispatch
from herald.dispatch.circuit import CircuitPolicy, Health, after_batch
from herald.dispatch.retry import GiveUp, RetryPolicy, deadline, next_try
from herald.dispatch.worker.stats import WorkerStats
from herald.providers import Accepted, Permanent, Retryable, SendResult, Uncertain
from herald.types import Channel

log = logging.getLogger("herald.worker")
REJECTED = "rejected"  # the failure reason of a message a provider refused for good
OPTED_OUT = object()  # the "answer" for a message an opt-out stopped before it was given to its provider


class RecordsResults:
    """The worker's recording half (a base of `Worker`, which sets these)."""

    uow: Callable[[], UnitOfWork]
    clock: Clock
    stats: WorkerStats
    retry: RetryPolicy
    circuit: CircuitPolicy
    invalid_after: int
    _health: dict[str, Health]

    def _judge_account(self, name: str, results: list[SendResult | object]) -> None:
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
        with self.uow() as uow:  # counted from what every worker recorded last, not this worker's snapshot
            before = dispatch.health_of(uow.session).get(name, Health(name))
            after = after_batch(self.circuit, before, accepted, len(faults), fatal, last, now)
            if after != before:
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
                elif result is OPTED_OUT:
                    self.stats.opted_out += 1  # the opt-out's own unit of work recorded it as skipped
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
