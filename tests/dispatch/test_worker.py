"""The worker on SQLite and PostgreSQL: sends what is due, re-checks with fresh facts, survives crashes."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from herald.contacts import service as contacts
from herald.outbox import service as outbox
from herald.outbox.models import Message
from herald.providers import Outgoing, Permanent, Retryable, Routing
from herald.types import Channel
from tests.conftest import NOW
from tests.scenario import contact_id, plan, setup


def run(container, **kw):
    return asyncio.run(container.worker().run(until_idle=True, **kw))


def sent_lines(container) -> list[dict]:
    path = container.providers["file"].path_for("sms")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def statuses(container) -> dict[int, str]:
    with container.uow() as uow:
        return dict(uow.session.execute(select(Message.contact_id, Message.status)).all())


def test_it_sends_what_is_due_and_leaves_deferred_messages_waiting(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    stats = run(container)
    assert (stats.sent, stats.claimed) == (2, 2)
    lines = sent_lines(container)
    assert sorted(line["to"] for line in lines) == ["+264811234567", "+9779841234567"]
    sita = next(line for line in lines if line["to"] == "+9779841234567")
    assert sita["body"] == "Hi Sita, sale today. Reply STOP to opt out."
    assert sita["idempotency_key"] == f"campaign:{cid}:contact:{contact_id(container, '+9779841234567')}"
    assert list(statuses(container).values()).count("queued") == 2


def test_deferred_messages_go_out_when_their_time_comes(container, tmp_path, clock) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    run(container)
    clock.set(NOW + timedelta(hours=10))  # 00:00 UTC: 08:00 in Shanghai, 17:00 in Los Angeles
    stats = run(container)
    assert stats.sent == 2
    assert {line["to"] for line in sent_lines(container)[2:]} == {"+14155552671", "+8613800138000"}


def test_a_stop_after_planning_is_honoured_at_send_time(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    with container.uow() as uow:
        contacts.suppress(uow, Channel.SMS, "+9779841234567", "opt-out", NOW)
    stats = run(container)
    assert (stats.sent, stats.skipped) == (1, 1)
    with container.uow() as uow:
        m = uow.session.scalar(select(Message).where(Message.address == "+9779841234567"))
        assert (m.status, m.reason) == ("skipped", "suppression")
        assert "suppressed (opt-out)" in next(o["detail"] for o in m.trail if o["rule"] == "suppression")


def test_frequency_caps_hold_within_one_batch(container, tmp_path) -> None:
    from herald.campaigns import service as campaigns

    cid = setup(container, tmp_path)
    with container.uow() as uow:
        second = campaigns.create_campaign(uow, "Sale 2", "has:phone", "sale", NOW).id
    plan(container, cid)
    plan(container, second)  # both plans see no sends yet; the worker must not send two in a day
    stats = run(container)
    assert stats.sent == 2 and stats.deferred == 2
    assert len(sent_lines(container)) == 2


def test_a_missing_variable_skips_the_recipient_with_the_reason(container, tmp_path) -> None:
    cid = setup(container, tmp_path, template="Hi {{ first_name }}, sale today.")
    with container.uow() as uow:
        from herald.contacts.models import Contact

        uow.session.get(Contact, contact_id(container, "+264811234567")).name = None
    plan(container, cid)
    stats = run(container)
    assert (stats.sent, stats.skipped) == (1, 1)
    with container.uow() as uow:
        m = uow.session.scalar(select(Message).where(Message.address == "+264811234567"))
        assert (m.status, m.reason) == ("skipped", "template")
        assert "missing variable" in m.trail[-1]["detail"]


def test_a_crash_between_inflight_and_result_never_duplicates(container, tmp_path, clock) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    # A worker claims and marks inflight, then dies before the provider answers.
    with container.uow() as uow:
        for c in outbox.claim_batch(uow, 10, NOW, timedelta(minutes=2)):
            outbox.mark_inflight(uow, c.id, c.token, "sms", "+x", "file", NOW)
    # Pretend it had already written one of them before dying.
    asyncio.run(
        container.providers["file"].send(
            [
                Outgoing(
                    0,
                    f"campaign:{cid}:contact:1",
                    "sms",
                    "+9779841234567",
                    "Hi Sita, sale today. Reply STOP to opt out.",
                )
            ]
        )
    )
    clock.set(NOW + timedelta(minutes=3))
    stats = run(container)
    assert stats.reconciled == 2 and stats.sent == 2
    keys = [line["idempotency_key"] for line in sent_lines(container)]
    assert len(keys) == len(set(keys)) == 2


def route_sms(container, provider) -> None:
    """Carry SMS through `provider`, as a [routing] table naming its account would."""
    container.providers["flaky"] = provider
    container.routing = Routing({**container.routing.channels, "sms": ("flaky",)})


class FlakyProvider:
    kind = "flaky"
    deduplicates = False

    def __init__(self, results) -> None:
        self.results, self.calls = list(results), []

    async def send(self, batch: Sequence[Outgoing]):
        self.calls.append([m.to for m in batch])
        return [self.results.pop(0) for _ in batch]

    def verify(self, callback) -> bool:
        return False

    def parse_webhook(self, callback):
        return []


def test_retryable_failures_come_back_and_permanent_ones_stop(container, tmp_path, clock) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    flaky = FlakyProvider([Retryable("429", retry_after=60), Permanent("21211 invalid number"), Retryable("timeout")])
    route_sms(container, flaky)
    stats = run(container)
    assert (stats.retried, stats.failed, stats.sent) == (1, 1, 0)
    clock.set(NOW + timedelta(seconds=61))
    run(container)
    assert len(flaky.calls) == 2
    with container.uow() as uow:
        rows = uow.session.scalars(
            select(Message).where(Message.status.in_(["failed", "queued"]), Message.planned_action == "send")
        ).all()
        assert {(m.status, m.error) for m in rows} == {("failed", "21211 invalid number"), ("queued", "timeout")}


def test_an_address_refused_for_good_again_and_again_is_suppressed_as_invalid(container, tmp_path, clock) -> None:
    from herald.campaigns import service as campaigns
    from herald.contacts.models import Suppression

    cid = setup(container, tmp_path)
    route_sms(container, FlakyProvider([Permanent("21211 invalid number")] * 20))
    plan(container, cid)
    run(container)
    for n in (2, 3):  # the same people, in two more campaigns on later days
        with container.uow() as uow:
            again = campaigns.clone_campaign(uow, cid, f"Sale {n}", NOW).id
        clock.set(NOW + timedelta(days=n))
        plan(container, again, NOW + timedelta(days=n))
        stats = run(container)
    with container.uow() as uow:
        invalid = uow.session.scalars(select(Suppression).where(Suppression.reason == "invalid")).all()
        refused = uow.session.scalars(select(Message).where(Message.reason == "rejected")).all()
    sent_to = {m.address for m in refused}
    assert stats.invalidated == len(sent_to) > 0  # on the third refusal, not before
    assert {(s.channel, s.address) for s in invalid} == {("sms", a) for a in sent_to}
    assert "3 permanent delivery failures; the last: 21211 invalid number" in invalid[0].detail


def test_marking_invalid_can_be_turned_off(container, tmp_path) -> None:
    from herald.contacts.models import Suppression

    cid = setup(container, tmp_path)
    route_sms(container, FlakyProvider([Permanent("21211 invalid number")] * 20))
    plan(container, cid)
    worker = container.worker()
    worker.invalid_after = 1
    asyncio.run(worker.run(until_idle=True))
    assert worker.stats.invalidated == worker.stats.failed > 0
    with container.uow() as uow:
        uow.session.execute(Suppression.__table__.delete())
        uow.session.execute(Message.__table__.update().values(status="queued", reason=None))
    worker.invalid_after = 0
    asyncio.run(worker.run(until_idle=True))
    with container.uow() as uow:
        assert not uow.session.scalars(select(Suppression)).all()


def test_a_stopped_worker_hands_back_what_it_claimed(container, tmp_path, monkeypatch) -> None:
    from herald.dispatch.worker import loop as worker_module

    cid = setup(container, tmp_path)
    plan(container, cid)

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt  # Ctrl-C while the batch is being prepared

    monkeypatch.setattr(worker_module, "prepare", interrupted)
    stopped = container.worker()
    try:
        asyncio.run(stopped.run(until_idle=True))
    except KeyboardInterrupt:
        pass
    assert stopped.stats.handed_back == 2
    with container.uow() as uow:
        rows = uow.session.execute(select(Message.status, Message.lease_token).where(Message.status != "skipped"))
        assert {tuple(r) for r in rows} == {("queued", None)}
    monkeypatch.undo()
    assert run(container).sent == 2  # the next worker sends them at once, not after the lease


def test_an_idle_worker_says_what_waits_on_another_workers_lease(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    with container.uow() as uow:  # a worker that was killed after claiming
        claimed = outbox.claim_batch(uow, 10, NOW, timedelta(seconds=120))
    stats = run(container)
    assert (stats.sent, stats.waiting_on_lease, stats.lease_until) == (0, len(claimed), NOW + timedelta(seconds=120))
    with container.uow() as uow:
        from herald.analytics.reports.queries import campaign_report
        from herald.campaigns.service import get_campaign

        report = campaign_report(uow.session, get_campaign(uow, cid), NOW)
    assert report["waiting_on_lease"]["count"] == 2


def test_sent_messages_record_their_billed_units_for_the_months_volume(container, tmp_path) -> None:
    from herald.outbox import queries

    long_text = "Hi {{ first_name | default('there') }}! " + "Winter sale, every coat half price. " * 5 + "STOP to end"
    cid = setup(container, tmp_path, template=long_text)
    plan(container, cid)
    run(container)
    with container.uow() as uow:
        units = set(uow.session.scalars(select(Message.units).where(Message.status == "sent")))
        volume = queries.units_sent(uow.session, NOW - timedelta(days=1))
    assert units == {2}  # two GSM-7 segments each
    assert sorted(volume) == [("sms", "NA", "file", None, 2), ("sms", "NP", "file", None, 2)]


def test_a_poison_message_fails_alone_and_the_rest_are_sent(container, tmp_path, monkeypatch) -> None:
    from herald.campaigns import sending as prepare_module
    from herald.content.models import TemplateVersion

    cid = setup(container, tmp_path)
    with container.uow() as uow:  # approved before save-time checks existed: it raises when rendered
        version = uow.session.scalar(select(TemplateVersion))
        version.content = {"body": "Hi {{ first_name | truncate(2) }}"}
    plan(container, cid)
    stats = run(container)
    assert (stats.sent, stats.skipped) == (0, 2)
    with container.uow() as uow:
        reasons = set(
            uow.session.scalars(select(Message.reason).where(Message.status == "skipped", Message.reason != "consent"))
        )
        version = uow.session.scalar(select(TemplateVersion))
        version.content = {"body": "Hi {{ first_name | default('there') }}. STOP to end"}
        uow.session.execute(
            Message.__table__.update().where(Message.reason == "template").values(status="queued", reason=None)
        )
    assert reasons == {"template"}
    real = prepare_module.compose

    def explodes_for_sita(channel, content, context, **kw):
        if context.get("first_name") == "Sita":
            raise RuntimeError("a bug in one message")
        return real(channel, content, context, **kw)

    monkeypatch.setattr(prepare_module, "compose", explodes_for_sita)
    stats = run(container)
    assert (stats.sent, stats.failed) == (1, 1)
    with container.uow() as uow:
        failed = uow.session.scalar(select(Message).where(Message.status == "failed"))
    assert (failed.reason, failed.error) == ("internal", "could not be prepared: RuntimeError: a bug in one message")


# Each cap as a policy both campaigns run under: the frequency cap judges the person, the sender's daily
# cap the shared usage (two messages a day, which campaign 1's take).
CAPS = [
    {},
    {
        "frequency_cap": {"enabled": False},
        "sender_capacity": {"daily_cap": {"sms": 2}},
        "quiet_hours": {"enabled": False},
    },
]


@pytest.mark.parametrize("overrides", CAPS, ids=["frequency_cap", "sender_capacity"])
def test_a_cap_holds_when_two_workers_decide_at_once(container, tmp_path, overrides) -> None:
    """Worker A has prepared campaign 1's messages but not committed; worker B, preparing campaign 2's for
    the same people meanwhile, must wait and then see them, not send too."""
    import threading

    from herald.campaigns import service as campaigns
    from herald.campaigns.prepared import BatchCounts
    from herald.campaigns.sending import prepare

    setup(container, tmp_path)
    with container.uow() as uow:
        first = campaigns.create_campaign(uow, "First", "has:phone", "sale", NOW, overrides=overrides).id
        second = campaigns.create_campaign(uow, "Second", "has:phone", "sale", NOW, overrides=overrides).id
    plan(container, first)
    plan(container, second)
    with container.uow() as uow:  # every message due now, as if planned on separate days
        uow.session.execute(Message.__table__.update().where(Message.status == "queued").values(due_at=NOW))
    with container.uow() as uow:
        due_first = uow.session.scalar(
            select(func.count())
            .select_from(Message)
            .where(Message.campaign_id == first, Message.status == "queued", Message.due_at <= NOW)
        )
        claimed = outbox.claim_batch(uow, due_first, NOW, timedelta(seconds=120))
    assert {c.campaign_id for c in claimed} == {first} and len(claimed) >= 2
    worker_b = container.worker()
    done: list = []
    with container.uow() as uow_a:
        ready = prepare(uow_a, claimed, NOW, container.worker().routing, BatchCounts())
        assert len(ready) >= 2
        thread = threading.Thread(target=lambda: done.append(asyncio.run(worker_b.run(until_idle=True))))
        thread.start()
        thread.join(1.5)  # B is held back while A's decisions are not committed
        assert thread.is_alive()
    thread.join(30)
    assert done and done[0].sent == 0 and done[0].deferred >= 2  # B saw A's messages: the cap held


def test_a_message_that_cannot_go_out_within_its_validity_is_dropped_not_sent_late(container, tmp_path, clock) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    route_sms(container, FlakyProvider([Retryable("busy", retry_after=25 * 3600)] * 10))
    stats = run(container)
    assert (stats.retried, stats.failed) == (0, 2)
    with container.uow() as uow:
        failed = uow.session.scalars(select(Message).where(Message.status == "failed")).all()
    assert {m.reason for m in failed} == {"expired"}
    assert all("busy; could not go out before its validity ended at 2026-03-11 14:00 UTC" == m.error for m in failed)


def test_a_message_refused_again_and_again_is_given_up_after_its_attempts(container, tmp_path, clock) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    flaky = FlakyProvider([Retryable("HTTP 503")] * 40)
    route_sms(container, flaky)
    for _ in range(8):
        run(container)
        clock.advance(minutes=9)  # longer than any wait of six tries (8 min at most), inside the evening
    with container.uow() as uow:
        rows = uow.session.scalars(select(Message).where(Message.status.in_(["failed", "queued"]))).all()
        given_up = [m for m in rows if m.status == "failed"]
    assert len(given_up) == 2 and {m.reason for m in given_up} == {"attempts"}
    assert all(m.attempts == 6 and m.expires_at is not None for m in given_up)
    tries = [to for batch in flaky.calls for to in batch]
    assert all(tries.count(m.address) == 6 for m in given_up)  # six tries each, never a seventh
