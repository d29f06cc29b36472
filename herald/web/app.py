"""The FastAPI application of one workspace: every /api/v1 route needs a key or a session (`auth.need`). Its
docs page loads Swagger UI from the installed package (swagger-ui-bundle), never from a CDN: Herald runs
where the internet may not."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import swagger_ui_bundle
from fastapi import FastAPI, Query, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

from herald import segments
from herald.access import Limit
from herald.db import migrate as migrations
from herald.segments import Count
from herald.web import errors, signin_page, ui
from herald.web.api import (
    access_api,
    account_api,
    alerts_api,
    autotag_api,
    campaigns_api,
    contacts_api,
    conversions_api,
    events_api,
    tags_api,
    templates_api,
)
from herald.web.auth import need
from herald.web.deps import ErrorOut, Unit
from herald.web.guard import Guard
from herald.web.imports import Jobs
from herald.web.public import links_page, unsubscribe_page, webhooks_api
from herald.web.public.hot import HotPaths
from herald.web.ui import pages
from herald.web.ui.pages import PageRefused, SignInFirst

if TYPE_CHECKING:
    from herald.bootstrap import Container
    from herald.config import Settings

DOCS_ASSETS = "/api/docs/assets"


class Fronted(FastAPI):
    """FastAPI with the Guard, and the hot paths, in front of the framework's own middleware rather than
    inside it: a request the hot paths answer never enters the framework, whose error pages, telemetry and
    body limit cost more than a click's own work (bench.webhooks). Every other request passes the Guard and
    then the framework, as before."""

    front: ASGIApp | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await (self.front or self.framework)(scope, receive, send)

    async def framework(self, scope: Scope, receive: Receive, send: Send) -> None:
        """The framework itself: its middleware, then its routes."""
        await super().__call__(scope, receive, send)


def rate_limits(settings: Settings) -> list[tuple[str, str, Limit]]:
    """Sign-in attempts and the public pages, per client address (0 in a setting turns its limit off)."""
    limits = []
    if settings.signin_per_minute:
        limits.append(("POST", "/signin", Limit("signin", settings.signin_per_minute, settings.signin_per_minute)))
    if settings.public_per_minute:
        public = Limit("public", settings.public_per_minute, max(1, settings.public_per_minute // 6))
        limits += [("*", prefix, public) for prefix in ("/l/", "/o/", "/unsubscribe/")]
    return limits


def create_app(container: Container, hot: bool = True) -> FastAPI:
    """The API bound to a bootstrap Container; with `hot`, the routes hit in floods are answered in front of
    the framework (`herald.web.public.hot`); without it, by the framework's own routes (the plain path)."""
    answers: dict[int | str, dict[str, Any]] = {code: {"model": ErrorOut} for code in (*errors.STATUS.values(), 400)}
    api = Fronted(
        title="Herald",
        version="0.1.0",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
        responses=answers,
    )
    api.state.container = container
    api.mount(DOCS_ASSETS, StaticFiles(directory=swagger_ui_bundle.swagger_ui_path), name="docs-assets")

    @api.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/api/v1/openapi.json",
            title="Herald API",
            swagger_js_url=f"{DOCS_ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{DOCS_ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{DOCS_ASSETS}/favicon-32x32.png",
        )

    errors.install(api)

    # The routes vendors and recipients hit in floods come first: a request is matched against the routes
    # in order, and these are answered thousands of times a second (bench.webhooks: +20 % a callback).
    hooks, links = webhooks_api.Hooks(container), links_page.Links(container)
    api.include_router(webhooks_api.router(container, hooks))
    api.include_router(links_page.router(links))

    @api.get("/api/v1/health", dependencies=[need(None)])
    def health() -> dict[str, str | None]:
        return {"status": "ok", "schema": migrations.current_revision(container.engine)}

    @api.get("/healthz", include_in_schema=False)
    def probe() -> dict[str, str]:
        # For a load balancer or a container's health check: says only that the server answers.
        return {"status": "ok"}

    @api.get("/api/v1/segments/count", dependencies=[need("segments:read")])
    def segment_count(unit: Unit, q: Annotated[str, Query(description="Segment expression")]) -> Count:
        return Count(expression=q, count=segments.count(unit.session, q, container.clock.now()))

    api.include_router(access_api.router(container))
    api.include_router(account_api.router(container))
    jobs = Jobs()  # imports this server started, shared by the API and the pages
    api.include_router(contacts_api.router(container, jobs))
    api.include_router(events_api.router(container))
    api.include_router(conversions_api.router(container))
    api.include_router(tags_api.router(container))
    api.include_router(autotag_api.router(container))
    api.include_router(templates_api.router(container))
    api.include_router(campaigns_api.router(container))
    api.include_router(alerts_api.router(container))
    api.include_router(unsubscribe_page.router(container))
    api.include_router(signin_page.router(container))
    api.include_router(ui.router(container, jobs))

    @api.exception_handler(SignInFirst)
    async def sign_in_first(_: Request, exc: SignInFirst) -> Response:
        return pages.sign_in_first(exc)

    @api.exception_handler(PageRefused)
    async def page_refused(request: Request, exc: PageRefused) -> Response:
        return pages.refused_page(request, exc)

    api.mount("/static", StaticFiles(packages=[("herald.web", "static")]), name="static")
    uploads = {"/api/v1/contacts/imports": contacts_api.MAX_UPLOAD, "/import": contacts_api.MAX_UPLOAD}
    inner: ASGIApp = api.framework
    if hot:  # inside the Guard, as every route is
        inner = HotPaths(api.framework, hooks=hooks, links=links, handlers=api.exception_handlers)
    api.front = Guard(
        inner,
        hosts=container.settings.allowed_hosts.split(","),
        max_body=container.settings.max_request_mb << 20,
        uploads=uploads,
        limits=rate_limits(container.settings),
    )
    return api
