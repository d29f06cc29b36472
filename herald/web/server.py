"""What `herald serve` runs: one Herald app per workspace, each over its own database, and every request
handed to the workspace it is for — so a route never needs to filter by workspace, and cannot forget to.

A request names its workspace by, in this order: a path under `/w/NAME/` (vendors' webhooks, short links
and unsubscribe pages of a workspace carry it in `public_url`), the `X-Herald-Workspace` header, its API
key (a key belongs to one workspace), the `herald_workspace` cookie the UI sets; else `default`. Inside,
the workspace's app checks the key or session again against that workspace: a key of another workspace,
or a user who is not a member, is refused there (403)."""

from __future__ import annotations

import json
import threading
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import configure_mappers
from starlette.concurrency import run_in_threadpool

from herald import access, tracking
from herald.door import open_every_door
from herald.errors import HeraldError
from herald.web.app import create_app
from herald.web.guard import App, Receive, Scope, Send

if TYPE_CHECKING:
    from herald.bootstrap import Container

HEADER = b"x-herald-workspace"
COOKIE = "herald_workspace"


class WorkspaceServer:
    def __init__(self, container: Container, hot: bool = True) -> None:
        self.home, self.hot = container, hot
        self.apps: dict[str, App] = {container.workspace: create_app(container, hot)}
        self.containers: dict[str, Container] = {}
        self.keys: dict[str, str] = {}  # a key's prefix → its workspace (which never changes)
        self.lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.apps[self.home.workspace](scope, receive, send)
            return
        name, scope = _by_path(scope)
        chosen, by_cookie = (name, False) if name else self._named(scope)
        app = self.apps.get(chosen)  # the common case: no thread hop for a workspace already served
        if app is None:
            try:
                app = await run_in_threadpool(self._app, chosen)
            except HeraldError as exc:
                if not by_cookie:
                    await _not_found(send, str(exc))
                    return
                app = self.apps[self.home.workspace]  # a cookie naming a workspace that is gone: home
        await app(scope, receive, send)

    def _named(self, scope: Scope) -> tuple[str, bool]:
        """The workspace a request names without a path, and whether only its cookie named it."""
        headers = dict(scope.get("headers") or [])
        if HEADER in headers:
            return headers[HEADER].decode("latin-1").strip(), False
        prefix = _key_prefix(headers.get(b"authorization", b"").decode("latin-1"))
        if prefix:
            return self.keys.get(prefix) or self._key_workspace(prefix) or self.home.workspace, False
        for part in headers.get(b"cookie", b"").decode("latin-1").split(";"):
            key, _, value = part.strip().partition("=")
            if key == COOKIE and value:
                return value, True
        return self.home.workspace, False

    def _key_workspace(self, prefix: str) -> str | None:
        # Once per key and server: a short query (its workspace never changes).
        if prefix not in self.keys:
            with self.home.control_uow() as uow:
                found = access.key_workspace(uow, prefix)
            if found is None:
                return None  # an unknown key: the default workspace's app answers 401
            self.keys[prefix] = found
        return self.keys[prefix]

    def _app(self, name: str) -> App:
        with self.lock:
            if name not in self.apps:
                with self.home.control_uow() as uow:
                    checked = access.require_workspace(uow, name)
                self.containers[checked] = self.home.for_workspace(checked)
                self.containers[checked].check_sealing()
                self.apps[checked] = create_app(self.containers[checked], self.hot)
            return self.apps[name]

    def close(self) -> None:
        for container in self.containers.values():
            container.close()


def _by_path(scope: Scope) -> tuple[str | None, Scope]:
    path: str = scope["path"]
    if not path.startswith("/w/"):
        return None, scope
    name, _, rest = path[3:].partition("/")
    prefix = f"/w/{name}"
    inner = dict(scope, path="/" + rest, root_path=scope.get("root_path", "") + prefix)
    if "raw_path" in scope and scope["raw_path"] is not None:
        inner["raw_path"] = scope["raw_path"][len(prefix) :]
    return name, inner


def _key_prefix(header: str) -> str | None:
    scheme, _, token = header.partition(" ")
    parts = token.strip().split("_")
    return parts[1] if scheme.lower() == "bearer" and len(parts) == 3 and parts[0] == "hk" else None


async def _not_found(send: Send, detail: str) -> None:
    body = json.dumps({"error": "NotFound", "detail": detail}).encode()
    headers: list[Any] = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 404, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def create_server(container: Container, hot: bool = True) -> WorkspaceServer:
    """The app `herald serve` runs, over every workspace of the installation; every room loaded before the
    first request. Without `hot`, the routes hit in floods go through the framework too (the plain path,
    which the bench measures beside the hot one)."""
    open_every_door()
    # What the first callback or click after a start would otherwise wait for, done now: the models'
    # mappings, and the agent parser's rules (a third of a second).
    configure_mappers()
    tracking.load_rules()
    return WorkspaceServer(container, hot)
