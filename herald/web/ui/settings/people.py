"""`/settings` for the people who use Herald: a user's role changed, their account disabled or enabled
again, a new first password set (their sessions end); and, in a workspace other than the default, its
members — a user given a role here, or taken out. The access room's rules hold as in the CLI and the API:
only an owner makes, changes or disables an owner, and the last owner stays one. A refusal shows above
the users' table in the viewer's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from herald import access
from herald.errors import HeraldError
from herald.web.ui.forms import form_fields
from herald.web.ui.pages import Viewer, check_csrf, page, reason_of, show, status_of
from herald.web.ui.settings.page import sections

if TYPE_CHECKING:
    from herald.bootstrap import Container

USERS = "users:manage"


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.post("/settings/users/{name}/{change}")
    async def change_user(request: Request, viewer: Annotated[Viewer, page(USERS)], name: str, change: str) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        now, by = container.clock.now(), viewer.actor
        changes: dict[str, Callable[[Any], Any]] = {
            "role": lambda uow: access.set_role(uow, name, fields.get("role", ""), by=by),
            "disable": lambda uow: access.set_disabled(uow, name, True, now, by=by),
            "enable": lambda uow: access.set_disabled(uow, name, False, now, by=by),
            "password": lambda uow: access.reset_password(uow, name, fields.get("password", ""), now, by=by),
        }
        if change not in changes:
            return Response(status_code=404)
        return _changed(request, container, viewer, f"users.{change}", name, changes[change])

    @api.post("/settings/members")
    async def add_member(request: Request, viewer: Annotated[Viewer, page(USERS)]) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        name, role = fields.get("name", "").strip().lower(), fields.get("role", "")
        add = lambda uow: access.add_member(uow, viewer.workspace, name, role, by=viewer.actor)  # noqa: E731
        return _changed(request, container, viewer, "members.add", name, add)

    @api.post("/settings/members/{name}/remove")
    async def remove_member(request: Request, viewer: Annotated[Viewer, page(USERS)], name: str) -> Response:
        check_csrf(viewer, await form_fields(request))
        remove = lambda uow: access.remove_member(uow, viewer.workspace, name)  # noqa: E731
        return _changed(request, container, viewer, "members.remove", name, remove)

    return api


def _changed(
    request: Request, container: Container, viewer: Viewer, action: str, name: str, change: Callable[[Any], Any]
) -> Response:
    """Make the change in one audited unit of work on the control store; the page again, or the page with
    the refusal when the access room refused it (nothing written)."""
    subject = f"user={name[:64]} workspace={viewer.workspace}"
    try:
        with container.control_uow(actor=viewer.actor, action=f"web {action}", subject=subject) as uow:
            change(uow)
    except HeraldError as exc:
        context = sections(container, viewer) | {"people_error": reason_of(exc, viewer.language)}
        return show(request, viewer, "ui/settings.html", context, status=status_of(exc))
    return RedirectResponse(f"{viewer.base}/settings?user={name}#people", status_code=303)
