"""What the worker asks of the analytics room once a minute: judge the A/B tests that are due, then the
alert rules (after the tests, so that an alert sees the rest of an audience released)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from herald.analytics.abtests.winners import judge_tests
from herald.analytics.alerting.alerts import watch
from herald.content import PriceTable
from herald.db import UnitOfWork


def review(uow: UnitOfWork, now: datetime, prices: PriceTable | None = None, emails: Sequence[str] = ()) -> list[str]:
    """A/B tests decided and alerts raised now (e-mailed to `emails`), as lines for the worker's log."""
    return [*judge_tests(uow, now), *watch(uow, now, prices, emails)]
