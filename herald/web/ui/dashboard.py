"""`/`: today's and this week's sends by channel and the running campaigns with their progress (both
fetched after the page shows, the progress again every few seconds), open alerts, complaint cases past
their deadline, and the provider accounts' health."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from herald import analytics
from herald.web.ui.pages import Viewer, ask_again_after, page, show, timed

RUNNING_EVERY = 10  # seconds between the running campaigns' progress, at least

if TYPE_CHECKING:
    from herald.bootstrap import Container


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/")
    def dashboard(request: Request, viewer: Annotated[Viewer, page(None)]) -> Response:
        """Every signed-in role lands here; each section shows only to those who may read it."""
        with container.uow() as uow:
            data = analytics.overview(uow.session, container.clock.now(), sorted(container.accounts))
        return show(request, viewer, "ui/dashboard.html", {"section": "dashboard", "data": data})

    @api.get("/dashboard/sends")
    def sends(request: Request, viewer: Annotated[Viewer, page("reports:read")]) -> Response:
        """Today's and the week's sends: read from the ledger after the page shows."""
        with container.uow() as uow:
            data = analytics.recent_sends(uow.session, container.clock.now())
        return show(request, viewer, "ui/fragments/sends.html", {"data": data})

    @api.get("/dashboard/running")
    def running(request: Request, viewer: Annotated[Viewer, page("campaigns:read")]) -> Response:
        """The running campaigns' progress, asked again every few seconds while the page is open."""
        with container.uow() as uow:
            data, took = timed(lambda: analytics.running(uow.session))
        context = {"running": data, "every": ask_again_after(took, RUNNING_EVERY)}
        return show(request, viewer, "ui/fragments/running.html", context)

    return api
