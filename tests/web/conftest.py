"""The pages' tests share a shop: the scenario's contacts and campaign, and a user of each role."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from herald import access
from tests.conftest import NOW
from tests.scenario import setup
from tests.web.clients import PASSWORD, browser_for


@pytest.fixture
def shop(container, tmp_path):
    """The scenario's contacts and campaign, and a user of each role."""
    campaign = setup(container, tmp_path)
    with container.control_uow() as uow:
        for name, role in {"mei": "marketer", "li": "approver", "sam": "support", "ana": "admin"}.items():
            access.create_user(uow, name, role, PASSWORD, NOW)
    return container, campaign


def signed_in(container, name: str, password: str = PASSWORD) -> tuple[TestClient, str]:
    """A browser signed in as the user, and its forms' token."""
    return browser_for(container, name, password)
