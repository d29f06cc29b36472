"""A message Aliyun never answered is settled by asking Aliyun's records (QuerySendDetails by number and
day, matched by OutId): one it took is closed as sent, one it never took is sent again — once."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from herald import bootstrap
from herald.campaigns import service as campaigns
from herald.config import Settings
from herald.outbox.models import Message
from herald.sandbox.aliyun import KEY_ID, SECRET, SIGN, FakeAliyun, running
from herald.types import Channel, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, plan, publish, setup

WANG = "+8613800138000"
PICKUP = {
    "body": "【Herald】{{ first_name }}，您的订单可以取货了",
    "aliyun": {"template_code": "SMS_154950910", "params": {"name": "first_name"}},
}


def built(db_url, tmp_path, clock, aliyun: FakeAliyun) -> bootstrap.Container:
    account = {"kind": "aliyun", "access_key_id": KEY_ID, "access_key_secret": "env:ALIYUN_SECRET", "sign_name": SIGN}
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        provider_accounts={"aliyun": {**account, "endpoint": aliyun.url, "timeout": 0.5}},
        routing={"sms": ["aliyun"]},
    )
    return bootstrap.build(settings, clock=clock, environ={"ALIYUN_SECRET": SECRET})


def wangs(container) -> Message:
    with container.uow() as uow:
        return uow.session.scalars(select(Message).where(Message.contact_id == contact_id(container, WANG))).one()


def scenario(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        publish(uow, "pickup", Channel.SMS, PICKUP, purpose=Purpose.TRANSACTIONAL)
        made = campaigns.create_campaign(uow, "Pickup", "region:CN", "pickup", NOW, purpose=Purpose.TRANSACTIONAL)
    plan(container, made.id)


def test_a_message_aliyun_took_without_answering_is_closed_as_sent(db_url, tmp_path, clock) -> None:
    with running(FakeAliyun(faults={WANG.lstrip("+"): "hang"})) as aliyun:
        container = built(db_url, tmp_path, clock, aliyun)
        scenario(container, tmp_path)
        first = asyncio.run(container.worker().run(until_idle=True))
        assert first.unknown == 1 and wangs(container).status == "unknown"
        clock.advance(minutes=6)
        second = asyncio.run(container.worker().run(until_idle=True))
    message = wangs(container)
    assert second.settled == 1 and (message.status, message.reason) == ("sent", "confirmed_by_vendor")
    assert len(aliyun.sent) == 1 and aliyun.sent[0]["OutId"] == str(message.id)


def test_a_message_aliyun_never_took_is_sent_again_once(db_url, tmp_path, clock) -> None:
    with running(FakeAliyun(faults={WANG.lstrip("+"): "lost"})) as aliyun:
        container = built(db_url, tmp_path, clock, aliyun)
        scenario(container, tmp_path)
        assert asyncio.run(container.worker().run(until_idle=True)).unknown == 1
        clock.advance(minutes=2)  # too soon to ask: Aliyun's records may lag the request
        assert asyncio.run(container.worker().run(until_idle=True)).settled == 0
        aliyun.faults.clear()
        clock.advance(minutes=4)
        again = asyncio.run(container.worker().run(until_idle=True))
    assert (again.settled, again.sent) == (1, 1) and wangs(container).status == "sent"
    assert [p["OutId"] for p in aliyun.sent] == [str(wangs(container).id)]


def test_a_message_unknown_for_more_than_a_day_is_left_for_a_person(db_url, tmp_path, clock) -> None:
    with running(FakeAliyun(faults={WANG.lstrip("+"): "lost"})) as aliyun:
        container = built(db_url, tmp_path, clock, aliyun)
        scenario(container, tmp_path)
        assert asyncio.run(container.worker().run(until_idle=True)).unknown == 1
        aliyun.faults.clear()
        clock.advance(days=1, minutes=1)  # resent now, a promotion would arrive a day late
        later = asyncio.run(container.worker().run(until_idle=True))
    assert (later.settled, later.sent) == (0, 0) and wangs(container).status == "unknown" and aliyun.sent == []
