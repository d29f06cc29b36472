"""`/settings`: the provider accounts and their health (an account paused by an alert is resumed here;
secrets are never shown), the alerts (acknowledged, resolved), the rules presets, the users and their
roles, the API keys (revoked here), and the audit log. Each section shows to whoever may see it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from herald import access, analytics, dispatch, rules
from herald.db import workspaces
from herald.errors import HeraldError
from herald.web.ui.forms import form_fields, form_lists
from herald.web.ui.pages import PageRefused, Viewer, audited, check_csrf, page, reason_of, show

if TYPE_CHECKING:
    from herald.bootstrap import Container

AUDIT_SHOWN = 50


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/settings")
    def settings(request: Request, viewer: Annotated[Viewer, page(None)]) -> Response:
        return show(request, viewer, "ui/settings.html", sections(container, viewer))

    @api.post("/settings/providers/{account}/resume")
    async def resume(request: Request, viewer: Annotated[Viewer, page("providers:manage")], account: str) -> Response:
        check_csrf(viewer, await form_fields(request))
        with audited(container, viewer, "providers.resume", f"account={account[:64]}") as uow:
            dispatch.resume_account(uow, account, container.clock.now())
        return RedirectResponse(f"{viewer.base}/settings#providers", status_code=303)

    @api.post("/settings/alerts/{alert_id}/{action}")
    async def alert(
        request: Request, viewer: Annotated[Viewer, page("alerts:manage")], alert_id: int, action: str
    ) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        now, who = container.clock.now(), viewer.actor.label
        try:
            with audited(container, viewer, f"alerts.{action}", f"alert_id={alert_id}") as uow:
                if action == "acknowledge":
                    analytics.acknowledge(uow, alert_id, who, now)
                else:
                    analytics.resolve(uow, alert_id, who, now, fields.get("note") or None)
        except HeraldError as exc:
            raise PageRefused(409, reason_of(exc, viewer.language), viewer.language) from None
        return RedirectResponse(f"{viewer.base}/settings#alerts", status_code=303)

    @api.post("/settings/users")
    async def add_user(request: Request, viewer: Annotated[Viewer, page("users:manage")]) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        name, role, now = fields.get("name", ""), fields.get("role", ""), container.clock.now()
        try:
            with container.control_uow(
                actor=viewer.actor, action="web users.create", subject=f"user={name[:64]}"
            ) as uow:
                access.create_user(uow, name, role, fields.get("password", ""), now, by=viewer.actor)
        except HeraldError as exc:
            context = sections(container, viewer) | {"user_error": reason_of(exc, viewer.language), "user_given": name}
            return show(request, viewer, "ui/settings.html", context, status=422)
        return RedirectResponse(f"{viewer.base}/settings?user={name}#roles", status_code=303)

    @api.post("/settings/keys")
    async def add_key(request: Request, viewer: Annotated[Viewer, page("keys:manage")]) -> Response:
        fields = await form_lists(request)
        one = {k: v[0] for k, v in fields.items() if v}
        check_csrf(viewer, one)
        name, now = one.get("name", ""), container.clock.now()
        try:
            with container.control_uow(actor=viewer.actor, action="web keys.create", subject=f"key={name[:64]}") as uow:
                made = access.create_key(
                    uow, name, fields.get("scope", []), viewer.actor, now, workspace=container.workspace
                )
                shown = made.key
        except HeraldError as exc:
            context = sections(container, viewer) | {"key_error": reason_of(exc, viewer.language), "key_given": name}
            return show(request, viewer, "ui/settings.html", context, status=422)
        # The whole key is shown this once, on this answer alone (never stored, never shown again).
        return show(request, viewer, "ui/settings.html", sections(container, viewer) | {"new_key": shown}, status=201)

    @api.post("/settings/keys/{name}/revoke")
    async def revoke(request: Request, viewer: Annotated[Viewer, page("keys:manage")], name: str) -> Response:
        check_csrf(viewer, await form_fields(request))
        try:
            with _controlled(container, viewer, "keys.revoke", f"key={name[:64]}") as uow:
                access.revoke_key(uow, name, container.clock.now(), container.workspace)
        except HeraldError as exc:
            raise PageRefused(404, reason_of(exc, viewer.language), viewer.language) from None
        return RedirectResponse(f"{viewer.base}/settings#keys", status_code=303)

    return api


def _controlled(container: Container, viewer: Viewer, action: str, subject: str) -> Any:
    """A unit of work on the control store (users, keys), audited as the viewer's `web ACTION`."""
    return container.control_uow(actor=viewer.actor, action=f"web {action}", subject=subject)


def sections(container: Container, viewer: Viewer) -> dict[str, Any]:
    """What each section shows, for the sections the viewer may see."""
    now, found = container.clock.now(), dict[str, Any](section="settings")
    if viewer.may("providers:manage"):
        with container.uow() as uow:
            health = dispatch.health_of(uow.session)
        found["providers"] = [
            {"name": a.name, "kind": a.kind, "state": health[a.name].state(now) if a.name in health else "closed"}
            | {"paused": a.name in health and health[a.name].open_until == dispatch.UNTIL_RESUMED}
            for a in sorted(container.accounts.values(), key=lambda a: a.name)
        ]
    if viewer.may("alerts:manage") or viewer.may("reports:read"):
        with container.uow() as uow:
            found["alerts"] = [analytics.alert_view(a) for a in analytics.list_alerts(uow, None, 50)]
    if viewer.may("alerts:manage"):
        found |= _alert_rules(container)
    found["presets"] = [_preset(n, viewer.language) for n in rules.preset_names()]
    catalogue = access.catalog()
    labels = {r: catalogue.labels.get(r, {}).get(viewer.language) or r for r in catalogue.roles}
    found["roles"] = [{"name": r, "label": labels[r], "permissions": sorted(p)} for r, p in catalogue.roles.items()]
    found["permissions"] = sorted(catalogue.permissions)
    with container.control_uow() as uow:
        if viewer.may("users:manage"):
            found["users"] = [_user(u, labels) for u in access.users(uow)]
            if container.workspace != workspaces.DEFAULT:
                found["members"] = [
                    {"name": n, "role": r, "label": labels.get(r, r)}
                    for n, r in access.members(uow, container.workspace)
                ]
        if viewer.may("keys:manage"):
            found["keys"] = [access.key_view(k, now).model_dump() for k in access.keys(uow, container.workspace)]
        if viewer.may("audit:read"):
            entries = access.audit_entries(uow, access.AuditFilter(), AUDIT_SHOWN)
            found["audit"] = [access.entry_data(e) for e in entries]
    return found


def _alert_rules(container: Container) -> dict[str, Any]:
    """The alert rules as the page lists them, and the choices its form offers."""
    with container.uow() as uow:
        found = [analytics.rule_view(rule, origin, active) for rule, origin, active in analytics.rules(uow)]
    return {"alert_rules": found, "alert_metrics": analytics.ALERT_METRICS, "alert_actions": analytics.ALERT_ACTIONS}


def _preset(name: str, language: str) -> dict[str, str]:
    """A preset's name and its description in the viewer's language (the preset's TOML carries both)."""
    data = rules.read_preset(name)
    said = data.get("description_zh") if language == "zh-CN" else None
    return {"name": name, "description": said or data.get("description", "")}


def _user(user: Any, labels: dict[str, str]) -> dict[str, Any]:
    return access.user_view(user).model_dump() | {"label": labels.get(user.role, user.role)}
