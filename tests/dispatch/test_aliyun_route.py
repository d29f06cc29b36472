"""Mainland China by Aliyun: a version that names its Aliyun template goes through the Aliyun account of the
country's route; one that names none goes by the route's next account, or fails naming why — and lint
says so before the campaign starts."""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from herald import bootstrap, campaigns
from herald.config import Settings
from herald.outbox.models import Message
from herald.sandbox import aliyun, gateway
from tests.scenario import TEMPLATE, contact_id, plan, setup

WANG = "+8613800138000"  # Shanghai: quiet at 22:00 when planned, due the next morning
ALIYUN = {"template_code": "SMS_154950909", "params": {"name": "first_name | default('朋友')", "code": "'WINTER20'"}}


def built(db_url, tmp_path, clock, aliyun_url: str, gateway_url: str, cn: list[str]) -> bootstrap.Container:
    settings = Settings(
        env="test",
        database_url=db_url,
        outbox_dir=str(tmp_path / "outbox"),
        provider_accounts={
            "aliyun-cn": {
                "kind": "aliyun",
                "access_key_id": aliyun.KEY_ID,
                "access_key_secret": "env:ALIYUN_SECRET",
                "sign_name": aliyun.SIGN,
                "endpoint": aliyun_url,
            },
            "gateway": {"kind": "webhook", "url": gateway_url, "secret": "env:GATEWAY_SECRET"},
        },
        routing={"sms": {"default": ["gateway"], "CN": cn}},
    )
    environ = {"ALIYUN_SECRET": aliyun.SECRET, "GATEWAY_SECRET": gateway.SECRET}
    return bootstrap.build(settings, clock=clock, environ=environ)


def send_all(container, clock) -> None:
    asyncio.run(container.worker().run(until_idle=True))
    clock.advance(hours=12)  # Shanghai's morning
    asyncio.run(container.worker().run(until_idle=True))


def wang(container) -> tuple[int, str, str | None, str | None]:
    with container.uow() as uow:
        row = uow.session.execute(
            select(Message.id, Message.status, Message.provider, Message.error).where(
                Message.contact_id == contact_id(container, WANG)
            )
        ).one()
    return row.id, row.status, row.provider, row.error


def test_a_version_naming_its_aliyun_template_goes_through_aliyun(db_url, tmp_path, clock) -> None:
    stand_in, gw = aliyun.FakeAliyun(), gateway.FakeGateway()
    with aliyun.running(stand_in), gateway.running(gw):
        container = built(db_url, tmp_path, clock, stand_in.url, gw.url, ["aliyun-cn", "gateway"])
        campaign = setup(container, tmp_path)
        _name_aliyun_template(container)
        plan(container, campaign)
        send_all(container, clock)
    message_id, status, provider, _ = wang(container)
    assert (status, provider) == ("sent", "aliyun-cn")
    [taken] = stand_in.sent
    assert taken["OutId"] == str(message_id) and taken["TemplateCode"] == "SMS_154950909"
    assert json.loads(taken["TemplateParam"]) == {"name": "王伟", "code": "WINTER20"}
    assert WANG not in [m["to"] for m in gw.received.values()]


def _name_aliyun_template(container) -> None:
    from herald.content.models import TemplateVersion

    with container.uow() as uow:
        version = uow.session.scalars(select(TemplateVersion)).one()
        version.content = {**version.content, "aliyun": ALIYUN}


def test_without_an_aliyun_template_the_route_fails_over_and_lint_warns(db_url, tmp_path, clock) -> None:
    stand_in, gw = aliyun.FakeAliyun(), gateway.FakeGateway()
    with aliyun.running(stand_in), gateway.running(gw):
        container = built(db_url, tmp_path, clock, stand_in.url, gw.url, ["aliyun-cn", "gateway"])
        campaign = setup(container, tmp_path)
        with container.uow() as uow:
            report = campaigns.preflight(uow, campaign, clock.now(), container.lint_profile(uow), container.prices())
        plan(container, campaign)
        send_all(container, clock)
    assert wang(container)[1:3] == ("sent", "gateway") and stand_in.sent == []
    findings = report["templates"]["sale"]["findings"]
    warned = [f for v in findings.values() for f in v if f["code"] == "vendor-template"]
    assert [f["severity"] for f in warned] == ["warning"]
    assert "sms to CN skips aliyun-cn (Aliyun)" in warned[0]["message"]


def test_a_route_of_aliyun_alone_blocks_the_campaign_and_fails_what_it_cannot_carry(db_url, tmp_path, clock) -> None:
    stand_in, gw = aliyun.FakeAliyun(), gateway.FakeGateway()
    with aliyun.running(stand_in), gateway.running(gw):
        container = built(db_url, tmp_path, clock, stand_in.url, gw.url, ["aliyun-cn"])
        campaign = setup(container, tmp_path, template=TEMPLATE)
        with container.uow() as uow:
            blocking = campaigns.preflight(uow, campaign, clock.now(), container.lint_profile(uow), container.prices())[
                "blocking"
            ]
        plan(container, campaign)  # planned all the same (as by an API that skips preflight)
        send_all(container, clock)
    assert any("sms to CN goes only through aliyun-cn (Aliyun)" in b for b in blocking)
    _, status, provider, error = wang(container)
    assert (status, provider) == ("failed", None) and stand_in.sent == []
    assert error == (
        "sms to CN goes only through aliyun-cn, which send only templates their vendor approved, "
        "and template sale names none; see docs/providers.md"
    )
