"""What a worker did in its run, counted for its summary and `--json`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


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
    opted_out: int = 0  # prepared, then stopped by an opt-out that came before they were given to a provider
    answered: int = 0  # answers sent to people who wrote in (STOP and START confirmations, HELP)
    webhooks: int = 0  # events delivered to the business's webhooks
    receipts: int = 0  # receipts read from a provider's own connection (an SMSC's bind) and applied
    paced: int = 0  # held back by an account's rate or daily limit: queued again for their moment
    waiting_on_lease: int = 0  # when idle: messages another worker (or a stopped one) still holds
    lease_until: datetime | None = None  # when the last of those leases runs out
    by_channel: dict[str, int] = field(default_factory=dict)
    events: list[str] = field(default_factory=list)  # what the scheduler did: runs started, rollouts judged

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)

    def plus(self, other: WorkerStats) -> WorkerStats:
        """The two runs' counts together (workers of several workspaces in one process)."""
        summed: dict[str, Any] = {}
        for key, mine in self.__dict__.items():
            theirs = other.__dict__[key]
            if isinstance(mine, int):
                summed[key] = mine + theirs
            elif isinstance(mine, dict):
                summed[key] = {k: mine.get(k, 0) + theirs.get(k, 0) for k in {*mine, *theirs}}
            elif isinstance(mine, list):
                summed[key] = [*mine, *theirs]
            else:
                summed[key] = max((t for t in (mine, theirs) if t is not None), default=None)
        return WorkerStats(**summed)
