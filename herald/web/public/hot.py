"""The routes hit in floods — vendors' status callbacks and people's clicks on short links — answered in
front of the framework, inside the Guard (host, size, rate and headers as for every request).

FastAPI's own routes for them stay: they describe the callbacks in the API's schema, answer any method
this path does not take, and are the plain path a test holds this one equal to. Both hand the request to
the same `Hooks` and `Links`, with the same writers, so they cannot answer differently; this one only
skips the framework's routing, dependency solving and response validation, which cost more than the
callback's own work (bench.webhooks; docs/performance.md, "Hearing back: receipts and short links")."""

from __future__ import annotations

import inspect
import re
import sys
from collections.abc import Callable, Mapping
from typing import Any

from starlette.datastructures import URL, Headers
from starlette.requests import Request
from starlette.responses import Response

from herald.web.guard import App, Gone, Receive, Scope, Send, read_body
from herald.web.public.links_page import Links
from herald.web.public.webhooks_api import Hooks, aliyun_answer, as_response, same


class HotPaths:
    """An ASGI middleware: the hot routes answered here, every other request passed on to `app`."""

    def __init__(self, app: App, hooks: Hooks, links: Links, handlers: Mapping[Any, Callable[..., Any]]) -> None:
        self.app, self.hooks, self.links, self.handlers = app, hooks, links, handlers
        # (method, path, what answers it): the paths exactly as the framework's routes match them.
        self.routes: list[tuple[str, re.Pattern[str], Callable[..., Any]]] = [
            ("POST", re.compile(r"/webhooks/twilio/([^/]+)/(?:status|inbound)"), self._hook("twilio")),
            ("POST", re.compile(r"/webhooks/whatsapp/([^/]+)"), self._hook("whatsapp_cloud")),
            ("POST", re.compile(r"/webhooks/gateway/([^/]+)"), self._hook("webhook")),
            ("POST", re.compile(r"/webhooks/aliyun/([^/]+)/(?:report|up)/[^/]+"), self._hook("aliyun", aliyun_answer)),
            ("GET", re.compile(r"/l/([^/]+)"), self._follow),
            ("HEAD", re.compile(r"/l/([^/]+)"), self._follow),
            ("GET", re.compile(r"/o/([^/]+)\.gif"), self._opened),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        found = self._route(scope) if scope["type"] == "http" else None
        if found is None:
            await self.app(scope, receive, send)
            return
        answer, match = found
        try:
            response = await answer(scope, receive, match)
        except Gone:  # the caller hung up before its body was in: nobody to answer, nothing to record
            return
        except Exception as exc:
            response = await self._handled(exc, scope, receive)
        await response(scope, receive, send)

    def _route(self, scope: Scope) -> tuple[Callable[..., Any], re.Match[str]] | None:
        method, path = scope["method"], scope["path"]
        for wanted, pattern, answer in self.routes:
            if method == wanted and (match := pattern.fullmatch(path)):
                return answer, match
        return None

    def _hook(self, kind: str, shape: Callable[[Any], Any] = same) -> Callable[..., Any]:
        async def hook(scope: Scope, receive: Receive, match: re.Match[str]) -> Response:
            body = await read_body(receive, sys.maxsize) or b""  # (the Guard held its size to the limit)
            answer = await self.hooks.answer(kind, match[1], URL(scope=scope), Headers(scope=scope), body)
            return as_response(shape(answer))

        return hook

    async def _follow(self, scope: Scope, receive: Receive, match: re.Match[str]) -> Response:
        return await self.links.follow(match[1], _headers(scope), _client(scope), scope["method"])

    async def _opened(self, scope: Scope, receive: Receive, match: re.Match[str]) -> Response:
        return await self.links.opened(match[1], _headers(scope), _client(scope))

    async def _handled(self, exc: Exception, scope: Scope, receive: Receive) -> Response:
        """The answer the app's own handler gives this error (a refusal: 403, 404 …); else it goes on up,
        to the server's 500, as it would from a route."""
        # As the framework looks one up, by the error's classes in order; `Exception` is the server's 500.
        handler = next((self.handlers[k] for k in type(exc).__mro__ if k in self.handlers and k is not Exception), None)
        if handler is None:
            raise exc
        response = handler(Request(scope, receive), exc)
        return await response if inspect.isawaitable(response) else response


def _headers(scope: Scope) -> dict[str, str]:
    """The request's headers by name, as the framework reads them: the server gives names in lower case, and
    of a header sent twice the first counts."""
    return {name.decode("latin-1"): value.decode("latin-1") for name, value in reversed(scope["headers"])}


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return client[0] if client else ""
