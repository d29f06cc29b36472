"""The worker's own reads find their rows by an index: claiming, preparing, sending and recording a
campaign, and the rounds of its tick (scheduled runs, alerts, waiting receipts), on a ledger of any size
(the database's query plans, asked of every statement it runs). The daily scores and send-time profiles
are whole-population jobs by nature, and are left out."""

from __future__ import annotations

import asyncio

from herald.sandbox.gateway import FakeGateway, running
from tests.dispatch.gateway import through_gateway
from tests.plans import scans
from tests.scenario import plan, setup


def test_a_worker_sending_a_campaign_and_making_its_rounds_reads_no_ledger_whole(db_url, tmp_path, clock) -> None:
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url, public_url="https://go.example")
        plan(container, setup(container, tmp_path))
        worker = container.worker()
        worker.scores_every = None  # (daily, over everyone)
        with scans(container.engine) as found:
            asyncio.run(worker.run(until_idle=True))
            worker.tick()
    assert worker.stats.sent > 1
    assert found == []
