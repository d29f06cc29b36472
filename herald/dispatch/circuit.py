"""A circuit per provider account: when an account keeps failing, stop sending through it for a while
and let the next account of the route carry its traffic; then try it again with one batch. Pure.

Only faults of the account count (it cannot be reached, it answers 5xx, it gives no answer, it refuses
the credentials); a recipient's own refusal (an invalid number) or a request to slow down does not. A
fatal fault (credentials, balance) opens the circuit at once and for longer, since waiting a minute
fixes nothing there; an operator is told through the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta


@dataclass(frozen=True)
class CircuitPolicy:
    failures: int = 5  # account faults in a row that open the circuit
    open_for: timedelta = timedelta(seconds=60)
    fatal_open_for: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Health:
    account: str
    failures: int = 0  # account faults in a row
    open_until: datetime | None = None  # the circuit is open until then
    reason: str | None = None  # the last fault

    def usable(self, now: datetime) -> bool:
        """Whether messages may go through the account now (closed, or open long enough to try again)."""
        return self.open_until is None or now >= self.open_until

    def state(self, now: datetime) -> str:
        if self.open_until is None:
            return "closed"
        return "open" if now < self.open_until else "trying again"


def after_batch(
    policy: CircuitPolicy,
    health: Health,
    accepted: int,
    faults: int,
    fatal: str | None,
    last: str | None,
    now: datetime,
) -> Health:
    """The account's health once a batch's answers are in: any message accepted closes the circuit; a
    fatal fault opens it for long; enough faults in a row open it for a while."""
    if fatal:
        return Health(health.account, health.failures + faults, now + policy.fatal_open_for, fatal)
    if accepted:
        return Health(health.account)
    if not faults:
        return health
    failures = health.failures + faults
    if failures >= policy.failures:
        return Health(health.account, failures, now + policy.open_for, last)
    return replace(health, failures=failures, reason=last)
