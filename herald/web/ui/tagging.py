"""`/tags`: tag categories with who may edit them, every tag with how many contacts carry it, and the
automatic tag rules with what each would do now (a dry run over the history, writing nothing, fetched
for each rule after the page shows)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select

from herald import autotag, tags
from herald.errors import HeraldError
from herald.tags import TagCategory
from herald.web.ui.pages import Viewer, page, reason_of, show

if TYPE_CHECKING:
    from herald.bootstrap import Container


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/tags")
    def tag_page(request: Request, viewer: Annotated[Viewer, page("tags:read")]) -> Response:
        now = container.clock.now()
        with container.uow() as uow:
            categories = [
                {"name": c.name, "description": c.description, "editors": list(c.editors or [])}
                for c in uow.session.scalars(select(TagCategory).order_by(TagCategory.name))
            ]
            counts = tags.tag_counts(uow, now)
            rules = [_rule(r) for r in autotag.list_rules(uow)]
        context = {"section": "tags", "categories": categories, "counts": counts, "rules": rules}
        return show(request, viewer, "ui/tags.html", context)

    @api.get("/tags/rules/{name}/dry-run")
    def rule_dry_run(request: Request, viewer: Annotated[Viewer, page("tags:read")], name: str) -> Response:
        with container.uow() as uow:
            definition = autotag.get_rule(uow, name).definition
        found = _dry_run(container, definition, viewer.language)
        return show(request, viewer, "ui/fragments/dry_run.html", {"found": found})

    return api


def _rule(rule: Any) -> dict[str, Any]:
    """A rule as the page lists it: its definition in one line, as saved."""
    says = ", ".join(f"{k}={v}" for k, v in rule.definition.items() if k != "kind")
    return {"name": rule.name, "kind": rule.kind, "enabled": rule.enabled, "version": rule.version, "says": says}


def _dry_run(container: Container, definition: dict[str, Any], language: str) -> dict[str, Any]:
    try:
        with container.uow(dry_run=True) as uow:
            return autotag.dry_run(uow, definition, container.clock.now())
    except HeraldError as exc:
        return {"error": reason_of(exc, language)}
