"""`/settings#alert-rules`: the alert rules — the defaults and the workspace's own — with what each
watches in words; a rule saved (a default's name changes the default), switched off or on, removed (a
changed default goes back to its own). Each rule is checked by the analytics room as in the CLI and the
API; a refusal shows beside the form in the viewer's language and nothing is saved."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from herald import analytics
from herald.errors import HeraldError, Invalid
from herald.web.ui.forms import form_fields
from herald.web.ui.pages import PageRefused, Viewer, audited, check_csrf, page, reason_of, show, status_of
from herald.web.ui.settings.page import sections

if TYPE_CHECKING:
    from herald.bootstrap import Container

ALERTS = "alerts:manage"
FIELDS = ("metric", "threshold", "window_minutes", "min_volume", "per", "action", "label")
WHOLE = ("window_minutes", "min_volume")


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.post("/settings/alert-rules")
    async def save(request: Request, viewer: Annotated[Viewer, page(ALERTS)]) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        name = fields.get("name", "").strip()
        try:
            with audited(container, viewer, "alerts.rules.set", f"rule={name[:64]}") as uow:
                analytics.save_rule(uow, name, rule_table(fields), container.clock.now())
        except HeraldError as exc:
            said = {"rule_error": reason_of(exc, viewer.language), "rule_given": fields}
            return show(request, viewer, "ui/settings.html", sections(container, viewer) | said, status=status_of(exc))
        return RedirectResponse(f"{viewer.base}/settings#alert-rules", status_code=303)

    @api.post("/settings/alert-rules/{name}/{change}")
    async def change(request: Request, viewer: Annotated[Viewer, page(ALERTS)], name: str, change: str) -> Response:
        check_csrf(viewer, await form_fields(request))
        if change not in ("on", "off", "remove"):
            return Response(status_code=404)
        try:
            with audited(container, viewer, f"alerts.rules.{change}", f"rule={name[:64]}") as uow:
                if change == "remove":
                    analytics.remove_rule(uow, name)
                else:
                    analytics.switch_rule(uow, name, change == "on", container.clock.now())
        except HeraldError as exc:
            raise PageRefused(status_of(exc), reason_of(exc, viewer.language), viewer.language) from None
        return RedirectResponse(f"{viewer.base}/settings#alert-rules", status_code=303)

    return api


def rule_table(fields: dict[str, str]) -> dict[str, Any]:
    """The form's fields as a rule's table: what was left empty is left out (the rule's default then
    holds); whole numbers are read as such, or refused naming the field."""
    table: dict[str, Any] = {k: v.strip() for k, v in fields.items() if k in FIELDS and v.strip()}
    for key in WHOLE:
        if key in table:
            try:
                table[key] = int(table[key])
            except ValueError:
                raise Invalid(f"{key}: expected a whole number, got {table[key]!r}", where="alert rule") from None
    return table
