"""The jobs end to end in Debian's chromium: a marketer signs in in Chinese, imports a GBK file, builds a
segment and writes an SMS template; an approver approves it; the marketer preflights and starts a
campaign; the sandbox gateway delivers it, reports back and follows the links; the results page shows
delivered and clicked; a support agent answers the complaint a recipient sent; an author cannot approve
their own template; and a phone-sized screen runs a campaign through the same wizard."""

from __future__ import annotations

import asyncio
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

import pytest
import uvicorn
from sqlalchemy import func, select

from herald import access, bootstrap
from herald.config import Settings
from herald.outbox.models import Message
from herald.sandbox.gateway import SECRET, FakeGateway, running
from herald.sandbox.replies import Replying
from herald.tracking.models import Click, ComplaintCase
from herald.web import create_app
from tests.conftest import NOW
from tests.ui.conftest import PASSWORD, SIZES, USERS, _free_port, shoot

PEOPLE = ["+9779841100001", "+9779841100002", "+9779841100003", "+9779841100004"]
ANGRY = PEOPLE[2]  # writes back a complaint
GBK_FILE = "姓名,手机,consent_sms\n" + "".join(f"客户{i},{n},yes\n" for i, n in enumerate(PEOPLE))
BODY = "Hi {{ first_name | default('there') }}, spring sale today: https://shop.example/spring Reply STOP to opt out."


def in_thread(work):
    """What `work` returns, run in a thread of its own: Playwright's sync API keeps an event loop running
    in this one, and the sandbox and the worker need loops of their own."""
    found: list = []
    thread = threading.Thread(target=lambda: found.append(work()))
    thread.start()
    thread.join()
    return found[0]


@contextmanager
def gateway_running(gateway: FakeGateway):
    """The sandbox gateway served from a thread of its own until the block ends."""
    up, done = threading.Event(), threading.Event()

    def serve() -> None:
        with running(gateway):
            up.set()
            done.wait()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    up.wait(10)
    try:
        yield gateway
    finally:
        done.set()
        thread.join(timeout=10)


@pytest.fixture
def world(db_url, tmp_path, clock, monkeypatch):
    """Herald served on a local port, sending SMS through the sandbox gateway, which reports back to it."""
    monkeypatch.setenv("GATEWAY_SECRET", SECRET)  # an import's own process reads the account's secret too
    gateway = FakeGateway(replies=Replying(clicks_every=1, people={ANGRY: "这是骚扰，我要投诉"}))
    with gateway_running(gateway):
        port = _free_port()
        settings = Settings(
            env="test",
            database_url=db_url,
            outbox_dir=str(tmp_path / "outbox"),
            public_url=f"http://127.0.0.1:{port}",
            allowed_hosts="127.0.0.1,localhost",
            signin_per_minute=0,
            provider_accounts={"gateway": {"kind": "webhook", "url": gateway.url, "secret": "env:GATEWAY_SECRET"}},
            routing={"sms": ["gateway"]},
        )
        container = bootstrap.build(settings, clock=clock, environ={"GATEWAY_SECRET": SECRET})
        container.migrate()
        with container.control_uow() as uow:
            for name, role in USERS.items():
                access.create_user(uow, name, role, PASSWORD, NOW)
        server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.02)
        yield container, f"http://127.0.0.1:{port}", gateway
        server.should_exit = True
        thread.join(timeout=10)
        container.close()


def browse(chromium, url: str, user: str, language: str, size: str = "desktop"):
    width, height = SIZES[size]
    page = chromium.new_context(viewport={"width": width, "height": height}, locale=language).new_page()
    page.goto(f"{url}/signin?lang={language}")
    page.fill("#name", user)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{url}/")
    page.goto(f"{url}/?lang={language}")
    return page


def count(container, stmt) -> int:
    with container.uow() as uow:
        return int(uow.session.scalar(stmt) or 0)


def after_a_round(container, stmt) -> int:
    """The count after a round of a worker that keeps running (it applies the receipts callbacks kept)."""
    container.worker().tick()
    return count(container, stmt)


