"""Surveys: a version that asks a question reads the replies to it as answers, and the campaign's report
says its NPS, average satisfaction or share of yes."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from herald import tracking
from herald.analytics import campaign_report
from herald.campaigns import Campaign
from herald.campaigns import service as campaigns
from herald.content import service as content
from herald.errors import Invalid
from herald.providers import Report
from herald.sandbox.gateway import FakeGateway, running
from herald.tracking.models import InboundMessage
from herald.types import Channel
from tests.conftest import NOW
from tests.dispatch.gateway import through_gateway
from tests.scenario import plan, publish, setup

SITA, JOHANNES, WANG = "+9779841234567", "+264811234567", "+8613800138000"


def asked(db_url, tmp_path, clock, survey: str | None):
    """The scenario's audience sent a question (or not) through a gateway."""
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url)
        setup(container, tmp_path)
        data = {"body": "How likely are you to recommend us, 0-10? 回T退订"} | ({"survey": survey} if survey else {})
        with container.uow() as uow:
            publish(uow, "ask", Channel.SMS, data)
            cid = campaigns.create_campaign(uow, "Ask", "has:phone", "ask", NOW).id
        plan(container, cid)
        asyncio.run(container.worker().run(until_idle=True))
    return container


def reply(container, clock, number: str, text: str, event: str) -> str:
    report = Report("inbound", None, sender=number, text=text, event=event, at=clock.now() + timedelta(minutes=5))
    with container.uow() as uow:
        tracking.record_inbound(uow, "gateway", Channel.SMS, [report], container.replies, clock.now())
        return uow.session.scalars(select(InboundMessage.intent).where(InboundMessage.event == event)).one()


def test_answers_to_an_nps_question_make_the_campaigns_nps(db_url, tmp_path, clock):
    container = asked(db_url, tmp_path, clock, "nps")
    assert reply(container, clock, SITA, "9", "a") == "survey"
    assert reply(container, clock, JOHANNES, "十", "b") == "survey"
    assert reply(container, clock, SITA, "三分吧", "c") == "survey"  # (Wang, at night in Shanghai, got none yet)
    assert reply(container, clock, SITA, "STOP", "d") == "stop"  # an opt-out is still one
    with container.uow() as uow:
        report = campaign_report(
            uow.session, uow.session.scalars(select(Campaign).where(Campaign.name == "Ask")).one(), NOW
        )
    assert report["surveys"] == {"nps": {"answers": 3, "nps": 33, "promoters": 2, "detractors": 1}}
    assert report["replies"] == {"survey": 3, "stop": 1}


def test_satisfaction_and_yes_no_are_read_by_their_own_figure(db_url, tmp_path, clock):
    container = asked(db_url, tmp_path, clock, "satisfaction")
    reply(container, clock, SITA, "非常满意", "a")
    reply(container, clock, JOHANNES, "4", "b")
    with container.uow() as uow:
        report = campaign_report(
            uow.session, uow.session.scalars(select(Campaign).where(Campaign.name == "Ask")).one(), NOW
        )
    assert report["surveys"] == {"satisfaction": {"answers": 2, "average": 4.5}}


def test_a_number_is_no_answer_where_no_question_was_asked(db_url, tmp_path, clock):
    container = asked(db_url, tmp_path, clock, None)
    assert reply(container, clock, SITA, "9", "a") == "other"


def test_a_survey_the_classifier_cannot_read_is_refused_at_save_time(container, clock):
    with container.uow() as uow, pytest.raises(Invalid, match="survey"):
        content.create_template(uow, "q", Channel.SMS, {"body": "?", "survey": "stars"}, author="a", now=clock.now())


def test_yes_no_answers_count_their_yes():
    from herald.tracking.clicks.figures import _figure

    assert _figure("yes_no", [1, 0, 1]) == {"answers": 3, "yes": 2, "no": 1}
