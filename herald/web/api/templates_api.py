"""`/api/v1/templates` and Meta's template-status webhook."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from herald import content
from herald.campaigns import Request as PreviewRequest
from herald.campaigns import preview
from herald.content import (
    CreatedTemplate,
    FindingOut,
    PreviewIn,
    PreviewOut,
    ReviewIn,
    Template,
    TemplateIn,
    TemplateOut,
    TemplateVersion,
    VersionOut,
    WebhookApplied,
    lint_content,
    meta_status_updates,
)
from herald.db import UnitOfWork
from herald.errors import Forbidden, Invalid
from herald.providers import Callback, meta_signed
from herald.types import Channel, Purpose, parse_enum
from herald.web.auth import need
from herald.web.deps import ErrorOut, Unit
from herald.web.public.subscription import CHALLENGE_ANSWERED, answer_challenge

if TYPE_CHECKING:
    from herald.bootstrap import Container

log = logging.getLogger("herald.webhooks")


def version_out(v: TemplateVersion) -> VersionOut:
    return VersionOut(
        id=v.id,
        locale=v.locale,
        variant=v.variant,
        version=v.version,
        status=v.status,
        author=v.author,
        reviewer=v.reviewer,
        review_note=v.review_note,
        meta_status=v.meta_status,
        content=v.content,
    )


def template_out(unit: Unit, t: Template) -> TemplateOut:
    return TemplateOut(
        id=t.id,
        name=t.name,
        channel=t.channel,
        purpose=t.purpose,
        category=t.category,
        default_locale=t.default_locale,
        presets=list(t.presets or []),
        versions=[version_out(v) for v in content.versions(unit, t)],
    )


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/api/v1/templates", dependencies=[need("templates:read")])
    def list_templates(unit: Unit) -> list[TemplateOut]:
        return [template_out(unit, t) for t in content.all_templates(unit)]

    @api.get("/api/v1/templates/{ref}", dependencies=[need("templates:read")])
    def get_template(unit: Unit, ref: str) -> TemplateOut:
        return template_out(unit, content.get_template(unit, ref))

    @api.post("/api/v1/templates", status_code=201, dependencies=[need("templates:write")])
    def create_template(unit: Unit, body: TemplateIn, request: Request) -> CreatedTemplate:
        """A template's first version, a draft written by the caller."""
        version = content.create_template(
            unit,
            body.name,
            parse_enum(Channel, body.channel, "channel"),
            body.content,
            author=request.state.actor.label,
            now=container.clock.now(),
            purpose=parse_enum(Purpose, body.purpose, "purpose"),
            locale=body.locale,
            presets=container.checked_presets(body.presets),
        )
        template = content.get_template(unit, version.template_id)
        findings = lint_content(
            template.channel,
            template.purpose,
            version.content,
            container.template_profile(unit, template, version.locale),
        )
        return CreatedTemplate(
            **template_out(unit, template).model_dump(),
            findings=[FindingOut.model_validate(f.as_dict()) for f in findings],
        )

    def review(unit: UnitOfWork, request: Request, ref: str, action: str, body: ReviewIn) -> VersionOut:
        template = content.get_template(unit, ref)
        version = content.latest_version(unit, template, body.locale, body.variant)
        presets = container.checked_presets(body.presets)
        profile = container.template_profile(unit, template, version.locale, presets)
        findings = lint_content(template.channel, template.purpose, version.content, profile)
        actor = request.state.actor.label
        now = container.clock.now()
        content.review(unit, version, action, actor=actor, now=now, reason=body.reason, findings=findings)
        return version_out(version)

    @api.post("/api/v1/templates/{ref}/submit", dependencies=[need("templates:write")])
    def submit(unit: Unit, request: Request, ref: str, body: ReviewIn) -> VersionOut:
        """Ask for review of the latest version of a locale and variant; lint errors must be fixed first."""
        return review(unit, request, ref, "submit", body)

    @api.post("/api/v1/templates/{ref}/withdraw", dependencies=[need("templates:write")])
    def withdraw(unit: Unit, request: Request, ref: str, body: ReviewIn) -> VersionOut:
        """Take a version back from review to edit it."""
        return review(unit, request, ref, "withdraw", body)

    @api.post("/api/v1/templates/{ref}/approve", dependencies=[need("templates:review")])
    def approve(unit: Unit, request: Request, ref: str, body: ReviewIn) -> VersionOut:
        """Approve a pending version; its author may not (four eyes)."""
        return review(unit, request, ref, "approve", body)

    @api.post("/api/v1/templates/{ref}/reject", dependencies=[need("templates:review")])
    def reject(unit: Unit, request: Request, ref: str, body: ReviewIn) -> VersionOut:
        """Send a pending version back with a reason."""
        return review(unit, request, ref, "reject", body)

    @api.get("/api/v1/templates/{ref}/lint", dependencies=[need("templates:read")])
    def lint(
        unit: Unit,
        ref: str,
        locale: str | None = None,
        variant: str = "A",
        preset: Annotated[list[str] | None, Query()] = None,
    ) -> list[FindingOut]:
        template = content.get_template(unit, ref)
        version = content.latest_version(unit, template, locale, variant)
        return [
            FindingOut(**f.as_dict())
            for f in lint_content(
                template.channel,
                template.purpose,
                version.content,
                container.template_profile(unit, template, version.locale, preset or []),
            )
        ]

    @api.post("/api/v1/templates/{ref}/preview", dependencies=[need("templates:read")])
    def preview_template(unit: Unit, ref: str, body: PreviewIn) -> PreviewOut:
        request = PreviewRequest(
            ref, tuple(body.contacts), body.segment, body.sample, body.variant, not body.approved_only
        )
        unit.dry_run = True  # a preview writes nothing
        return PreviewOut(
            **preview(
                unit, request, container.lint_profile(unit, body.presets), container.prices(), container.clock.now()
            )
        )

    @api.get("/webhooks/whatsapp", response_class=Response, responses=CHALLENGE_ANSWERED)
    def verify_subscription(
        mode: Annotated[str, Query(alias="hub.mode")] = "",
        token: Annotated[str, Query(alias="hub.verify_token")] = "",
        challenge: Annotated[str, Query(alias="hub.challenge")] = "",
    ) -> PlainTextResponse:
        """Meta's subscription check for the app's template updates."""
        return answer_challenge(container.settings.whatsapp_verify_token or "", mode, token, challenge)

    @api.post("/webhooks/whatsapp", response_model=WebhookApplied, responses={400: {"model": ErrorOut}})
    async def whatsapp_webhook(request: Request) -> Any:
        """Meta's template status updates, verified by X-Hub-Signature-256 over the raw body. A signed body
        that is not shaped as Meta sends it is answered 400 (Meta retries 5xx for days) and logged."""
        raw = await request.body()
        check_signature(container.settings.whatsapp_app_secret, raw, request.headers.get("x-hub-signature-256", ""))
        try:
            updates = meta_status_updates(json.loads(raw))
        except (ValueError, RecursionError, Invalid) as exc:
            reason = str(exc) if isinstance(exc, Invalid) else "the body is not JSON Herald can read"
            log.warning("refused a signed WhatsApp webhook: %s", reason)
            return JSONResponse({"error": "Invalid", "detail": reason}, status_code=400)
        with container.unaudited() as unit:
            changed = content.apply_meta_status(unit, updates, container.clock.now())
        return WebhookApplied(template_updates=len(updates), applied=changed)

    return api


def check_signature(secret: str | None, raw: bytes, header: str) -> None:
    """Meta signs the raw body: `sha256=<hex HMAC-SHA256(app secret, body)>`; compared in constant time."""
    if not secret:
        raise Forbidden("set whatsapp_app_secret to accept Meta's webhooks")
    if not meta_signed(secret, Callback("", {"X-Hub-Signature-256": header.strip()}, raw, 0.0)):
        raise Forbidden("the X-Hub-Signature-256 signature does not match")
