"""API clients for tests: signed with a key that holds every scope (or the scopes asked for)."""

from __future__ import annotations

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
