"""Conversions: credited to the message that issued the coupon, else to the last click within the
window, else to nothing; each order counted once; revenue per campaign, variant and channel."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from herald import tracking
from herald.analytics import campaign_report
from herald.campaigns import Campaign
from herald.content import service as content
from herald.events import Event, EventIn, record_events
from herald.outbox.models import Message
from herald.sandbox.gateway import FakeGateway, running
from herald.tracking.models import Conversion
from tests.dispatch.gateway import through_gateway
from tests.scenario import contact_id, plan, setup
from tests.web.clients import api_client

PUBLIC = "https://go.shop.example"
SITA, JOHANNES, WANG = "+9779841234567", "+264811234567", "+8613800138000"
IPHONE = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 Version/17.1 Mobile/15E148"
TEMPLATE = "Hi {{ first_name }}, use {{ coupon.winter }} at https://shop.example/sale 回T退订"


@pytest.fixture
def sent(db_url, tmp_path, clock):
    """The scenario's campaign with a coupon and a link, sent through a gateway."""
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url, public_url=PUBLIC)
        with container.uow() as uow:
            content.add_coupons(uow, "winter", [f"WIN-{i:03d}" for i in range(20)])
        plan(container, setup(container, tmp_path, template=TEMPLATE))
        asyncio.run(container.worker().run(until_idle=True))
        bodies = {m["to"]: m["body"] for m in gateway.received.values()}
    return container, api_client(container), bodies


def message_to(container, number: str) -> Message:
    with container.uow() as uow:
        row = uow.session.scalars(select(Message).where(Message.address == number)).one()
        uow.session.expunge(row)
        return row


def coupon_of(body: str) -> str:
    return body.split("use ")[1].split(" ")[0]


def test_a_redeemed_coupon_is_credited_to_the_message_that_issued_it(sent, clock):
    container, client, bodies = sent
    code = coupon_of(bodies[SITA])
    answer = client.post(
        "/api/v1/conversions", json={"coupon": code, "order_id": "A-1", "amount": "129.90", "currency": "cny"}
    )
    found = answer.json()
    sita = message_to(container, SITA)
    assert answer.status_code == 200 and found["new"] is True
    assert (found["attribution"], found["message_id"], found["contact_id"]) == ("coupon", sita.id, sita.contact_id)
    assert (found["amount"], found["currency"], found["channel"]) == ("129.90", "CNY", "sms")
    again = client.post("/api/v1/conversions", json={"order_id": "A-1", "amount": "999", "currency": "CNY"}).json()
    assert again["new"] is False and again["amount"] == "129.90"  # the first report stands
    with container.uow() as uow:
        (event,) = uow.session.scalars(select(Event).where(Event.type == "message.converted")).all()
        assert event.properties["order_id"] == "A-1"


def test_an_order_without_a_coupon_is_credited_to_the_last_click_within_the_window(sent, clock):
    container, client, bodies = sent
    code = bodies[JOHANNES].split(f"{PUBLIC}/l/")[1][:8]
    clock.advance(hours=1)
    client.get(f"/l/{code}", headers={"user-agent": IPHONE}, follow_redirects=False)
    clock.advance(days=2)
    body = {"order_id": "B-7", "amount": "45.5", "currency": "USD", "phone": JOHANNES}
    found = client.post("/api/v1/conversions", json=body).json()
    assert (found["attribution"], found["message_id"]) == ("click", message_to(container, JOHANNES).id)
    clock.advance(days=8)  # past the seven days
    late = client.post("/api/v1/conversions", json=body | {"order_id": "B-8"}).json()
    assert (late["attribution"], late["message_id"], late["campaign_id"]) == ("none", None, None)


def test_revenue_counts_per_campaign_variant_and_channel(sent, clock):
    container, client, bodies = sent
    for i, number in enumerate((SITA, JOHANNES)):
        json = {"coupon": coupon_of(bodies[number]), "amount": "10.05", "currency": "CNY", "order_id": f"O{i}"}
        client.post("/api/v1/conversions", json=json)
    client.post("/api/v1/conversions", json={"order_id": "O9", "amount": "1", "currency": "USD", "phone": WANG})
    with container.uow() as uow:
        report = campaign_report(uow.session, uow.session.scalars(select(Campaign)).one(), clock.now())
    conversions = report["conversions"]
    assert (conversions["count"], conversions["revenue"]) == (2, {"CNY": "20.10"})  # exact, not 20.099999
    assert conversions["by_channel"] == {"sms": {"count": 2, "revenue": {"CNY": "20.10"}}}
    assert sum(v["count"] for v in conversions["by_variant"].values()) == 2


