"""A WhatsApp message Meta calls undeliverable (131026) is decided again among the campaign's other
channels — consent, quiet hours and the rest applied afresh — instead of failing."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from herald import bootstrap, tracking
from herald.campaigns import service as campaigns
from herald.config import Settings
from herald.contacts import service as people
from herald.content import service as content
from herald.outbox.models import Message
from herald.providers import Report
from herald.sandbox.whatsapp import NUMBER_ID, TOKEN, FakeWhatsApp, running
from herald.types import Channel, ConsentStatus, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, plan, publish, setup

SITA = "+9779841234567"
SALE_WA = {"category": "MARKETING", "body": "Sale today, {{1}}! Reply STOP to opt out.", "params": {"1": "first_name"}}


def built(db_url, tmp_path, clock, whatsapp: FakeWhatsApp) -> bootstrap.Container:
    account = {"kind": "whatsapp_cloud", "phone_number_id": NUMBER_ID, "access_token": "env:WA_TOKEN"}
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        provider_accounts={"wa": {**account, "base_url": whatsapp.url}, "dry": {"kind": "file"}},
        routing={"whatsapp": ["wa"], "sms": ["dry"]},
    )
    return bootstrap.build(settings, clock=clock, environ={"WA_TOKEN": TOKEN})


def campaign(container, tmp_path, chain: list[str]) -> int:
    setup(container, tmp_path)
    with container.uow() as uow:
        sita = contact_id(container, SITA)
        people.set_consent(uow, sita, Channel.WHATSAPP, Purpose.MARKETING, ConsentStatus.GRANTED, "form", "opt-in", NOW)
        publish(uow, "sale_wa", Channel.WHATSAPP, SALE_WA)
        content.apply_meta_status(uow, [{"name": "sale_wa", "language": "en", "status": "APPROVED"}], NOW)
        return campaigns.create_campaign(uow, "Sale WA", "has:email", chain, NOW).id  # Sita alone has e-mail


def sitas(container) -> Message:
    with container.uow() as uow:
        return uow.session.scalars(select(Message).where(Message.contact_id == contact_id(container, SITA))).one()


def test_undeliverable_on_whatsapp_goes_by_sms_where_the_rules_allow(db_url, tmp_path, clock) -> None:
    fake = FakeWhatsApp(faults={SITA.lstrip("+"): "not-on-whatsapp"})
    fake.approved[("sale_wa", "en")] = SALE_WA["body"]
    with running(fake):
        container = built(db_url, tmp_path, clock, fake)
        plan(container, campaign(container, tmp_path, ["sale_wa", "sale"]))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert (stats.fell_back, stats.sent, stats.failed) == (1, 1, 0) and fake.sent == []  # Meta took nothing
    message = sitas(container)
    assert (message.status, message.channel, message.avoid, message.error_code) == ("sent", "sms", "whatsapp", "131026")
    written = [json.loads(line) for line in (tmp_path / "outbox" / "sms.jsonl").read_text().splitlines()]
    assert [w["to"] for w in written] == [SITA] and written[0]["body"].startswith("Hi Sita")


def test_with_no_other_channel_the_message_fails_as_unreachable_keeping_metas_code(db_url, tmp_path, clock) -> None:
    fake = FakeWhatsApp(faults={SITA.lstrip("+"): "not-on-whatsapp"})
    fake.approved[("sale_wa", "en")] = SALE_WA["body"]
    with running(fake):
        container = built(db_url, tmp_path, clock, fake)
        plan(container, campaign(container, tmp_path, ["sale_wa"]))
        stats = asyncio.run(container.worker().run(until_idle=True))
    assert (stats.fell_back, stats.sent, stats.failed) == (1, 0, 1)
    message = sitas(container)
    assert (message.status, message.reason, message.error_code) == ("failed", "unreachable", "131026")


def test_a_whatsapp_failure_reported_later_sends_the_message_by_sms(db_url, tmp_path, clock) -> None:
    fake = FakeWhatsApp()  # Meta takes the message, and reports only later that it could not deliver it
    fake.approved[("sale_wa", "en")] = SALE_WA["body"]
    with running(fake):
        container = built(db_url, tmp_path, clock, fake)
        plan(container, campaign(container, tmp_path, ["sale_wa", "sale"]))
        first = asyncio.run(container.worker().run(until_idle=True))
        sent = sitas(container)
        failed = Report(
            "status",
            sent.provider_message_id,
            "failed",
            reference=sent.id,
            code="131026",
            detail="131026: Message undeliverable",
            event="wamid:failed",
            fallback=True,
        )
        with container.uow() as uow:
            assert dict(tracking.record_receipts(uow, "wa", [failed], clock.now())) == {"fell_back": 1}
        queued = sitas(container)
        assert (queued.status, queued.avoid, queued.error_code, queued.delivery) == (
            "queued",
            "whatsapp",
            "131026",
            None,
        )
        again = asyncio.run(container.worker().run(until_idle=True))
    assert (first.sent, again.sent) == (1, 1) and len(fake.sent) == 1  # WhatsApp was not asked again
    message = sitas(container)
    assert (message.status, message.channel, message.provider) == ("sent", "sms", "dry")
