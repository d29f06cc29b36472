"""Who may do what: the permissions, the roles that grant them and the scopes API keys carry. Pure.

Roles, permissions and the CLI's commands are data (`roles.toml`, `commands.toml`); this module reads
them and answers the questions the API, the pages and the CLI ask before they call a service."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from herald.errors import Forbidden, Invalid

EVERYTHING = "*"
OWNER = "owner"


@dataclass(frozen=True)
class Catalog:
    permissions: Mapping[str, str]  # name → what it allows, in words
    roles: Mapping[str, frozenset[str]]  # role → its permissions, "*" spelled out
    labels: Mapping[str, Mapping[str, str]]  # role → label by locale
    commands: Mapping[str, str]  # "contacts erase" → the permission it needs

    def role(self, name: str) -> frozenset[str]:
        """The permissions of a role, or a one-line reason listing the roles there are."""
        found = self.roles.get(name.strip().lower())
        if found is None:
            raise Invalid(f"unknown role {name!r} (roles: {', '.join(self.roles)})", where="role")
        return found

    def scopes(self, given: Iterable[str]) -> tuple[str, ...]:
        """API key scopes checked against the permissions (sorted, without repeats); at least one."""
        scopes = sorted({s.strip().lower() for s in given if s.strip()})
        if not scopes:
            raise Invalid(f"name at least one scope (scopes: {', '.join(self.permissions)})", where="scope")
        unknown = [s for s in scopes if s not in self.permissions]
        if unknown:
            raise Invalid(f"unknown {unknown[0]!r} (scopes: {', '.join(self.permissions)})", where="scope")
        return tuple(scopes)

    def command(self, path: str) -> str | None:
        """The permission a CLI command needs ("contacts erase"), None when it is not declared."""
        return self.commands.get(path)


def catalog_from(table: Mapping[str, Any], commands: Mapping[str, Any]) -> Catalog:
    """A catalog from the two TOML tables, every role's permissions checked to exist."""
    permissions = dict(table["permissions"])
    roles, labels = {}, {}
    for name, role in table["roles"].items():
        granted = role["permissions"]
        unknown = [p for p in granted if p != EVERYTHING and p not in permissions]
        if unknown:
            raise Invalid(f"unknown permission {unknown[0]!r}", where=f"role {name}")
        roles[name] = frozenset(permissions) if EVERYTHING in granted else frozenset(granted)
        labels[name] = dict(role.get("label", {}))
    wrong = {c: p for c, p in commands["commands"].items() if p not in permissions}
    if wrong:
        raise Invalid(f"unknown permission {next(iter(wrong.values()))!r}", where=f"command {next(iter(wrong))}")
    return Catalog(permissions, roles, labels, dict(commands["commands"]))


@cache
def catalog() -> Catalog:
    """Herald's own catalog (roles.toml and commands.toml beside this module)."""
    return catalog_from(_bundled("roles.toml"), _bundled("commands.toml"))


def _bundled(name: str) -> dict[str, Any]:
    return tomllib.loads((resources.files("herald.access") / name).read_text(encoding="utf-8"))


def require(granted: frozenset[str], needed: str, who: str) -> None:
    """Refuse, naming who and what, unless `needed` is among the permissions `granted`."""
    if needed not in granted:
        raise Forbidden(f"{who} may not do this: it needs the {needed!r} permission")


def may_grant(actor_role: str | None, role: str) -> bool:
    """Only an owner makes, changes or disables an owner (an admin may do the rest)."""
    return role != OWNER or actor_role in (OWNER, None)
