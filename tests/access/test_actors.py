"""Actors: how each kind is named in the log, and what the system user may do."""

from __future__ import annotations

import pytest

from herald.access.actors import Actor, public, system_actor
from herald.access.permissions import catalog
from herald.errors import Forbidden


@pytest.mark.parametrize(
    ("actor", "label"),
    [
        (Actor("user", "ada", frozenset(), "10.0.0.1"), "ada"),
        (Actor("key", "shop-sync", frozenset(), "10.0.0.2"), "key:shop-sync"),
        (system_actor("root", "herald-1"), "system:root"),
        (public("203.0.113.9"), "public:anyone"),
    ],
)
def test_each_kind_of_actor_has_its_own_name_in_the_log(actor: Actor, label: str) -> None:
    assert actor.label == label


def test_the_system_user_may_do_everything_and_the_public_nothing() -> None:
    system = system_actor("root", "herald-1")
    assert system.permissions == frozenset(catalog().permissions) and system.origin == "cli root@herald-1"
    assert not public("203.0.113.9").may("contacts:read")
    with pytest.raises(Forbidden, match="public:anyone may not"):
        public("203.0.113.9").require("contacts:read")
    system.require("contacts:erase")


def test_a_key_acts_only_in_its_own_workspace() -> None:
    key = Actor("key", "shop", frozenset(), "10.0.0.1", workspace="acme")
    key.require_workspace("acme")
    with pytest.raises(Forbidden, match="'shop' belongs to workspace 'acme', not 'beta'"):
        key.require_workspace("beta")
    Actor("user", "ada", frozenset(), "10.0.0.1").require_workspace("beta")  # users: by their membership
