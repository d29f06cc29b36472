"""A campaign's tally, on SQLite and PostgreSQL: folded by the worker's pass, it gives the figures grouped
straight from the ledger — after receipts, clicks, conversions and contacts' changes, whether or not a
pass has folded them in yet — and a pass reads only what changed since the last."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from herald import analytics, tracking
from herald.analytics.models import Tallied, TallyGroup, TallyMark
from herald.analytics.reports.funnel import grouped, results
from herald.analytics.tallies import changes, folding, reading
from herald.campaigns.models import Campaign
from herald.contacts import Contact
from herald.dispatch.worker import beat as dispatch_worker
from herald.outbox.models import Message
from herald.providers import Report
from herald.sandbox.gateway import FakeGateway, running
from herald.tracking.models import Click, Link
from tests.dispatch.gateway import through_gateway
from tests.plans import scans
from tests.scenario import plan, setup
from tests.tracking.clicks.test_links import IPHONE, TEMPLATE

KEY = b"visitor key"


@pytest.fixture
def sent(db_url, tmp_path, clock):
    """The scenario's campaign sent through a gateway, its links short."""
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url, public_url="https://go.example")
        container.campaign = setup(container, tmp_path, template=TEMPLATE)
        plan(container, container.campaign)
        asyncio.run(container.worker().run(until_idle=True))
    with container.uow() as uow:  # the worker's round folded it: each test starts from no tally
        for table in (Tallied, TallyGroup, TallyMark):
            uow.session.execute(delete(table))
    yield container
    container.close()


def fold(container) -> int:
    return folding.fold(container.uow, container.campaign, container.clock.now())


def kept(container) -> list | None:
    with container.uow() as uow:
        return reading.read(uow.session, container.campaign)


def from_ledger(container) -> list:
    with container.uow() as uow:
        return grouped(uow.session, container.campaign)


def same(container) -> None:
    """The tally's figures are the ledger's, group for group."""
    found = kept(container)
    assert found is not None
    assert sorted(found, key=repr) == sorted(from_ledger(container), key=repr)


def receipts(container, stage: str) -> None:
    with container.uow() as uow:
        ids = uow.session.scalars(select(Message.provider_message_id).where(Message.provider_message_id.is_not(None)))
        reports = [Report("status", v, stage, event=f"{stage}-{v}", price="0.0125", currency="USD") for v in ids]
        tracking.record_receipt_batches(uow, [("gateway", reports)], container.clock.now())


def click(container, agent: str = IPHONE) -> None:
    with container.uow() as uow:
        code = uow.session.scalar(select(Link.code).order_by(Link.id).limit(1))
        tracking.record_visits(uow, [tracking.Visit(code, agent, "203.0.113.9")], KEY, container.clock.now())


def test_until_a_pass_has_ended_the_figures_are_grouped_from_the_ledger(sent) -> None:
    assert kept(sent) is None
    with sent.uow() as uow:
        uow.session.add(TallyMark(campaign_id=sent.campaign, clicks_upto=0, conversions_upto=0))
    assert kept(sent) is None  # a first pass under way


def test_a_folded_tally_gives_the_ledgers_figures_before_and_after_each_change_is_folded(sent) -> None:
    assert fold(sent) == count(sent) > 2  # every message, the first time
    same(sent)
    sent.clock.advance(minutes=1)
    for change in (
        lambda: receipts(sent, "delivered"),
        lambda: receipts(sent, "read"),
        lambda: click(sent),
        lambda: convert(sent),
        lambda: move(sent, "Asia/Tokyo"),
    ):
        change()
        same(sent)  # moved in memory, the pass not yet run
        sent.clock.advance(minutes=1)
        assert fold(sent) > 0
        same(sent)
    funnel = results_of(sent)["funnel"]
    assert (funnel["delivered"], funnel["read"], funnel["clicked"], funnel["converted"]) == (2, 2, 1, 1)


def test_a_pass_folds_only_what_changed_since_the_last(sent) -> None:
    fold(sent)
    sent.clock.advance(minutes=5)
    assert fold(sent) == 0
    click(sent, agent="Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)")  # a preview: nobody clicked
    assert fold(sent) == 0
    click(sent)
    assert fold(sent) == 1
    every = count(sent)
    with sent.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Tallied)) == every


def test_a_change_stamped_before_the_pass_began_is_read_again_by_the_next(sent) -> None:
    fold(sent)
    began = sent.clock.now()
    sent.clock.advance(minutes=1)
    fold(sent)
    with sent.uow() as uow:  # committed late: stamped a moment before the last pass began
        one = uow.session.scalar(select(Message.id).where(Message.status == "sent").limit(1))
        stamp = began + timedelta(seconds=30)
        uow.session.execute(update(Message).where(Message.id == one).values(delivery="read", updated_at=stamp))
    sent.clock.advance(minutes=1)
    assert fold(sent) == 1
    same(sent)


def test_a_click_whose_id_came_before_the_newest_is_read_again_by_the_next_pass(sent) -> None:
    click(sent)
    fold(sent)
    with sent.uow() as uow:  # as if this click's transaction took its id early and committed after the pass
        uow.session.execute(update(Click).values(human=False))
    sent.clock.advance(minutes=1)
    fold(sent)
    with sent.uow() as uow:
        uow.session.execute(update(Click).values(human=True))
    assert fold(sent) == 1
    same(sent)


def test_once_a_day_a_pass_reads_every_message_and_puts_right_a_change_nobody_stamped(sent) -> None:
    sent.clock.advance(minutes=10)  # past the margin a pass reads again
    fold(sent)
    with sent.uow() as uow:
        uow.session.execute(update(Message).where(Message.status == "sent").values(delivery="delivered"))
    sent.clock.advance(hours=1)
    assert fold(sent) == 0
    sent.clock.advance(days=1)
    assert fold(sent) == count(sent, Message.status == "sent") == 2
    same(sent)


