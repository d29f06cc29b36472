"""Outbound webhooks: events delivered to the business's endpoints, signed the Standard Webhooks way,
retried with growing waits, and every attempt visible."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from aiohttp import web
from sqlalchemy import select

from herald import tracking
from herald.errors import Invalid, NotFound
from herald.events import EventIn, record_events
from herald.providers import Report
from herald.sandbox.serving import serving
from herald.tracking.models import WebhookDelivery
from herald.types import Channel
from tests.cli.test_cli import as_json, herald
from tests.scenario import contact_id, setup

SITA = "+9779841234567"


class Endpoint:
    """The business's endpoint: checks each signature, answers as told."""

    def __init__(self, answers: list[int]) -> None:
        self.answers, self.got, self.secret = answers, [], ""

    async def handle(self, request: web.Request) -> web.Response:
        body, h = await request.read(), request.headers
        key = base64.b64decode(self.secret.removeprefix("whsec_"))
        signed = f"{h['webhook-id']}.{h['webhook-timestamp']}.".encode() + body
        expected = "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
        assert (
            hmac.compare_digest(expected, h["webhook-signature"])
            and abs(time.time() - int(h["webhook-timestamp"])) < 60
        )
        self.got.append((h["webhook-id"], json.loads(body)))
        return web.json_response({}, status=self.answers.pop(0) if self.answers else 200)


@pytest.fixture
def endpoint():
    found = Endpoint([])
    with serving(lambda app: app.router.add_post("/hook", found.handle)) as url:
        found.url = f"{url}/hook"
        yield found


def stop(container) -> None:
    with container.uow() as uow:
        reports = [Report("inbound", None, sender=SITA, text="STOP", event="m1")]
        tracking.record_inbound(uow, "gateway", Channel.SMS, reports, container.replies, container.clock.now())


def test_an_event_a_webhook_wants_is_delivered_signed(container, tmp_path, endpoint):
    setup(container, tmp_path)
    with container.uow() as uow:
        made = tracking.add_webhook(uow, endpoint.url, ["message.opted_out"], container.clock.now())
        endpoint.secret = made.secret
    stop(container)  # message.replied and message.opted_out: only the second is wanted
    stats = asyncio.run(container.worker().run(until_idle=True))
    ((wid, body),) = endpoint.got
    assert stats.webhooks == 1 and wid.startswith("msg_")
    assert (body["type"], body["data"]["contact_id"]) == ("message.opted_out", contact_id(container, SITA))
    assert body["data"]["properties"]["text"] == "STOP"
    with container.uow() as uow:
        (delivery,) = uow.session.scalars(select(WebhookDelivery)).all()
        assert (delivery.status, delivery.attempts, delivery.last_status) == ("delivered", 1, 200)


def test_a_failing_endpoint_is_tried_again_later_and_then_given_up(container, tmp_path, endpoint, clock):
    setup(container, tmp_path)
    sita = contact_id(container, SITA)
    with container.uow() as uow:
        endpoint.secret = tracking.add_webhook(uow, endpoint.url, ["*"], clock.now()).secret
        record_events(
            uow,
            [EventIn("purchase", clock.now(), sita, event_id="p1")],
            clock.now(),
            after=container.after_events,
        )
    endpoint.answers = [500] * 10
    asyncio.run(container.worker().run(until_idle=True))
    with container.uow() as uow:
        (delivery,) = uow.session.scalars(select(WebhookDelivery)).all()
        assert (delivery.status, delivery.attempts, delivery.last_error) == ("pending", 1, "the endpoint answered 500")
        assert delivery.next_at == clock.now() + timedelta(minutes=1)
    for _ in range(9):
        clock.advance(hours=6)
        asyncio.run(container.worker().run(until_idle=True))
    with container.uow() as uow:
        (delivery,) = uow.session.scalars(select(WebhookDelivery)).all()
        assert (delivery.status, delivery.attempts) == ("failed", 10)
    assert len(endpoint.got) == 10 and {wid for wid, _ in endpoint.got} == {f"msg_{delivery.id}"}  # the same id


def test_an_endpoint_that_does_not_answer_is_said_so(container, tmp_path, clock):
    setup(container, tmp_path)
    with container.uow() as uow:
        tracking.add_webhook(uow, "http://127.0.0.1:9/nothing-listens", ["*"], clock.now())
    stop(container)
    asyncio.run(container.worker().run(until_idle=True))
    with container.uow() as uow:
        errors = {d.last_error for d in uow.session.scalars(select(WebhookDelivery))}
    assert errors == {"no answer: ClientConnectorError"}


@pytest.mark.parametrize(
    ("url", "events", "where"),
    [
        ("ftp://x.example", ["*"], "url"),
        ("https://x.example", [" "], "events"),
        ("https://x.example", ["Bad Type"], "events"),
    ],
)
def test_a_subscription_that_cannot_work_is_refused(container, url, events, where, clock):
    with container.uow() as uow, pytest.raises(Invalid) as refused:
        tracking.add_webhook(uow, url, events, clock.now())
    assert refused.value.where == where


def test_webhooks_from_the_command_line(capsys, container, db_url):
    made = as_json(
        capsys, "--db", db_url, "webhooks", "add", "https://crm.example/hook", "--events", "message.clicked,*", "--json"
    )
    assert made["secret"].startswith("whsec_") and made["events"] == ["*", "message.clicked"]
    (listed,) = as_json(capsys, "--db", db_url, "webhooks", "list", "--json")
    assert "secret" not in listed  # shown once, at creation
    assert as_json(capsys, "--db", db_url, "webhooks", "deliveries", "--json") == []
    herald(capsys, "--db", db_url, "webhooks", "remove", str(made["id"]))
    herald(capsys, "--db", db_url, "webhooks", "remove", str(made["id"]), code=3)
    with container.uow() as uow, pytest.raises(NotFound):
        tracking.remove_webhook(uow, made["id"])