def test_a_purchase_event_naming_an_order_or_coupon_is_a_conversion(sent, clock):
    container, _, bodies = sent
    sita = contact_id(container, SITA)
    purchase = {"order_id": "E-1", "coupon": coupon_of(bodies[SITA]), "amount": 20, "currency": "CNY"}
    events = [
        EventIn("purchase", clock.now(), sita, properties=purchase, event_id="p1"),
        EventIn("purchase", clock.now(), sita, properties={"amount": 5}, event_id="p2"),  # no order, no coupon
        EventIn("purchase", clock.now(), sita, properties={"order_id": "E-2", "amount": "x"}, event_id="p3"),
    ]
    with container.uow() as uow:
        record_events(uow, events, clock.now(), after=container.after_events)
    with container.uow() as uow:
        rows = list(uow.session.scalars(select(Conversion)))
    assert [(r.order_id, r.attribution, r.source, r.amount) for r in rows] == [("E-1", "coupon", "event", "20")]


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"amount": "5", "currency": "CNY"}, "conversion"),
        ({"order_id": "X", "amount": "five", "currency": "CNY"}, "amount"),
        ({"order_id": "X", "amount": "-1", "currency": "CNY"}, "amount"),
        ({"order_id": "X", "amount": "NaN", "currency": "CNY"}, "amount"),
        ({"order_id": "X", "amount": "5"}, "currency"),
        ({"order_id": "X", "amount": "5", "currency": "C1Y"}, "currency"),
        ({"order_id": "X", "occurred_at": "2026-12-06T14:00:00"}, "occurred_at"),
    ],
)
def test_a_conversion_that_cannot_be_counted_is_refused_with_the_field(sent, body, where):
    _, client, _ = sent
    answer = client.post("/api/v1/conversions", json=body)
    assert answer.status_code == 422 and where in answer.text


def test_an_unknown_contact_is_named(sent):
    _, client, _ = sent
    answer = client.post("/api/v1/conversions", json={"order_id": "X", "contact_id": 99999})
    assert answer.status_code == 404 and "99999" in answer.text


def test_a_coupon_herald_never_issued_is_kept_uncredited(sent, clock):
    container, _, _ = sent
    with container.uow() as uow:
        row, new = tracking.record_conversion(
            uow, tracking.ConversionIn(clock.now(), coupon="PAPER-FLYER"), timedelta(days=7), clock.now()
        )
        again = tracking.record_conversion(
            uow, tracking.ConversionIn(clock.now(), coupon="PAPER-FLYER"), timedelta(days=7), clock.now()
        )
        assert (row.attribution, row.contact_id, new, again[1]) == ("none", None, True, False)


def test_a_conversion_finds_its_coupon_and_last_click_by_an_index(sent, clock):
    from tests.plans import scans

    container, client, bodies = sent
    code = bodies[JOHANNES].split(f"{PUBLIC}/l/")[1][:8]
    clock.advance(hours=1)
    client.get(f"/l/{code}", headers={"user-agent": IPHONE}, follow_redirects=False)
    orders = [
        {"coupon": coupon_of(bodies[SITA]), "amount": "10", "currency": "CNY", "order_id": "P1"},
        {"order_id": "P2", "amount": "45.5", "currency": "USD", "phone": JOHANNES},
        {"order_id": "P3", "amount": "1", "currency": "USD", "phone": WANG},
    ]
    with scans(container.engine) as found:
        credited = [client.post("/api/v1/conversions", json=order).json()["attribution"] for order in orders]
        said = {"order_id": "P4", "amount": 3, "currency": "CNY"}
        purchase = EventIn("purchase", clock.now(), contact_id(container, JOHANNES), properties=said, event_id="p4")
        with container.uow() as uow:
            record_events(uow, [purchase], clock.now(), after=container.after_events)
    assert credited == ["coupon", "click", "none"]
    with container.uow() as uow:
        assert uow.session.scalars(select(Conversion.attribution).where(Conversion.order_id == "P4")).one() == "click"
    assert found == []
