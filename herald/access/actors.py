"""Who is acting: a signed-in user, an API key, the system user running the CLI on the server, or a
member of the public (an unsubscribe page, a webhook). Pure."""

from __future__ import annotations

from dataclasses import dataclass

from herald.access.permissions import catalog, require
from herald.errors import Forbidden

SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    kind: str  # user | key | system | public
    name: str
    permissions: frozenset[str]
    origin: str  # an IP address, or "cli root@host"
    role: str | None = None
    user_id: int | None = None
    key_id: int | None = None
    workspace: str | None = None  # a key's own workspace (a user's role is resolved per workspace instead)

    @property
    def label(self) -> str:
        """How the audit log and reviews name them: a user by name, a key as `key:NAME`."""
        return self.name if self.kind == "user" else f"{self.kind}:{self.name}"

    def may(self, permission: str) -> bool:
        return permission in self.permissions

    def require_workspace(self, workspace: str) -> None:
        """Refuse with 403 a key used in a workspace that is not its own."""
        if self.workspace is not None and self.workspace != workspace:
            raise Forbidden(f"the API key {self.name!r} belongs to workspace {self.workspace!r}, not {workspace!r}")

    def require(self, permission: str) -> None:
        """Refuse with 403, naming them and the permission, unless they hold it."""
        require(self.permissions, permission, self.label)


def system_actor(login: str, host: str) -> Actor:
    """The system user running the CLI on the server: it holds the database itself, so every permission."""
    return Actor(SYSTEM, login, frozenset(catalog().permissions), f"cli {login}@{host}")


def public(origin: str) -> Actor:
    return Actor("public", "anyone", frozenset(), origin)
