"""A prepared batch sent: its messages paced by their senders' and accounts' shared buckets, each group
sent at its moment with every group in flight together, the answers recorded, and what the providers read
on their own connections taken in. A base of `Worker`, which sets these."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from herald import outbox, tracking
from herald.campaigns import BatchCounts, Prepared
from herald.dispatch import service as dispatch
from herald.dispatch.circuit import Health
from herald.dispatch.pacing import Limits
from herald.dispatch.worker.answering import Answers
from herald.dispatch.worker.recording import OPTED_OUT, RecordsResults
from herald.outbox import Claimed
from herald.providers import Retryable, SendResult
from herald.types import Channel

log = logging.getLogger("herald.worker")


@dataclass
class Batch:
    """One batch, claimed and prepared: what is sent, and what the loop counts."""

    claimed: list[Claimed] = field(default_factory=list)
    ready: list[Prepared] = field(default_factory=list)
    counts: BatchCounts = field(default_factory=BatchCounts)
    events: list[str] = field(default_factory=list)  # what the scheduler did before it was claimed
    health: dict[str, Health] = field(default_factory=dict)  # the accounts' circuits as read for it
    taken: bool = False  # counted in by the loop


class Sends(RecordsResults, Answers):
    """The worker's sending half."""

    pacing: Mapping[str, tuple[Limits, bool]]
    sender_limits: dict[tuple[str, str], Limits]
    replies: tracking.ReplyPolicy
    _holding: set[tuple[int, str]]
    _unsent: dict[int, Prepared]

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
