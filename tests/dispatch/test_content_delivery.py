"""What recipients receive: their locale's approved version, their coupon, escaped email, WhatsApp templates."""

from __future__ import annotations

import asyncio
import json

import pytest
from sqlalchemy import select

from herald.campaigns import service as campaigns
from herald.campaigns.checks.preflight import preflight
from herald.contacts.models import Contact
from herald.content import service as content
from herald.errors import Conflict
from herald.outbox.models import Message
from herald.types import Channel, Purpose
from tests.conftest import NOW
from tests.scenario import contact_id, plan, publish, setup

SITA, JOHANNES = "+9779841234567", "+264811234567"


def run(container):
    return asyncio.run(container.worker().run(until_idle=True))


def lines(container, channel: str) -> dict[str, dict]:
    path = container.providers["file"].path_for(channel)
    return {r["to"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines())}


def set_attr(container, phone: str, **attrs) -> None:
    with container.uow() as uow:
        contact = uow.session.scalar(select(Contact).where(Contact.phone == phone))
        contact.attributes = {**(contact.attributes or {}), **attrs}


def test_each_contact_reads_the_approved_version_in_their_locale(container, tmp_path) -> None:
    cid = setup(container, tmp_path)
    with container.uow() as uow:
        template = content.get_template(uow, "sale")
        ne = content.add_version(
            uow, template, {"body": "नमस्ते {{ first_name }}, STOP"}, locale="ne", variant="A", author="writer", now=NOW
        )
        content.review(uow, ne, "submit", actor="writer", now=NOW)
        content.review(uow, ne, "approve", actor="reviewer", now=NOW)
        draft = content.add_version(
            uow, template, {"body": "Draft words STOP"}, locale="af", variant="A", author="writer", now=NOW
        )
        assert draft.status == "draft"
    set_attr(container, SITA, locale="ne-NP")
    set_attr(container, JOHANNES, language="af")  # only a draft in Afrikaans: the default locale goes out
    plan(container, cid)
    assert run(container).sent == 2
    sent = lines(container, "sms")
    assert sent[SITA]["body"] == "नमस्ते Sita, STOP"
    assert sent[JOHANNES]["body"] == "Hi Johannes, sale today. Reply STOP to opt out."


def test_coupons_are_handed_out_once_and_an_empty_pool_skips_with_the_reason(container, tmp_path) -> None:
    cid = setup(container, tmp_path, template="Your code {{ coupon.spring }}. Reply STOP")
    with container.uow() as uow:
        content.add_coupons(uow, "spring", ["SPR-1"])
    plan(container, cid)
    stats = run(container)
    assert (stats.sent, stats.skipped) == (1, 1)
    assert [r["body"] for r in lines(container, "sms").values()] == ["Your code SPR-1. Reply STOP"]
    with container.uow() as uow:
        skipped = uow.session.scalar(
            select(Message).where(
                Message.status == "skipped",
                Message.contact_id.in_([contact_id(container, SITA), contact_id(container, JOHANNES)]),
            )
        )
        assert skipped.trail[-1]["detail"] == "coupon pool spring has no codes left"


def test_email_values_are_escaped_and_a_text_part_is_made(container, tmp_path) -> None:
    setup(container, tmp_path)
    set_attr(container, SITA, city="<Pokhara & Co>")
    with container.uow() as uow:
        publish(
            uow,
            "receipt",
            Channel.EMAIL,
            {"subject": "Receipt for {{ first_name }}", "html": "<p>Hi {{ first_name }} in {{ attr.city }}</p>"},
            purpose=Purpose.TRANSACTIONAL,
        )
        cid = campaigns.create_campaign(uow, "Receipt", "has:email", "receipt", NOW, purpose=Purpose.TRANSACTIONAL).id
    plan(container, cid)
    assert run(container).sent == 1
    mail = lines(container, "email")["sita@example.com"]
    assert mail["subject"] == "Receipt for Sita"
    assert mail["html"] == "<p>Hi Sita in &lt;Pokhara &amp; Co&gt;</p>"
    assert mail["body"] == "Hi Sita in <Pokhara & Co>"


def test_whatsapp_templates_go_out_as_meta_template_sends(container, tmp_path) -> None:
    setup(container, tmp_path)
    set_attr(container, SITA, order="A-17")
    with container.uow() as uow:
        publish(
            uow,
            "order_update",
            Channel.WHATSAPP,
            {
                "category": "UTILITY",
                "body": "Hi {{1}}, order {{2}} shipped.",
                "params": {"1": "first_name", "2": "attr.order"},
            },
            purpose=Purpose.TRANSACTIONAL,
        )
        cid = campaigns.create_campaign(
            uow, "Orders", "has:phone", "order_update", NOW, purpose=Purpose.TRANSACTIONAL
        ).id
        content.apply_meta_status(uow, [{"status": "APPROVED", "name": "order_update", "language": "en"}], NOW)
    plan(container, cid)
    stats = run(container)
    sent = lines(container, "whatsapp")
    assert sent[SITA]["body"] == "Hi Sita, order A-17 shipped."
    assert sent[SITA]["payload"]["template"]["name"] == "order_update"
    assert sent[SITA]["payload"]["template"]["components"][0]["parameters"][1] == {"type": "text", "text": "A-17"}
    assert stats.skipped >= 1  # others have no order: skipped with the reason, not sent a broken message
    with container.uow() as uow:
        reasons = {
            m.trail[-1]["detail"]
            for m in uow.session.scalars(
                select(Message).where(Message.status == "skipped", Message.reason == "template")
            )
        }
    assert any("missing variable" in r and "order" in r for r in reasons)


def test_whatsapp_templates_meta_has_not_approved_do_not_go_outside_the_window(container, tmp_path) -> None:
    setup(container, tmp_path)
    with container.uow() as uow:
        publish(
            uow,
            "order_update",
            Channel.WHATSAPP,
            {"category": "UTILITY", "body": "Order {{1}} shipped.", "params": {"1": "name"}},
            purpose=Purpose.TRANSACTIONAL,
        )
        cid = campaigns.create_campaign(
            uow, "Orders", "has:phone", "order_update", NOW, purpose=Purpose.TRANSACTIONAL
        ).id
    with pytest.raises(
        Conflict,
        match=r"not started: nobody .* \(skipped: whatsapp_window 6\) — Meta has not "
        r"approved the WhatsApp template.*start once its Meta status is APPROVED",
    ):
        plan(container, cid)
    with container.uow() as uow:
        assert campaigns.get_campaign(uow, cid).status == "draft"  # to be started once Meta approves
        assert uow.session.scalar(select(Message).where(Message.campaign_id == cid)) is None
        report = preflight(uow, cid, NOW, container.lint_profile(uow), container.prices())
    assert any("Meta has not approved" in b for b in report["blocking"])
    assert "this one is not submitted" in report["samples"]["skip:whatsapp_window"][0]["trail"][-1]["detail"]
