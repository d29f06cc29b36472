"""Short links: each link of a message made short when it is prepared, each click recorded (person or
machine) before leading on, and a marketing mail's opens."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from herald import bootstrap
from herald.config import Settings
from herald.content import Composed
from herald.events import Event
from herald.outbox.models import Message
from herald.sandbox.gateway import FakeGateway, running
from herald.tracking.clicks.links import CODE_LENGTH, Shortener
from herald.tracking.models import Click, Link, Open
from tests.dispatch.gateway import through_gateway
from tests.scenario import rows, setup
from tests.web.clients import api_client

PUBLIC = "https://go.shop.example"
SITA = "+9779841234567"
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
TEMPLATE = "Hi {{ first_name }}, sale at https://shop.example/sale?src=sms. Details: https://shop.example/faq 回T退订"


@pytest.fixture
def sent(db_url, tmp_path, clock):
    """The scenario's campaign, with links, sent through a gateway by a Herald with a public address."""
    with running(FakeGateway()) as gateway:
        container = through_gateway(db_url, tmp_path, clock, gateway.url, public_url=PUBLIC)
        from tests.scenario import plan

        plan(container, setup(container, tmp_path, template=TEMPLATE))
        asyncio.run(container.worker().run(until_idle=True))
        bodies = {m["to"]: m["body"] for m in gateway.received.values()}
    return container, api_client(container), bodies


def test_each_link_of_each_message_goes_out_as_a_short_link_of_its_own(sent):
    container, _, bodies = sent
    sita = bodies[SITA]
    assert "https://shop.example" not in sita and sita.count(f"{PUBLIC}/l/") == 2
    assert sita.startswith("Hi Sita, sale at https://go.shop.example/l/") and ". Details: " in sita
    (message,) = rows(container, Message, Message.address == SITA)
    links = rows(container, Link, Link.message_id == message.id)
    assert [(link.url, link.position) for link in links] == [
        ("https://shop.example/sale?src=sms", 0),
        ("https://shop.example/faq", 1),
    ]
    assert all(len(link.code) == CODE_LENGTH and f"/l/{link.code}" in sita for link in links)
    every = {link.code for link in rows(container, Link)}
    assert len(every) == 2 * len(bodies)  # one code per message and link, none shared


def test_a_persons_click_is_recorded_as_an_event_and_leads_on(sent, clock):
    container, client, bodies = sent
    code = bodies[SITA].split(f"{PUBLIC}/l/")[1][:CODE_LENGTH]
    clock.advance(minutes=30)
    answer = client.get(f"/l/{code}", headers={"user-agent": IPHONE}, follow_redirects=False)
    assert answer.status_code == 302 and answer.headers["location"] == "https://shop.example/sale?src=sms"
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers.get_list("referrer-policy") == ["no-referrer"]  # said once: the destination never learns it
    (click,) = rows(container, Click)
    assert (click.human, click.device, click.os) == (True, "mobile", "iOS")
    (event,) = rows(container, Event, Event.type == "message.clicked")
    assert event.properties["url"] == "https://shop.example/sale?src=sms"


def test_previews_and_link_checks_are_recorded_as_machines_and_make_no_event(sent, clock):
    container, client, bodies = sent
    code = bodies[SITA].split(f"{PUBLIC}/l/")[2][:CODE_LENGTH]
    clock.advance(minutes=30)
    client.get(f"/l/{code}", headers={"user-agent": "WhatsApp/2.23.20.0 A"}, follow_redirects=False)
    checked = client.head(f"/l/{code}", headers={"user-agent": IPHONE}, follow_redirects=False)
    assert checked.status_code == 302, checked.headers
    assert [(c.human, c.device) for c in rows(container, Click)] == [(False, "bot"), (False, "bot")]
    assert rows(container, Event, Event.type == "message.clicked") == []


def test_a_code_that_does_not_exist_reveals_nothing(sent):
    _, client, _ = sent
    answers = [client.get(f"/l/{code}", follow_redirects=False) for code in ("AAAAAAAA", "zz", "a" * 40, "abc$def1")]
    assert {a.status_code for a in answers} == {404}
    assert len({a.text for a in answers}) == 1  # the same page, whatever was guessed


