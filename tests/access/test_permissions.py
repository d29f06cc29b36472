"""Roles, permissions, key scopes and the CLI's table of commands, as data and as checks."""

from __future__ import annotations

import pytest

from herald.access.permissions import catalog, catalog_from, may_grant, require
from herald.errors import Forbidden, Invalid

ROLES = {
    "permissions": {"a:read": "", "a:write": ""},
    "roles": {"boss": {"permissions": ["*"]}, "clerk": {"permissions": ["a:read"], "label": {"en": "Clerk"}}},
}


@pytest.mark.parametrize(
    ("role", "may", "may_not"),
    [
        ("owner", ["users:manage", "contacts:erase", "audit:read"], []),
        ("admin", ["users:manage", "keys:manage"], []),
        (
            "marketer",
            ["campaigns:send", "templates:write", "contacts:export"],
            ["templates:review", "contacts:erase", "users:manage"],
        ),
        ("approver", ["templates:review", "campaigns:read"], ["templates:write", "campaigns:send", "contacts:read"]),
        ("analyst", ["reports:read", "campaigns:read"], ["contacts:read", "campaigns:write", "templates:write"]),
        (
            "support",
            ["contacts:read", "consent:write", "inbox:write"],
            ["contacts:erase", "contacts:export", "campaigns:send"],
        ),
    ],
)
def test_each_role_grants_its_permissions_and_no_more(role: str, may: list[str], may_not: list[str]) -> None:
    granted = catalog().role(role)
    assert set(may) <= granted and not (set(may_not) & granted)


def test_roles_are_named_in_any_case_and_unknown_ones_are_refused() -> None:
    assert catalog().role(" Support ") == catalog().role("support")
    with pytest.raises(Invalid, match="unknown role 'boss'.*owner, admin"):
        catalog().role("boss")


@pytest.mark.parametrize(
    ("given", "result", "error"),
    [
        (["contacts:read", "Events:Write ", "contacts:read"], ("contacts:read", "events:write"), None),
        ([" ", ""], None, "at least one scope"),
        (["contacts:read", "contacts:everything"], None, "unknown 'contacts:everything'"),
    ],
)
def test_key_scopes_are_checked_and_tidied(given: list[str], result, error: str | None) -> None:
    if error:
        with pytest.raises(Invalid, match=error):
            catalog().scopes(given)
    else:
        assert catalog().scopes(given) == result


def test_a_catalog_refuses_permissions_it_does_not_define() -> None:
    bad_role = {**ROLES, "roles": {"x": {"permissions": ["a:delete"]}}}
    with pytest.raises(Invalid, match="role x: unknown permission 'a:delete'"):
        catalog_from(bad_role, {"commands": {}})
    with pytest.raises(Invalid, match="command tags list: unknown permission 'b:read'"):
        catalog_from(ROLES, {"commands": {"tags list": "b:read"}})
    made = catalog_from(ROLES, {"commands": {"tags list": "a:read"}})
    assert made.roles["boss"] == {"a:read", "a:write"} and made.labels["clerk"] == {"en": "Clerk"}
    assert made.command("tags list") == "a:read" and made.command("tags nothing") is None


def test_require_names_who_and_what() -> None:
    require(frozenset({"a:read"}), "a:read", "ada")
    with pytest.raises(Forbidden, match="ada may not do this: it needs the 'a:write' permission"):
        require(frozenset({"a:read"}), "a:write", "ada")


@pytest.mark.parametrize(
    ("actor_role", "role", "allowed"),
    [("owner", "owner", True), ("admin", "owner", False), ("admin", "marketer", True), (None, "owner", True)],
)
def test_only_an_owner_makes_an_owner(actor_role: str | None, role: str, allowed: bool) -> None:
    assert may_grant(actor_role, role) is allowed


def test_every_role_has_labels_in_both_languages() -> None:
    for role, labels in catalog().labels.items():
        assert set(labels) == {"en", "zh-CN"}, role
