"""An account's rate and daily limit hold across workers: the messages its pace cannot take now go back
to the queue for their moment, not counted as attempts."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from herald.dispatch import buckets
from herald.outbox.models import Message
from herald.sandbox.gateway import FakeGateway, running
from tests.dispatch.gateway import through_gateway
from tests.scenario import plan, setup

paced = through_gateway  # an account with its rate or daily limit


def waiting(container) -> list[tuple[str, datetime, int, str | None]]:
    with container.uow() as uow:
        rows = uow.session.execute(
            select(Message.status, Message.due_at, Message.attempts, Message.error).where(
                Message.status == "queued", Message.error.like("paced%")
            )
        )
        return [tuple(r) for r in rows]


def test_a_rate_lets_one_go_now_and_queues_the_next_for_its_moment(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = paced(db_url, tmp_path, clock, gateway.url, rate=0.5)  # one every two seconds
        plan(container, setup(container, tmp_path))
        first = asyncio.run(container.worker().run(until_idle=True))
        [(status, due, attempts, why)] = waiting(container)
        assert (first.sent, first.paced, attempts) == (1, 1, 0)
        assert (due - clock.now()).total_seconds() == 1.0  # a second before its slot at 2 s, to be sent at it
        assert why == "paced: account gateway at 0.5/s, -/day"
        clock.advance(seconds=2)
        second = asyncio.run(container.worker().run(until_idle=True))
    assert (second.sent, second.paced) == (1, 0) and len(gateway.received) == 2
    with container.uow() as uow:
        assert buckets(uow.session)["account:gateway"].used == 2


def test_a_daily_limit_holds_the_rest_until_the_next_utc_day(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = paced(db_url, tmp_path, clock, gateway.url, daily_limit=1)
        plan(container, setup(container, tmp_path))
        stats = asyncio.run(container.worker().run(until_idle=True))
    [(_, due, attempts, _)] = waiting(container)
    tomorrow = clock.now().date().toordinal() + 1
    assert (stats.sent, stats.paced, attempts) == (1, 1, 0) and len(gateway.received) == 1
    assert due == datetime.fromordinal(tomorrow).replace(tzinfo=UTC)
