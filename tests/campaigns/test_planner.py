"""Planning on SQLite and PostgreSQL: one row per recipient with its decision and trail, never twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from herald.campaigns import service as campaigns
from herald.campaigns.planning import planner
from herald.errors import Conflict, Invalid, NotFound
from herald.outbox.models import Message
from tests.conftest import NOW
from tests.scenario import contact_id, plan, setup


def messages(container, campaign_id: int) -> dict[int, Message]:
    with container.uow() as uow:
        return {m.contact_id: m for m in uow.session.scalars(select(Message).where(Message.campaign_id == campaign_id))}


def test_every_recipient_gets_a_decision_and_a_trail(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    stats = plan(container, cid)
    assert stats.as_dict() == {
        "audience": 6,
        "new": 6,
        "already_planned": 0,
        "send_now": 2,
        "deferred": 2,
        "skipped": 2,
        "skipped_by": {"consent": 2},
        "by_channel": {"sms": 4},
        "by_variant": {"A": 6},
        "held_for_rollout": 0,
        "held_for_test": 0,
    }
    rows = messages(container, cid)
    sita = rows[contact_id(container, "+9779841234567")]
    assert (sita.status, sita.planned_action, sita.channel, sita.address, sita.due_at) == (
        "queued",
        "send",
        "sms",
        "+9779841234567",
        NOW,
    )
    assert [o["rule"] for o in sita.trail] == [
        "consent",
        "suppression",
        "line_type",
        "frequency_cap",
        "quiet_hours",
        "whatsapp_window",
    ]
    wei = rows[contact_id(container, "+8613800138000")]
    assert (wei.planned_action, wei.due_at.isoformat()) == ("defer", "2026-03-11T00:00:00+00:00")  # 08:00 Shanghai
    gita = rows[contact_id(container, "+9779861234567")]
    assert (gita.status, gita.reason, gita.channel) == ("skipped", "consent", None)
    assert "withdrawn" in gita.trail[0]["detail"]


def test_starting_a_started_campaign_changes_nothing(container, tmp_path, write_csv) -> None:
    cid = setup(container, tmp_path)
    plan(container, cid)
    from herald.contacts.importing import importer

    with container.uow() as uow:  # someone joins the segment after the start
        importer.import_file(
            uow,
            write_csv("phone,consent_sms\n+9779841111111,yes\n", "new.csv"),
            NOW,
            erasure_key=container.settings.secret_key,
        )
    assert plan(container, cid) is None
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Message)) == 6


def stored(container) -> int:
    with container.uow() as uow:
        return uow.session.scalar(select(func.count()).select_from(Message))


def newcomers(container, cid, write):
    with container.uow(dry_run=not write) as uow:
        return campaigns.plan_newcomers(uow, cid, NOW, write=write)


def test_newcomers_are_counted_first_and_queued_when_confirmed(container, tmp_path, write_csv) -> None:
    cid = setup(container, tmp_path)
    with pytest.raises(Conflict, match="is draft: it cannot add-newcomers"):
        newcomers(container, cid, True)
    plan(container, cid)
    assert (newcomers(container, cid, True).new, stored(container)) == (0, 6)
    from herald.contacts.importing import importer

    with container.uow() as uow:
        importer.import_file(
            uow,
            write_csv("phone,consent_sms\n+9779841111111,yes\n+9779841111112,no\n", "new.csv"),
            NOW,
            erasure_key=container.settings.secret_key,
        )
    counted = newcomers(container, cid, False)
    assert (counted.new, counted.already_planned, counted.audience) == (2, 6, 8)
    assert counted.skipped_by == {"consent": 1} and stored(container) == 6  # only counted
    queued = newcomers(container, cid, True)
    assert queued.as_dict() == {**counted.as_dict()} and stored(container) == 8


def test_newcomers_counts_cover_every_batch(container, tmp_path, write_csv, monkeypatch) -> None:
    """Counts of a batch that mixes planned and new contacts were once left out of the summary."""
    monkeypatch.setattr(planner, "BATCH", 4)
    cid = setup(container, tmp_path)
    plan(container, cid)
    from herald.contacts.importing import importer

    with container.uow() as uow:
        importer.import_file(
            uow,
            write_csv("phone,consent_sms\n+9779841111111,yes\n", "new.csv"),
            NOW,
            erasure_key=container.settings.secret_key,
        )
    again = newcomers(container, cid, True)
    assert (again.new, again.already_planned, again.audience) == (1, 6, 7)
    assert sum(again.actions.values()) == 1


def test_an_empty_segment_cannot_be_planned(container, tmp_path) -> None:
    cid = setup(container, tmp_path, segment="tag:vip")
    with pytest.raises(Invalid, match="matches no contacts"):
        plan(container, cid)
    with container.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Message)) == 0
        assert campaigns.get_campaign(uow, cid).status == "draft"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"segment": "tag:ghost"}, Invalid, "unknown tag"),
        ({"segment": "region:"}, Invalid, "needs a value"),
        ({"template": "nope"}, NotFound, "template 'nope'"),
        ({"preset": "mars"}, Invalid, "unknown preset"),
        ({"overrides": {"quiet_hours": {"start": "9pm"}}}, Invalid, "start: expected HH:MM"),
        ({"name": "Sale"}, Conflict, "already exists"),
        ({"name": " "}, Invalid, "a name is required"),
    ],
)
def test_bad_campaigns_are_refused(container, tmp_path, kwargs, error, message) -> None:
    setup(container, tmp_path)
    args = {"name": "Other", "segment": "all", "template": "sale", **kwargs}
    with container.uow() as uow, pytest.raises(error, match=message):
        campaigns.create_campaign(uow, args.pop("name"), args.pop("segment"), args.pop("template"), NOW, **args)


def test_policy_overrides_change_decisions(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        cid = campaigns.create_campaign(
            uow, "Night owls", "has:phone", "sale", NOW, overrides={"quiet_hours": {"enabled": False}}
        ).id
    assert plan(container, cid).actions["defer"] == 0
