"""The operator's web UI: server-rendered pages (Jinja2, with htmx for what changes in place), in Chinese
and English, for every job a marketer, an approver and a support agent does. Each page calls the rooms'
services as the API does, guarded by the viewer's role (`pages.page`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from herald.web.ui import campaigns, contacts, dashboard, inbox, templates

if TYPE_CHECKING:
    from herald.bootstrap import Container


def router(container: Container) -> APIRouter:
    """Every page of the UI."""
    api = APIRouter(include_in_schema=False)
    for part in (dashboard, contacts, campaigns, templates, inbox):
        api.include_router(part.router(container))
    return api
