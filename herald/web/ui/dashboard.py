"""`/`: today's and this week's sends by channel, running campaigns with their progress, open alerts,
complaint cases past their deadline, and the provider accounts' health."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Request
from fastapi.responses import Response

from herald import analytics
from herald.web.ui.pages import Viewer, page, show

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

    return api
