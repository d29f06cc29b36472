"""Who is calling the API, and whether they may: an API key (`Authorization: Bearer hk_…`) or a signed-in
browser's session cookie. Every `/api/v1` route names the permission it needs with `need(...)`; refusals
are answered 401 (who are you?) or 403 (not this) and recorded in the audit log.

A browser's session is an ambient credential — the browser sends it whatever page asked — so a request
that changes something with a session must also carry the session's CSRF token in `X-CSRF-Token` (or a
form's `csrf` field). A key is never ambient, so requests with a key need none."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi import Depends, Request

from herald import access
from herald.errors import Forbidden, HeraldError, Unauthorized
from herald.web.guard import SAFE_METHODS

if TYPE_CHECKING:
    from herald.bootstrap import Container

SESSION_COOKIE = "herald_session"
CSRF_HEADER = "x-csrf-token"


def need(permission: str | None) -> Any:
    """A route's dependency: the caller must hold `permission` (a key's scope or a user's role's); with
    None, any good key or session will do."""

    def check(request: Request) -> None:
        container: Container = request.app.state.container
        actor = access.public(client_address(request))
        try:
            actor, csrf, session = caller(request, container)
            actor.require_workspace(container.workspace)
            if csrf is not None and request.method not in SAFE_METHODS:
                if not access.same(request.headers.get(CSRF_HEADER, ""), csrf):
                    raise Forbidden("the CSRF token is missing or wrong; reload the page and try again")
            if permission is not None:
                actor.require(permission)
        except (Unauthorized, Forbidden) as refused:
            _record_refusal(request, container, actor, refused)
            raise
        request.state.actor, request.state.csrf, request.state.session_id = actor, csrf, session

    check.permission = permission  # type: ignore[attr-defined]  # read by the test that every route has one
    return Depends(check)


def caller(request: Request, container: Container) -> tuple[access.Actor, str | None, int | None]:
    """The actor of a request and, for a session, its CSRF token and id: by its key, else its session
    cookie; Unauthorized when it has neither, or one that is not good."""
    origin = client_address(request)
    header = request.headers.get("authorization", "")
    now = container.clock.now()
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("send the API key as `Authorization: Bearer hk_…`")
        with container.control_uow() as uow:
            return access.key_actor(uow, token.strip(), origin, now), None, None
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        raise Unauthorized("this needs an API key (Authorization: Bearer hk_…) or a signed-in session")
    with container.control_uow() as uow:
        signed = access.session_actor(uow, cookie, now, session_limits(container), origin, container.workspace)
    return signed.actor, signed.csrf, signed.session_id


def session_limits(container: Container) -> access.SessionLimits:
    s = container.settings
    return access.SessionLimits(timedelta(minutes=s.session_idle_minutes), timedelta(hours=s.session_max_hours))


def client_address(request: Request) -> str:
    """The caller's address as the server saw it (behind a proxy, uvicorn's --forwarded-allow-ips makes it
    the client's)."""
    return request.client.host if request.client else "unknown"


def action_of(request: Request) -> str:
    """The audit log's name for a route: `api contacts.erase`."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    room = path.split("/")[3] if path.startswith("/api/v1/") else path.strip("/")
    return f"api {room}.{getattr(route, 'name', request.method.lower())}"


def subject_of(request: Request) -> str | None:
    params = request.path_params
    return ", ".join(f"{k}={v}" for k, v in params.items())[:255] or None


def _record_refusal(request: Request, container: Container, actor: access.Actor, refused: HeraldError) -> None:
    with container.unaudited() as uow:
        access.append(
            uow,
            actor,
            action_of(request),
            container.clock.now(),
            subject=subject_of(request),
            outcome="refused",
            detail={"method": request.method, "status": 401 if isinstance(refused, Unauthorized) else 403},
            note=str(refused),
        )


def permission_of(dependency: Callable[..., Any]) -> str | None:
    return getattr(dependency, "permission", None)


def every_route(routes: Iterable[Any]) -> Iterator[Any]:
    """Every route of an app, those of included routers too (FastAPI keeps those behind the router)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from every_route(inner.routes)
        else:
            yield route


def guards(route: Any) -> list[Callable[..., Any]]:
    """The `need(...)` checks a route runs (each names its permission, or None for any caller)."""
    dependant = getattr(route, "dependant", None)
    calls = [d.call for d in dependant.dependencies] if dependant is not None else []
    return [c for c in calls if c is not None and hasattr(c, "permission")]
