"""A campaign's life on SQLite and PostgreSQL: states, pause and resume, cancel, clone, schedules, rollout."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update

from herald import outbox
from herald.campaigns import service as campaigns
from herald.contacts import service as contacts
from herald.contacts.models import Contact
from herald.errors import Conflict, Invalid
from herald.outbox.models import Message
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, plan, setup

SITA, JOHANNES, WEI = "+9779841234567", "+264811234567", "+8613800138000"


def run(container):
    return asyncio.run(container.worker().run(until_idle=True))


def messages(container, campaign_id: int) -> list[Message]:
    with container.uow() as uow:
        return list(
            uow.session.scalars(
                select(Message).where(Message.campaign_id == campaign_id).order_by(Message.run, Message.contact_id)
            )
        )


def sent_to(container) -> list[str]:
    path = container.providers["file"].path_for("sms")
    return [json.loads(line)["to"] for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def status(container, cid: int) -> str:
    with container.uow() as uow:
        return campaigns.get_campaign(uow, cid).status


def act(container, action, cid, now=NOW, **kw):
    with container.uow() as uow:
        return action(uow, cid, now, **kw)


def test_pause_holds_everything_and_resume_sends_each_message_once(container, tmp_path, clock) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    assert status(container, cid) == "running"
    assert act(container, campaigns.pause_campaign, cid) == 4  # two due now, two deferred; skips stay skipped
    assert run(container).sent == 0 and status(container, cid) == "paused"
    assert act(container, campaigns.resume_campaign, cid) == 4
    assert run(container).sent == 2
    clock.set(NOW + timedelta(hours=10))
    run(container)
    assert sorted(sent_to(container)) == sorted([SITA, JOHANNES, WEI, "+14155552671"])  # each exactly once
    assert status(container, cid) == "completed"


def test_a_message_claimed_before_a_pause_waits_with_the_rest(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    worker = container.worker()
    with container.uow() as uow:
        from herald.outbox import service as outbox

        claimed = outbox.claim_batch(uow, 10, NOW, timedelta(minutes=2))
    act(container, campaigns.pause_campaign, cid)
    from herald.campaigns.prepared import BatchCounts
    from herald.campaigns.sending import prepare

    counts = BatchCounts()
    with container.uow() as uow:
        assert prepare(uow, claimed, NOW, container.settings.providers, counts) == []
    assert counts.held == 2 and worker.stats.sent == 0
    assert {m.status for m in messages(container, cid) if m.status != "skipped"} == {"held"}


def test_a_message_claimed_before_a_cancel_is_cancelled_too(container, tmp_path) -> None:
    from herald.campaigns.prepared import BatchCounts
    from herald.campaigns.sending import prepare
    from herald.outbox import service as outbox

    cid = setup(container, tmp_path)
    plan(container, cid)
    with container.uow() as uow:
        claimed = outbox.claim_batch(uow, 10, NOW, timedelta(minutes=2))
    act(container, campaigns.cancel_campaign, cid)
    with container.uow() as uow:
        assert prepare(uow, claimed, NOW, container.settings.providers, BatchCounts()) == []
    assert {m.status for m in messages(container, cid)} == {"cancelled", "skipped"}


def test_cancel_stops_for_good(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    assert act(container, campaigns.cancel_campaign, cid) == 4
    assert run(container).sent == 0
    assert {m.status for m in messages(container, cid)} == {"cancelled", "skipped"}
    with pytest.raises(Conflict, match="is cancelled: it cannot resume"):
        act(container, campaigns.resume_campaign, cid)


def test_states_refuse_moves_that_make_no_sense(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    with pytest.raises(Conflict, match="is draft: it cannot pause"):
        act(container, campaigns.pause_campaign, cid)
    act(container, campaigns.cancel_campaign, cid)
    with pytest.raises(Conflict, match="it can: nothing"):
        plan(container, cid)


def test_clone_copies_the_campaign_as_a_draft(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    with container.uow() as uow:
        copy = campaigns.clone_campaign(uow, cid, "Sale again", NOW)
        assert (copy.status, copy.segment, copy.variants, copy.cloned_from) == (
            "draft",
            "has:phone",
            [{"name": "A", "weight": 100, "templates": [["sms", 1]]}],
            cid,
        )
        with pytest.raises(Conflict, match="already exists"):
            campaigns.clone_campaign(uow, cid, "Sale again", NOW)


def test_a_campaign_scheduled_at_a_moment_starts_then(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    later = NOW + timedelta(hours=2)
    act(container, campaigns.schedule_campaign, cid, at=later)
    assert status(container, cid) == "scheduled"
    with container.uow() as uow:
        assert campaigns.tick(uow, NOW) == []
    with container.uow() as uow:
        assert campaigns.tick(uow, later) == ["Sale: run 0 planned for 6 recipients"]
    assert status(container, cid) == "running" and len(messages(container, cid)) == 6


def test_a_recurring_campaign_runs_each_time_with_its_own_audience(container, tmp_path, write_csv) -> None:
    cid = setup(container, tmp_path)
    act(container, campaigns.schedule_campaign, cid, cron="0 10 * * *", zone="Asia/Kathmandu")
    first = datetime(2026, 3, 11, 4, 15, tzinfo=UTC)  # 10:00 in Kathmandu
    with container.uow() as uow:
        assert campaigns.get_campaign(uow, cid).next_run_at == first
        campaigns.tick(uow, first)
    from herald.contacts.importing import importer

    with container.uow() as uow:
        importer.import_file(
            uow,
            write_csv("phone,consent_sms\n+9779841111111,yes\n", "new.csv"),
            NOW,
            erasure_key=container.settings.secret_key,
        )
        campaigns.tick(uow, first + timedelta(days=1))
    rows = messages(container, cid)
    assert [sum(m.run == r for m in rows) for r in (1, 2)] == [6, 7]
    assert any(m.idempotency_key.startswith(f"campaign:{cid}:run:2:") for m in rows)
    with container.uow() as uow:
        assert campaigns.get_campaign(uow, cid).next_run_at == first + timedelta(days=2)
        assert campaigns.tick(uow, first + timedelta(days=1, hours=1)) == []  # nothing due; never completes


def test_a_local_time_campaign_reaches_each_person_at_ten_in_their_zone(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    act(container, campaigns.schedule_campaign, cid, local_time="10:00", on=date(2026, 3, 11))
    with container.uow() as uow:
        campaigns.tick(uow, NOW)
    due = {m.contact_id: m.due_at for m in messages(container, cid) if m.status == "queued"}
    assert due[contact_id(container, SITA)] == datetime(2026, 3, 11, 4, 15, tzinfo=UTC)
    assert due[contact_id(container, WEI)] == datetime(2026, 3, 11, 2, 0, tzinfo=UTC)
    assert due[contact_id(container, "+14155552671")] == datetime(2026, 3, 11, 17, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"cron": "61 * * * *"}, "not a cron expression"),
        ({"cron": "0 10 * *"}, "five fields"),
        ({"cron": "0 10 * * *", "zone": "Mars/Olympus"}, "not a time zone"),
        ({"local_time": "25:00"}, "expected HH:MM"),
        ({"at": NOW - timedelta(minutes=1)}, "in the past"),
        ({}, "exactly one of"),
        ({"at": NOW + timedelta(hours=1), "cron": "0 10 * * *"}, "exactly one of"),
    ],
)
def test_bad_schedules_are_refused(container, tmp_path, kwargs, message) -> None:
    cid = setup(container, tmp_path)
    with pytest.raises(Invalid, match=message):
        act(container, campaigns.schedule_campaign, cid, **kwargs)
    assert status(container, cid) == "draft"


def rollout_campaign(container, tmp_path, **settings) -> int:
    setup(container, tmp_path)
    with container.uow() as uow:
        return campaigns.create_campaign(
            uow,
            "Canary",
            "consent:sms",
            "sale",
            NOW,
            rollout_settings={"canary_percent": 40, "hold_minutes": 60, "min_settled": 1, **settings},
        ).id


def test_a_rollout_sends_the_canary_then_the_rest_when_it_holds(container, tmp_path, clock) -> None:
    cid = rollout_campaign(container, tmp_path)
    stats = plan(container, cid)
    held = [m for m in messages(container, cid) if m.status == "held"]
    assert stats.held_for_rollout == len(held) and 0 < len(held) < 4
    run(container)
    clock.set(NOW + timedelta(hours=12))  # past the hold: the canary held up, so the rest is released
    run(container)
    assert status(container, cid) in ("running", "completed")
    assert not [m for m in messages(container, cid) if m.status == "held"]
    clock.set(NOW + timedelta(hours=24))  # and sent once it is daytime where each recipient is
    run(container)
    assert {m.status for m in messages(container, cid)} <= {"sent", "skipped"}


def test_a_rollout_pauses_when_the_canary_opts_out(container, tmp_path, clock) -> None:
    cid = rollout_campaign(container, tmp_path)
    plan(container, cid)
    run(container)
    with container.uow() as uow:
        for m in uow.session.scalars(select(Message).where(Message.campaign_id == cid, Message.status == "sent")):
            contacts.set_consent(
                uow,
                m.contact_id,
                Channel.SMS,
                Purpose.MARKETING,
                ConsentStatus.REVOKED,
                "keyword",
                "STOP",
                NOW + timedelta(minutes=5),
            )
    clock.set(NOW + timedelta(minutes=61))
    run(container)
    with container.uow() as uow:
        c = campaigns.get_campaign(uow, cid)
        assert c.status == "paused" and "opt-out rate 100.0%" in c.status_reason
    assert all(m.status != "queued" for m in messages(container, cid))


def test_a_rollout_pauses_when_the_vendor_reports_the_canary_undelivered(container, tmp_path, clock) -> None:
    cid = rollout_campaign(container, tmp_path)
    plan(container, cid)
    run(container)
    with container.uow() as uow:
        sent = list(uow.session.scalars(select(Message).where(Message.campaign_id == cid, Message.status == "sent")))
        receipts = [(m.provider, outbox.Receipt("undelivered", NOW, m.id, None, "30003")) for m in sent]
        outbox.apply_receipts(uow, receipts, NOW)
    clock.set(NOW + timedelta(minutes=61))
    run(container)
    with container.uow() as uow:
        c = campaigns.get_campaign(uow, cid)
        assert c.status == "paused" and "failure rate 100.0%" in c.status_reason


def test_a_second_contact_at_a_planned_address_is_skipped(container, tmp_path, write_csv) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    sita = contact_id(container, SITA)
    with container.uow() as uow:  # Sita changes number; a new contact takes over her old one
        uow.session.execute(update(Contact).where(Contact.id == sita).values(phone="+9779841999999"))
    from herald.contacts.importing import importer

    with container.uow() as uow:
        importer.import_file(
            uow,
            write_csv(f"phone,consent_sms\n{SITA},yes\n", "new.csv"),
            NOW,
            erasure_key=container.settings.secret_key,
        )
    with container.uow() as uow:
        assert campaigns.plan_newcomers(uow, cid, NOW, write=True).new == 1
    newcomer = next(m for m in messages(container, cid) if m.contact_id == contact_id(container, SITA))
    assert (newcomer.status, newcomer.reason, newcomer.address) == ("skipped", "dedupe", None)
    assert f"contact {sita} gets this campaign at the same sms address" in newcomer.trail[-1]["detail"]


def test_explain_says_why_a_message_waits_or_was_cancelled(container, tmp_path) -> None:
    from herald.campaigns.explain import describe

    cid = setup(container, tmp_path)
    plan(container, cid)
    act(container, campaigns.pause_campaign, cid)
    sita = next(m for m in messages(container, cid) if m.contact_id == contact_id(container, SITA))
    assert describe(sita, NOW)["text"].startswith("Held on sms: the campaign is paused.")
    act(container, campaigns.cancel_campaign, cid)
    sita = next(m for m in messages(container, cid) if m.contact_id == contact_id(container, SITA))
    assert describe(sita, NOW)["text"].startswith("Not sent: the campaign was cancelled.")


def test_a_scheduled_run_that_cannot_start_pauses_its_campaign_and_the_worker_goes_on(container, tmp_path) -> None:
    cid = setup(container, tmp_path, segment="tag:vip")  # nobody is tagged vip
    later = NOW + timedelta(hours=1)
    act(container, campaigns.schedule_campaign, cid, at=later)
    with container.uow() as uow:
        (event,) = campaigns.tick(uow, later)
    assert "paused — could not start" in event and "matches no contacts" in event
    with container.uow() as uow:
        c = campaigns.get_campaign(uow, cid)
        assert (c.status, c.next_run_at) == ("paused", None) and "matches no contacts" in c.status_reason
    assert messages(container, cid) == []
