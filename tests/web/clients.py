"""API clients for tests: signed with a key that holds every scope (or the scopes asked for)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from herald import access
from herald.access.actors import system_actor
from herald.web import create_app


def key_for(container, scopes: list[str] | None = None, name: str = "tests") -> str:
    """A fresh API key with these scopes (all of them unless told)."""
    actor = system_actor("tests", "localhost")
    with container.uow() as uow:
        made = access.create_key(
            uow, name, scopes or sorted(access.catalog().permissions), actor, container.clock.now()
        )
    return made.key


def api_client(container, scopes: list[str] | None = None, **options) -> TestClient:
    """A TestClient of the app whose requests carry a key (every scope unless told)."""
    client = TestClient(create_app(container), **options)
    client.headers["Authorization"] = f"Bearer {key_for(container, scopes)}"
    return client


PASSWORD = "correct horse battery"


def form_token(browser: TestClient) -> str:
    """The CSRF token of the sign-in form (and the form's cookie, which the browser keeps)."""
    found = re.search(r'name="csrf" value="([^"]+)"', browser.get("/signin").text)
    assert found is not None
    return found.group(1)


def browser_for(container, name: str, password: str = PASSWORD) -> tuple[TestClient, str]:
    """A browser signed in as an existing user through the form, and its session's CSRF token."""
    browser = TestClient(create_app(container), follow_redirects=False)
    browser.post("/signin", data={"name": name, "password": password, "csrf": form_token(browser)})
    return browser, browser.get("/api/v1/me").json()["csrf_token"]
