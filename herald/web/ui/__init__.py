"""The operator's web UI: server-rendered pages (Jinja2, with htmx for what changes in place), in Chinese
and English, for every job a marketer, an approver and a support agent does. Each page calls the rooms'
services as the API does, guarded by the viewer's role (`pages.page`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter

from herald.web.ui import campaigns, contacts, dashboard, importing, inbox, segments, tag_rules, tagging, templates
from herald.web.ui.settings import alerting, people
from herald.web.ui.settings import page as settings

if TYPE_CHECKING:
    from herald.bootstrap import Container
    from herald.web.imports import Jobs


def router(container: Container, jobs: Jobs) -> APIRouter:
    """Every page of the UI (imports started from the pages run with the API's, in `jobs`)."""
    api = APIRouter(include_in_schema=False)
    for part in (
        dashboard,
        contacts,
        segments,
        tagging,
        campaigns,
        templates,
        inbox,
        settings,
        people,
        alerting,
        tag_rules,
    ):
        api.include_router(part.router(container))
    api.include_router(importing.router(container, jobs))
    return api