def until(check, seconds: float = 15.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def test_a_campaign_from_import_to_results_in_the_browser(world, chromium, clock, tmp_path) -> None:
    container, url, gateway = world
    # The marketer, in Chinese: import a GBK file.
    mei = browse(chromium, url, "mei", "zh-CN")
    upload = tmp_path / "客户.csv"
    upload.write_bytes(GBK_FILE.encode("gbk"))
    mei.goto(f"{url}/import")
    mei.set_input_files("#file", str(upload))
    mei.click("main button[type=submit]")
    assert "gb" in mei.input_value("#encoding").lower()
    mei.click("button[value=import]")
    mei.wait_for_selector('dd[data-count="imported"]')
    assert mei.inner_text('dd[data-count="imported"]') == "4"
    shoot(mei, "flow-import-done-zh-CN-desktop")
    # A segment, counted as it is typed, and saved.
    mei.goto(f"{url}/segments")
    mei.fill("#q", "consent:sms and region:NP")
    mei.wait_for_selector('[data-count="segment"]')
    assert mei.inner_text('[data-count="segment"]') == "4"
    mei.fill("#name", "spring-np")
    mei.click("form.panel button[type=submit]")
    mei.wait_for_selector("text=已保存分群 spring-np")
    # An SMS template with its live preview, submitted for review.
    mei.goto(f"{url}/templates/new")
    mei.fill("#name", "spring-sms")
    mei.fill("#body", BODY)
    mei.wait_for_selector(".sms-facts")
    assert "UCS-2" in mei.inner_text(".sms-facts")  # the preview is for 客户0: a Chinese name needs UCS-2
    mei.click("#editor button[type=submit]")
    mei.wait_for_url(f"{url}/templates/spring-sms")
    mei.click("button[value=submit]")
    mei.wait_for_selector("text=已完成")
    # The approver approves it.
    li = browse(chromium, url, "li", "en")
    li.goto(f"{url}/templates/spring-sms")
    li.click("button[value=approve]")
    li.wait_for_selector("text=Done: approve.")
    # The marketer makes the campaign, reads the preflight and starts it.
    mei.goto(f"{url}/campaigns/new")
    mei.fill("#name", "Spring")
    mei.fill("#segment", "segment:spring-np")
    mei.select_option("#template", "spring-sms")
    mei.click("main form button[type=submit]")
    mei.wait_for_selector("text=可以开始。")
    shoot(mei, "flow-preflight-zh-CN-desktop")
    mei.click("text=立即开始")
    mei.wait_for_selector("text=已启动")
    # The worker sends; the sandbox delivers, reports back, follows the links and one person complains.
    in_thread(lambda: asyncio.run(container.worker().run(until_idle=True)))
    clock.set(NOW + timedelta(minutes=10))  # the people click a while after the messages arrive
    delivered = select(func.count()).select_from(Message).where(Message.delivery == "delivered")
    until(lambda: after_a_round(container, delivered) == 4)
    until(lambda: count(container, select(func.count()).select_from(Click).where(Click.human)) >= 3)
    until(lambda: count(container, select(func.count()).select_from(ComplaintCase)) == 1)
    campaign = count(container, select(func.max(Message.campaign_id)))
    mei.goto(f"{url}/campaigns/{campaign}/results")
    mei.wait_for_selector('td[data-stage="delivered"]')
    assert mei.inner_text('td[data-stage="delivered"]') == "4"
    assert int(mei.inner_text('td[data-stage="clicked"]')) >= 3
    shoot(mei, "flow-results-zh-CN-desktop")
    # The support agent answers the complaint.
    sam = browse(chromium, url, "sam", "zh-CN")
    sam.goto(f"{url}/inbox")
    sam.fill("textarea[name=answer]", "已将您移出名单，抱歉打扰。")
    sam.click("text=记录答复")
    sam.wait_for_selector("text=已将您移出名单")
    with container.uow() as uow:
        assert uow.session.scalar(select(ComplaintCase.status)) == "answered"


def test_an_author_cannot_approve_their_own_template(world, chromium) -> None:
    container, url, _ = world
    ana = browse(chromium, url, "ana", "en")
    ana.goto(f"{url}/templates/new")
    ana.fill("#name", "own-sms")
    ana.fill("#body", BODY)
    ana.click("#editor button[type=submit]")
    ana.wait_for_url(f"{url}/templates/own-sms")
    ana.click("button[value=submit]")
    ana.click("button[value=approve]")
    ana.wait_for_selector("#review-error")
    assert "ana wrote this version and may not approve it" in ana.inner_text("#review-error")


def test_a_phone_sized_screen_runs_a_campaign_through_the_wizard(world, chromium, tmp_path) -> None:
    from tests.scenario import setup

    container, url, _ = world
    setup(container, tmp_path)  # the scenario's contacts and approved template "sale"
    mei = browse(chromium, url, "mei", "en", "phone")
    mei.goto(f"{url}/campaigns/new")
    mei.fill("#name", "From a phone")
    mei.fill("#segment", "has:phone")
    mei.select_option("#template", "sale")
    mei.click("main form button[type=submit]")
    mei.wait_for_selector("text=Ready to start.")
    wide = mei.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert wide <= 0
    mei.click("text=Start now")
    mei.wait_for_selector("text=Started")
    shoot(mei, "flow-started-en-phone")