def test_when_more_changed_than_is_worth_moving_the_ledger_is_grouped(sent, monkeypatch) -> None:
    fold(sent)
    monkeypatch.setattr(reading, "LEAST", 1)
    receipts(sent, "delivered")
    assert kept(sent) is None
    assert results_of(sent)["funnel"]["delivered"] == 2


def test_a_pass_reads_and_writes_in_small_transactions_and_still_adds_up(sent, monkeypatch) -> None:
    monkeypatch.setattr(changes, "CHUNK", 1)
    receipts(sent, "read")
    click(sent)
    fold(sent)
    same(sent)
    every = count(sent)
    with sent.uow() as uow:
        assert uow.session.scalar(select(func.sum(TallyGroup.messages))) == every


def test_a_whole_pass_reads_the_campaign_a_chunk_at_a_time(sent, monkeypatch) -> None:
    monkeypatch.setattr(changes, "CHUNK", 1)
    pages: list[list[int]] = []

    def paged(session, campaign_id, after=0):
        pages.append(changes.every(session, campaign_id, after))
        return pages[-1]

    monkeypatch.setattr(folding, "every", paged)
    fold(sent)
    same(sent)
    # One id a read, each after the last, and an empty read to end: never the whole campaign held at once.
    assert [len(p) for p in pages] == [1] * count(sent, Message.campaign_id == sent.campaign) + [0]
    assert [p[0] for p in pages[:-1]] == sorted(p[0] for p in pages[:-1])


def test_the_worker_folds_the_campaigns_it_sent_with_its_minutely_round(sent) -> None:
    assert kept(sent) is None
    sent.worker().tick()
    with sent.uow() as uow:
        mark = uow.session.get(TallyMark, sent.campaign)
        assert mark is not None and mark.folded_at == sent.clock.now()
    assert kept(sent) is not None


def test_a_campaign_long_finished_is_no_longer_folded(sent) -> None:
    with sent.uow() as uow:
        uow.session.execute(
            update(Campaign).values(finished_at=sent.clock.now() - folding.KEEP_FOR - timedelta(days=1))
        )
    assert analytics.fold_tallies(sent.uow, sent.clock.now()) == []
    with sent.uow() as uow:
        assert uow.session.get(TallyMark, sent.campaign) is None


def test_a_pass_and_a_read_find_what_changed_by_indexes(sent) -> None:
    fold(sent)
    receipts(sent, "read")
    click(sent)
    sent.clock.advance(minutes=1)
    with scans(sent.engine) as found:
        fold(sent)
        kept(sent)
    assert found == []


def convert(container) -> None:
    with container.uow() as uow:
        message = uow.session.scalar(select(Message).where(Message.status == "sent").order_by(Message.id).limit(1))
        item = tracking.ConversionIn(
            occurred_at=container.clock.now(),
            order_id="A-1",
            amount="129.90",
            currency="NPR",
            contact_id=message.contact_id,
        )
        tracking.record_conversion(uow, item, timedelta(days=7), container.clock.now())


def move(container, zone: str) -> None:
    """Every recipient now lives in another zone (as a contact's change through the contacts room stamps)."""
    with container.uow() as uow:
        uow.session.execute(update(Contact).values(timezone=zone, updated_at=container.clock.now()))


def results_of(container) -> dict:
    with container.uow() as uow:
        return results(uow.session, uow.session.get(Campaign, container.campaign))


def count(container, *where) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Message).where(*where))


def test_a_pass_told_to_stop_leaves_its_mark_where_it_was(sent, monkeypatch) -> None:
    monkeypatch.setattr(changes, "CHUNK", 2)
    chunks = iter([True, False])  # one transaction, then the worker stops
    assert folding.fold(sent.uow, sent.campaign, sent.clock.now(), lambda: next(chunks, False)) == 2
    assert kept(sent) is None  # no pass has ended: results come from the ledger
    with sent.uow() as uow:
        assert uow.session.get(TallyMark, sent.campaign).folded_at is None
    fold(sent)  # the next pass takes it up whole
    same(sent)


def folded_while_running(container, worker) -> bool:
    """Run the worker as `herald worker` does, until its tally can be read (ten seconds at most), then stop
    it: whether a pass ended meanwhile."""

    async def a_while() -> bool:
        task = asyncio.create_task(worker.run(until_idle=False, poll_seconds=0.05))
        try:
            for _ in range(200):
                await asyncio.sleep(0.05)
                if kept(container) is not None:
                    return True
            return False
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    return asyncio.run(a_while())


def test_a_running_worker_folds_beside_its_sending_and_stops_with_it(sent) -> None:
    worker = sent.worker()
    assert folded_while_running(sent, worker)
    assert any("messages folded into its figures" in line for line in worker.stats.events)
    same(sent)


def test_a_pass_that_fails_is_tried_again_and_the_worker_sends_on(sent, monkeypatch, caplog) -> None:
    calls = []

    def failing(make_uow, now, going):
        calls.append(now)
        if len(calls) == 1:
            raise RuntimeError("the database went away")
        return analytics.fold_tallies(make_uow, now, going)

    monkeypatch.setattr(dispatch_worker, "WATCH_EVERY", timedelta(seconds=0.05))
    worker = sent.worker()
    worker.tallies = failing

    assert folded_while_running(sent, worker)
    assert len(calls) >= 2 and "folding campaigns' tallies failed" in caplog.text
    same(sent)
