"""What people write in: kept once, classified, and acted on through the owning rooms — a STOP suppresses
and withdraws consent with the reply as its proof, START gives it back, HELP is answered, a complaint
opens a case — and the WhatsApp window opens."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from herald import bootstrap, tracking
from herald.config import Settings
from herald.contacts.models import Consent, ConsentEvent, Contact, Suppression
from herald.events import Event
from herald.outbox.models import Message
from herald.providers import Report
from herald.sandbox.gateway import FakeGateway, running
from herald.tracking.models import ComplaintCase, InboundMessage, Reply
from herald.types import Channel
from tests.dispatch.gateway import through_gateway
from tests.scenario import contact_id, plan, rows, setup

SITA, WANG, STRANGER = "+9779841234567", "+8613800138000", "+14155550199"


def said(text: str, sender: str = SITA, event: str = "m1", **more) -> Report:
    return Report("inbound", None, sender=sender, text=text, event=event, **more)


def hear(container, *reports: Report, channel: Channel = Channel.SMS) -> dict:
    with container.uow() as uow:
        return dict(tracking.record_inbound(uow, "gateway", channel, reports, container.replies, container.clock.now()))


def test_a_stop_suppresses_withdraws_consent_with_the_reply_as_proof_and_counts_once(container, tmp_path):
    setup(container, tmp_path)
    assert hear(container, said("Please stop texting me")) == {"stop": 1}
    assert hear(container, said("Please stop texting me")) == {"repeated": 1}  # the vendor sent it twice
    (entry,) = rows(container, Suppression, Suppression.address == SITA)
    assert (entry.channel, entry.reason) == ("sms", tracking.OPTED_OUT) and "stop texting" in entry.detail
    sita = contact_id(container, SITA)
    (consent,) = rows(container, Consent, Consent.contact_id == sita, Consent.channel == "sms")
    assert consent.status == "revoked" and consent.source == "reply"
    (proof,) = rows(container, ConsentEvent, ConsentEvent.contact_id == sita, ConsentEvent.status == "revoked")
    (reply,) = rows(container, InboundMessage)
    assert (
        proof.evidence.startswith(f"reply {reply.id} from {SITA} on sms")
        and "'Please stop texting me'" in proof.evidence
    )
    assert (reply.intent, reply.contact_id) == ("stop", sita)
    assert "suppressed on sms" in reply.reaction and "marketing consent withdrawn on sms" in reply.reaction
    (answer,) = rows(container, Reply)
    assert (answer.address, answer.status, answer.account) == (SITA, "queued", "gateway")
    assert answer.body.startswith("You are unsubscribed")  # the default preset's confirmation
    kinds = sorted(e.type for e in rows(container, Event, Event.contact_id == sita))
    assert kinds == ["message.opted_out", "message.replied"]


def test_a_second_stop_is_not_confirmed_again(container, tmp_path):
    setup(container, tmp_path)
    hear(container, said("STOP", event="a"), said("退订", event="b"))
    assert len(rows(container, Reply)) == 1 and len(rows(container, InboundMessage)) == 2


def test_a_chinese_opt_out_on_whatsapp_suppresses_whatsapp_and_opens_the_window(container, tmp_path, clock):
    setup(container, tmp_path)
    at = clock.now() - timedelta(minutes=3)
    assert hear(container, said("别再给我发了", sender=WANG, at=at), channel=Channel.WHATSAPP) == {"stop": 1}
    (entry,) = rows(container, Suppression, Suppression.address == WANG)
    assert entry.channel == "whatsapp"
    (wang,) = rows(container, Contact, Contact.phone == WANG)
    assert wang.whatsapp_inbound_at == at
    hear(container, said("hello?", sender=WANG, event="older", at=at - timedelta(hours=1)), channel=Channel.WHATSAPP)
    (wang,) = rows(container, Contact, Contact.phone == WANG)
    assert wang.whatsapp_inbound_at == at  # a message that arrives late never moves the window back


def test_start_lifts_the_opt_out_and_gives_consent_back(container, tmp_path):
    setup(container, tmp_path)
    hear(container, said("STOP", event="a"), said("START", event="b"))
    assert rows(container, Suppression, Suppression.address == SITA) == []
    sita = contact_id(container, SITA)
    (consent,) = rows(container, Consent, Consent.contact_id == sita, Consent.channel == "sms")
    assert consent.status == "granted"
    bodies = [r.body for r in rows(container, Reply)]
    assert bodies[1].startswith("You are subscribed again")
    assert sorted(e.type for e in rows(container, Event, Event.contact_id == sita))[0] == "message.opted_in"


def test_start_never_lifts_a_suppression_it_did_not_make(container, tmp_path, clock):
    setup(container, tmp_path)
    with container.uow() as uow:
        from herald import contacts

        contacts.suppress(uow, Channel.SMS, SITA, "complaint", clock.now())
    hear(container, said("START"))
    (entry,) = rows(container, Suppression, Suppression.address == SITA)
    assert entry.reason == "complaint"


def test_help_is_answered_with_the_configured_text(db_url, tmp_path, clock):
    settings = Settings(
        env="test", database_url=db_url, outbox_dir=str(tmp_path / "o"), help_reply="Shop: call 400-800"
    )
    container = bootstrap.build(settings, clock=clock)
    setup(container, tmp_path)
    assert hear(container, said("help")) == {"help": 1}
    (answer,) = rows(container, Reply)
    assert answer.body == "Shop: call 400-800"
    assert rows(container, Suppression) == []


def test_a_complaint_opens_a_case_due_in_a_day_and_suppresses(container, tmp_path, clock):
    setup(container, tmp_path)
    assert hear(container, said("你们这是骚扰，我要投诉")) == {"complaint": 1}
    (case,) = rows(container, ComplaintCase)
    assert (case.status, case.source, case.due_at) == ("open", "reply", clock.now() + timedelta(hours=24))
    assert rows(container, Suppression, Suppression.address == SITA)[0].reason == tracking.OPTED_OUT
    (reply,) = rows(container, InboundMessage)
    assert f"complaint case {case.id} opened" in reply.reaction


def test_a_stop_from_a_number_no_contact_has_still_suppresses_it(container, tmp_path):
    setup(container, tmp_path)
    assert hear(container, said("STOP", sender=STRANGER)) == {"stop": 1}
    (reply,) = rows(container, InboundMessage)
    assert reply.contact_id is None
    assert rows(container, Suppression, Suppression.address == STRANGER)[0].reason == tracking.OPTED_OUT
    assert rows(container, Event) == []


def test_twilios_own_reading_counts_where_the_classifier_hears_nothing(container, tmp_path):
    setup(container, tmp_path)
    assert hear(container, said("ok", vendor_intent="STOP")) == {"stop": 1}
    (reply,) = rows(container, InboundMessage)
    assert reply.why == "the vendor read it as STOP (OptOutType)"


def test_reports_that_are_not_inbound_messages_are_passed_over(container, tmp_path):
    setup(container, tmp_path)
    assert hear(container, Report("status", "x", "delivered"), Report("inbound", None, sender=None)) == {}


def test_a_reply_is_linked_to_the_message_it_answers(db_url, tmp_path, clock):
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url)
        plan(container, setup(container, tmp_path))
        asyncio.run(container.worker().run(until_idle=True))
    (sent,) = rows(container, Message, Message.address == SITA)
    hear(container, said("what time do you open?", at=clock.now() + timedelta(minutes=5)))
    (reply,) = rows(container, InboundMessage)
    assert (reply.replied_to, reply.intent) == (sent.id, "other")
    named = said("STOP", event="m2", replied_to=sent.provider_message_id)
    hear(container, named)
    assert rows(container, InboundMessage, InboundMessage.event == "m2")[0].replied_to == sent.id


def test_the_worker_sends_the_answers_owed_from_the_number_they_wrote_to(db_url, tmp_path, clock):
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url)
        setup(container, tmp_path)
        hear(container, said("STOP", to="+15005550006"))
        stats = asyncio.run(container.worker().run(until_idle=True))
        (body,) = gateway.received.values()
    assert stats.answered == 1
    assert (body["to"], body["from"], body["body"][:20]) == (SITA, "+15005550006", "You are unsubscribed")
    (answer,) = rows(container, Reply)
    assert answer.status == "sent" and answer.provider_message_id


def test_an_answer_the_vendor_refuses_is_tried_three_times_then_failed(db_url, tmp_path, clock):
    with running(FakeGateway(faults={SITA: "busy"})) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url)
        setup(container, tmp_path)
        hear(container, said("STOP"))
        for _ in range(3):
            asyncio.run(container.worker().run(until_idle=True))
        assert gateway.received == {}
    (answer,) = rows(container, Reply)
    assert (answer.status, answer.attempts) == ("failed", 3) and answer.error


def test_an_answer_is_taken_by_one_worker_alone_until_it_is_stuck(container, tmp_path, clock):
    setup(container, tmp_path)
    hear(container, said("STOP"))
    with container.uow() as uow:
        first = tracking.answers_due(uow, clock.now())
    with container.uow() as uow:
        second = tracking.answers_due(uow, clock.now() + timedelta(minutes=1))
    assert len(first) == 1 and second == []  # another worker, or another batch, does not send it again
    with container.uow() as uow:
        again = tracking.answers_due(uow, clock.now() + timedelta(minutes=11))  # its worker died sending it
    assert [a.id for a in again] == [first[0].id]


def test_each_reply_keeps_its_sentiment(container, tmp_path):
    setup(container, tmp_path)
    hear(container, said("Thanks, great sale!", event="a"), said("太差了，别再发了", event="b"))
    found = {r.event: (r.sentiment, r.sentiment_score > 0) for r in rows(container, InboundMessage)}
    assert found == {"a": ("positive", True), "b": ("negative", False)}
    replied = [e for e in rows(container, Event, Event.type == "message.replied")]
    assert sorted(e.properties["sentiment"] for e in replied) == ["negative", "positive"]
