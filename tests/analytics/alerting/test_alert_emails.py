"""Alerts by e-mail, on SQLite and PostgreSQL: a raised alert is e-mailed to each address of the
`alert_emails` setting through the e-mail route, in Chinese and English; a notice the provider could
not take is tried again with growing waits and given up after a few attempts."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from herald import analytics, bootstrap
from herald.analytics.alerting.notices import ATTEMPTS, notice_failed, notices_due
from herald.analytics.models import AlertNotice
from herald.config import Settings
from herald.errors import Invalid
from tests.analytics.alerting.test_alerts import running, save, went
from tests.conftest import NOW, settings_for

TEAM = "ops@shop.example, li@shop.example"


@pytest.fixture
def told(db_url, tmp_path, clock):
    container = bootstrap.build(settings_for(db_url, tmp_path, alert_emails=TEAM), clock=clock)
    yield container
    container.close()


def raise_one(container, tmp_path) -> int:
    cid = running(container, tmp_path)
    went(container, cid, "failed", 10)
    save(container, "failures", metric="failure_rate", threshold=20, min_volume=5, action="pause_campaign")
    return cid


def mails(container) -> list[dict]:
    path = container.providers["file"].path_for("email")
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    return [json.loads(line) for line in lines]


def test_a_raised_alert_is_emailed_to_the_team_in_chinese_and_english(told, tmp_path) -> None:
    raise_one(told, tmp_path)
    asyncio.run(told.worker().run(until_idle=True))
    sent = mails(told)
    assert sorted(m["to"] for m in sent) == ["li@shop.example", "ops@shop.example"]
    first = sent[0]
    assert first["subject"].startswith("[Herald] 告警 Alert: campaign Sale")
    assert "规则 failures" in first["body"] and "Rule failures (failure_rate)" in first["body"]
    assert "campaign paused" in first["body"] and "herald alerts ack 1" in first["body"]
    with told.uow() as uow:
        (alert,) = analytics.list_alerts(uow)
        emails = analytics.alert_view(alert)["emails"]
    assert [e["status"] for e in emails] == ["sent", "sent"] and all(e["attempts"] == 1 for e in emails)
    asyncio.run(told.worker().run(until_idle=True))
    assert len(mails(told)) == 2  # told once


def test_without_addresses_nobody_is_emailed(container, tmp_path) -> None:
    raise_one(container, tmp_path)
    asyncio.run(container.worker().run(until_idle=True))
    assert mails(container) == []
    with container.uow() as uow:
        assert uow.session.scalars(select(AlertNotice)).all() == []


def test_a_notice_the_provider_could_not_take_is_tried_again_then_given_up(told, tmp_path) -> None:
    raise_one(told, tmp_path)
    with told.uow() as uow:
        analytics.watch(uow, NOW, emails=("ops@shop.example",))
    moment = NOW
    for attempt in range(1, ATTEMPTS + 1):
        with told.uow() as uow:
            (due,) = notices_due(uow, moment)
            assert notices_due(uow, moment) == []  # taken by this worker alone
            notice_failed(uow, due.id, "421 try again later", True, moment)
            row = uow.session.get(AlertNotice, due.id)
            assert row.attempts == attempt
            if attempt < ATTEMPTS:
                assert row.status == "pending" and row.next_at == moment + timedelta(minutes=5) * 2 ** (attempt - 1)
                moment = row.next_at
    with told.uow() as uow:
        assert uow.session.get(AlertNotice, due.id).status == "failed"
        assert notices_due(uow, moment + timedelta(days=1)) == []


def test_a_notice_with_no_email_route_fails_with_the_reason(db_url, tmp_path, clock) -> None:
    no_mail = {"sms": "file", "whatsapp": "file"}
    settings = settings_for(db_url, tmp_path, alert_emails="ops@shop.example", providers=no_mail)
    container = bootstrap.build(settings, clock=clock)
    try:
        raise_one(container, tmp_path)
        asyncio.run(container.worker().run(until_idle=True))
        with container.uow() as uow:
            (row,) = uow.session.scalars(select(AlertNotice)).all()
        assert row.status == "failed" and "no provider account carries email" in row.error
    finally:
        container.close()


@pytest.mark.parametrize("value", ["ops", "ops@shop", "a b@shop.example", "ops@shop.example,@x.example"])
def test_an_address_that_is_not_one_is_refused(value) -> None:
    with pytest.raises(Invalid, match="setting alert_emails: .* is not an e-mail address"):
        Settings(env="test", alert_emails=value)