def test_a_forwarded_link_is_clicked_from_other_devices(sent, clock):
    container, client, bodies = sent
    code = bodies[SITA].split(f"{PUBLIC}/l/")[1][:CODE_LENGTH]
    clock.advance(hours=1)
    for agent in (IPHONE, IPHONE, IPHONE.replace("17_1", "16_0")):
        client.get(f"/l/{code}", headers={"user-agent": agent}, follow_redirects=False)
    visitors = {c.visitor for c in rows(container, Click)}
    assert len(visitors) == 2 and all(len(v) == 32 for v in visitors)
    client.get(f"/l/{code}", headers={"user-agent": "WhatsApp/2.23.20.0 A"}, follow_redirects=False)
    with container.uow() as uow:
        from herald.analytics import campaign_report
        from herald.campaigns import Campaign

        report = campaign_report(uow.session, uow.session.scalars(select(Campaign)).one(), clock.now())
    assert report["clicks"] == {
        "total": 3,
        "unique": 1,
        "machine": 1,
        "by_device": {"mobile": 3},
        "forward_coefficient": 1.0,  # the one clicked link reached one device beyond the first
    }
    assert report["opens"] == {"total": 0, "unique": 0, "machine": 0} and report["replies"] == {}


def test_a_mail_gets_short_links_and_an_open_pixel_and_herald_own_links_stay(container, clock):
    shortener = Shortener(PUBLIC)
    html = (
        "<html><body><a href=\"https://shop.example/a\">A</a> <a href='https://shop.example/a'>again</a> "
        f'<a href="{PUBLIC}/unsubscribe/tok">unsubscribe</a> <a href="mailto:x@shop.example">mail</a></body></html>'
    )
    composed = Composed("See https://shop.example/a（限时）and https://shop.example/b, now.", "Sale", html)
    with container.uow() as uow:
        done = shortener.shorten(uow, 77, "email", composed, clock.now())
    links = {link.url: link for link in rows(container, Link)}
    a, b, pixel = links["https://shop.example/a"], links["https://shop.example/b"], links[""]
    assert done.body == f"See {PUBLIC}/l/{a.code}（限时）and {PUBLIC}/l/{b.code}, now."
    assert done.html.count(f"{PUBLIC}/l/{a.code}") == 2 and f"{PUBLIC}/unsubscribe/tok" in done.html
    assert "mailto:x@shop.example" in done.html and pixel.position == -1
    assert done.html.endswith(f'<img src="{PUBLIC}/o/{pixel.code}.gif" width="1" height="1" alt=""></body></html>')
    with container.uow() as uow:
        whatsapp = shortener.shorten(uow, 78, "whatsapp", Composed("https://shop.example/c"), clock.now())
        no_body_tag = shortener.shorten(uow, 79, "email", Composed("x", "S", "<p>hi</p>"), clock.now())
    assert whatsapp.body == "https://shop.example/c"  # a WhatsApp template's text is as Meta approved it
    assert no_body_tag.html.startswith("<p>hi</p><img src=")


def test_an_open_is_recorded_and_machines_are_told_apart(sent, clock):
    container, client, _ = sent
    (message,) = rows(container, Message, Message.address == SITA)
    with container.uow() as uow:
        Shortener(PUBLIC).shorten(uow, message.id, "email", Composed("x", "S", "<p>x</p>"), clock.now())
    (pixel,) = rows(container, Link, Link.position == -1)
    clock.advance(hours=2)
    proxy = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
    for agent in (IPHONE, proxy):
        answer = client.get(f"/o/{pixel.code}.gif", headers={"user-agent": agent})
        assert answer.status_code == 200 and answer.headers["content-type"] == "image/gif"
    assert [o.human for o in rows(container, Open)] == [True, False]
    assert len(rows(container, Event, Event.type == "message.opened")) == 1
    assert client.get("/o/AAAAAAAA.gif").status_code == 200 and len(rows(container, Open)) == 2
    assert client.get(f"/l/{pixel.code}", follow_redirects=False).status_code == 404  # a pixel is no link


def test_a_version_can_keep_its_links_as_written(db_url, tmp_path, clock):
    from herald.content import service as content
    from herald.errors import Invalid
    from herald.types import Channel

    settings = Settings(env="test", database_url=db_url, outbox_dir=str(tmp_path / "o"))
    container = bootstrap.build(settings, clock=clock)
    with container.uow() as uow, pytest.raises(Invalid, match="track_links"):
        content.create_template(uow, "x", Channel.SMS, {"body": "hi", "track_links": "no"}, author="a", now=clock.now())
    with container.uow() as uow:
        version = content.create_template(
            uow, "y", Channel.SMS, {"body": "https://a.example", "track_links": False}, author="a", now=clock.now()
        )
        assert version.content == {"body": "https://a.example", "track_links": False}
