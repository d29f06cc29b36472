"""The pages' tests share a shop: the scenario's contacts and campaign, and a user of each role."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from fastapi.testclient import TestClient

from herald import access
from herald.web import ui
from herald.web.ui.language import refusals
from tests.conftest import NOW
from tests.kept import keep
from tests.scenario import setup
from tests.web.clients import PASSWORD, browser_for


def _for_chinese(_said: str, args: tuple, _kwargs: dict) -> str | None:
    return args[0] if len(args) > 1 and args[1] == "zh-CN" and str(args[0]).strip() else None


# What the pages said to Chinese viewers in the services' or the rules' words while the tests ran, kept so
# that the last test of this folder (`test_zh_refusals.py`) can check each was said in Chinese.
# Every module of the pages that says them holds `in_language` by its own name: each is wrapped.
SAYING = [importlib.import_module(m.name) for m in pkgutil.walk_packages(ui.__path__, "herald.web.ui.")]
SHOWN = [
    keep(module, "in_language", _for_chinese)
    for module in SAYING
    if module is not refusals and getattr(module, "in_language", None) is refusals.in_language
]


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
