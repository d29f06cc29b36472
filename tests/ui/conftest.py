"""The browser tests' world: Herald served on a local port by uvicorn in a thread, over a workspace with
the scenario's contacts and a user of each role, and Debian's chromium driven by Playwright through
`executable_path` (browsers are never downloaded). Screenshots go to the folder SHOTS names."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from herald import access, bootstrap
from herald.web import create_app
from tests.conftest import NOW, settings_for
from tests.scenario import setup

CHROMIUM = os.environ.get("HERALD_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("HERALD_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "ui-screenshots"))
PASSWORD = "correct horse battery"
USERS = {"mei": "marketer", "li": "approver", "sam": "support", "ana": "admin"}
ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SIZES = {"desktop": (1440, 900), "phone": (390, 844)}


@pytest.fixture(scope="module")
def chromium():
    """Debian's chromium, launched once for a module's tests. Not for the session: Playwright's sync API
    keeps an event loop running in this thread while it is open, and later tests run their own."""
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"the browser tests need Debian's chromium at {CHROMIUM}: apt-get install chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


class Served:
    """Herald on a local port: its address, its container, and the scenario's campaign."""

    def __init__(self, container, url: str, campaign: int) -> None:
        self.container, self.url, self.campaign = container, url, campaign


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def served(db_url, tmp_path, clock) -> Iterator[Served]:
    settings = settings_for(db_url, tmp_path, signin_per_minute=0)
    container = bootstrap.build(settings, clock=clock)
    campaign = setup(container, tmp_path)
    with container.control_uow() as uow:
        for name, role in USERS.items():
            access.create_user(uow, name, role, PASSWORD, NOW)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(container), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.02)
    yield Served(container, f"http://127.0.0.1:{port}", campaign)
    server.should_exit = True
    thread.join(timeout=10)
    container.close()


@pytest.fixture
def page_for(chromium, served):
    """A new browser page of a size, in a language, signed in as a user."""
    opened = []

    def make(user: str, language: str = "en", size: str = "desktop"):
        width, height = SIZES[size]
        context = chromium.new_context(viewport={"width": width, "height": height}, locale=language)
        opened.append(context)
        page = context.new_page()
        page.goto(f"{served.url}/signin?lang={language}")
        page.fill("#name", user)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{served.url}/")
        return page

    yield make
    for context in opened:
        context.close()


def shoot(page, name: str) -> Path:
    """A full-page screenshot in the folder SHOTS names, for a person to look at."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
