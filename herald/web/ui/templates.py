"""`/templates`: every template with its versions' review states; `/templates/new` and
`/templates/{ref}`: the editor — SMS, e-mail (subject, preheader, HTML, text) or WhatsApp (its content
as JSON) — with, as one types, the preview for a chosen contact, the SMS encoding, segments and cost,
and the lint findings at their line and column; and the review: submit, withdraw, approve or reject with
a reason (approvers only, never their own version)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from herald import campaigns, content
from herald.contacts import Contact
from herald.content import RenderError, lint_content
from herald.errors import HeraldError, Invalid, NotFound
from herald.types import Channel, Purpose, as_id, parse_enum
from herald.web.ui.forms import form_fields
from herald.web.ui.language.refusals import in_language
from herald.web.ui.pages import PageRefused, Viewer, audited, check_csrf, page, reason_of, show

if TYPE_CHECKING:
    from herald.bootstrap import Container

REVIEWS = {"submit": "templates:write", "withdraw": "templates:write", "approve": "templates:review"}
REVIEWS["reject"] = "templates:review"


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/templates")
    def template_list(request: Request, viewer: Annotated[Viewer, page("templates:read")]) -> Response:
        with container.uow() as uow:
            rows = [_summary(uow, t) for t in content.all_templates(uow)]
        return show(request, viewer, "ui/templates.html", {"section": "templates", "rows": rows})

    @api.get("/templates/new")
    def new(request: Request, viewer: Annotated[Viewer, page("templates:write")]) -> Response:
        return show(request, viewer, "ui/template_edit.html", _editor(container, {"channel": "sms"}, {}, None))

    @api.post("/templates/new")
    async def create(request: Request, viewer: Annotated[Viewer, page("templates:write")]) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        try:
            with audited(container, viewer, "templates.create") as uow:
                version = content.create_template(
                    uow,
                    fields.get("name", ""),
                    parse_enum(Channel, fields.get("channel", ""), "channel"),
                    _content(fields),
                    author=viewer.actor.label,
                    now=container.clock.now(),
                    purpose=parse_enum(Purpose, fields.get("purpose") or "marketing", "purpose"),
                    locale=fields.get("locale") or "en",
                )
                name = content.get_template(uow, version.template_id).name
        except HeraldError as exc:
            context = _editor(
                container, fields, {_field(exc, fields.get("channel", "")): reason_of(exc, viewer.language)}, None
            )
            return show(request, viewer, "ui/template_edit.html", context, status=422)
        return RedirectResponse(f"{viewer.base}/templates/{name}", status_code=303)

    @api.post("/templates/check")
    async def check(request: Request, viewer: Annotated[Viewer, page("templates:read")]) -> Response:
        """What the draft being typed gives: its preview, SMS encoding and segments, cost, lint findings."""
        fields = await form_fields(request)
        return show(request, viewer, "ui/fragments/template_check.html", _checked(container, fields, viewer.language))

    @api.get("/templates/fields")
    def channel_fields(
        request: Request, viewer: Annotated[Viewer, page("templates:write")], channel: str = "sms"
    ) -> Response:
        """The editor's fields for a channel, swapped in when the channel is changed."""
        context = {"channel": channel, "given": {"channel": channel}, "errors": {}}
        return show(request, viewer, "ui/fragments/template_fields.html", context)

    @api.get("/templates/{ref}")
    def detail(request: Request, viewer: Annotated[Viewer, page("templates:read")], ref: str) -> Response:
        given, context = _stored(container, ref, viewer)
        return show(request, viewer, "ui/template_edit.html", _editor(container, given, {}, ref) | context)

    @api.post("/templates/{ref}/edit")
    async def edit(request: Request, viewer: Annotated[Viewer, page("templates:write")], ref: str) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        try:
            with audited(container, viewer, "templates.edit", f"ref={ref}") as uow:
                template = _template(uow, ref, viewer)
                latest = content.latest_version(uow, template)
                content.edit_version(
                    uow,
                    template,
                    _content({**fields, "channel": template.channel}),
                    locale=latest.locale,
                    variant=latest.variant,
                    author=viewer.actor.label,
                    now=container.clock.now(),
                )
        except HeraldError as exc:
            return _refused_edit(request, viewer, container, ref, fields, exc)
        return RedirectResponse(f"{viewer.base}/templates/{ref}?saved=1", status_code=303)

    @api.post("/templates/{ref}/versions")
    async def add_version(request: Request, viewer: Annotated[Viewer, page("templates:write")], ref: str) -> Response:
        """Another language or A/B variant of the template, started from the latest version's text."""
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        locale, variant = fields.get("locale", "").strip(), fields.get("variant", "").strip() or "A"
        try:
            with audited(container, viewer, "templates.add_version", f"ref={ref}") as uow:
                template = _template(uow, ref, viewer)
                latest = content.latest_version(uow, template)
                now, who = container.clock.now(), viewer.actor.label
                content.add_version(uow, template, latest.content, locale=locale, variant=variant, author=who, now=now)
        except HeraldError as exc:
            return _refused_edit(request, viewer, container, ref, fields, exc, field="version")
        return RedirectResponse(f"{viewer.base}/templates/{ref}?saved=1", status_code=303)

    @api.post("/templates/{ref}/review")
    async def review(request: Request, viewer: Annotated[Viewer, page("templates:read")], ref: str) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        action = fields.get("action", "")
        if action not in REVIEWS or not viewer.may(REVIEWS[action]):
            raise PageRefused(403, f"you may not {action or 'do that'}", viewer.language)
        try:
            with audited(container, viewer, f"templates.{action}", f"ref={ref}") as uow:
                template = _template(uow, ref, viewer)
                version = content.latest_version(uow, template)
                profile = container.template_profile(uow, template, version.locale)
                found = lint_content(template.channel, template.purpose, version.content, profile)
                now, reason = container.clock.now(), fields.get("reason") or None
                content.review(uow, version, action, actor=viewer.actor.label, now=now, reason=reason, findings=found)
        except HeraldError as exc:
            return _refused_edit(request, viewer, container, ref, fields, exc, field="review")
        return RedirectResponse(f"{viewer.base}/templates/{ref}?done={action}", status_code=303)

    return api


def _refused_edit(
    request: Request,
    viewer: Viewer,
    container: Container,
    ref: str,
    fields: Mapping[str, str],
    exc: HeraldError,
    field: str | None = None,
) -> Response:
    """The editor again, with what was typed (unless the refusal was the review's) and the reason beside
    its field."""
    given, context = _stored(container, ref, viewer)
    if field is None:
        given |= {k: v for k, v in fields.items() if k != "csrf"}
    errors = {field or _field(exc, given.get("channel", "")): reason_of(exc, viewer.language)}
    context = _editor(container, given, errors, context["name"]) | context
    return show(request, viewer, "ui/template_edit.html", context, status=422)


def _stored(container: Container, ref: str, viewer: Viewer) -> tuple[dict[str, Any], dict[str, Any]]:
    """The template's latest version as the editor's fields, and its versions."""
    with container.uow() as uow:
        template = _template(uow, ref, viewer)
        latest = content.latest_version(uow, template)
        given = {"name": template.name, "channel": template.channel, "purpose": template.purpose}
        given |= {"locale": latest.locale, **_fields_of(template.channel, latest.content)}
        versions = content.versions(uow, template)
        name = template.name
        uow.session.expunge_all()  # read only: the rows outlive the unit of work
    return given, {"versions": versions, "latest": latest, "name": name}


def _template(uow: Any, ref: str, viewer: Viewer) -> Any:
    try:
        return content.get_template(uow, ref)
    except NotFound as exc:
        raise PageRefused(404, reason_of(exc, viewer.language), viewer.language) from None


def _summary(uow: Any, template: Any) -> dict[str, Any]:
    newest = content.newest_versions(uow, template)
    states = [f"{loc}/{var} v{v.version}: {v.status}" for (loc, var), v in sorted(newest.items())]
    latest = max(newest.values(), key=lambda v: v.id) if newest else None
    return {
        "name": template.name,
        "channel": template.channel,
        "purpose": template.purpose,
        "states": states,
        "author": latest.author if latest else None,
    }


def _content(fields: Mapping[str, str]) -> dict[str, Any]:
    """The version's content from the editor's fields, by channel."""
    channel = fields.get("channel", "")
    if channel == "email":
        return {k: fields.get(k, "") for k in ("subject", "preheader", "html", "text")}
    if channel == "whatsapp":
        return _whatsapp(fields)
    return {"body": fields.get("body", "")}


def _whatsapp(fields: Mapping[str, str]) -> dict[str, Any]:
    """A WhatsApp template from the form's parts — category, header, body, its `{{n}}` parameters one per
    line (`1=first_name | default('there')`), footer, buttons as JSON — or free-form text (a reply
    inside the customer-service window)."""
    if not fields.get("wa_body", "").strip() and fields.get("wa_text", "").strip():
        return {"text": fields["wa_text"]}
    data: dict[str, Any] = {"category": fields.get("wa_category") or "MARKETING", "body": fields.get("wa_body", "")}
    data["params"] = campaigns.lines_of(fields.get("wa_params", ""), "wa_params")
    if fields.get("wa_header", "").strip():
        data["header"] = {"format": "TEXT", "text": fields["wa_header"]}
    if fields.get("wa_footer", "").strip():
        data["footer"] = fields["wa_footer"]
    if fields.get("wa_buttons", "").strip():
        try:
            data["buttons"] = json.loads(fields["wa_buttons"])
        except json.JSONDecodeError as exc:
            raise Invalid(f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}", where="wa_buttons") from None
    return data


def _fields_of(channel: str, data: Mapping[str, Any]) -> dict[str, str]:
    if channel == "email":
        return {k: str(data.get(k) or "") for k in ("subject", "preheader", "html", "text")}
    if channel == "whatsapp":
        if "text" in data:
            return {"wa_text": str(data["text"])}
        params = "\n".join(f"{k}={v}" for k, v in (data.get("params") or {}).items())
        header = (data.get("header") or {}).get("text", "")
        buttons = json.dumps(data["buttons"], ensure_ascii=False) if data.get("buttons") else ""
        found = {"wa_category": str(data.get("category") or ""), "wa_body": str(data.get("body") or "")}
        return found | {
            "wa_params": params,
            "wa_header": header,
            "wa_footer": str(data.get("footer") or ""),
            "wa_buttons": buttons,
        }
    return {"body": str(data.get("body") or "")}


def _editor(container: Container, given: Mapping[str, Any], errors: dict[str, str], name: str | None) -> dict[str, Any]:
    with container.uow() as uow:
        sample = uow.session.scalars(select(Contact).where(Contact.erased_at.is_(None)).order_by(Contact.id).limit(1))
        first = next(iter(sample), None)
    return {
        "section": "templates",
        "given": given,
        "errors": errors,
        "name": name,
        "contact_id": first.id if first else "",
        "channels": [c.value for c in Channel],
        "purposes": [p.value for p in Purpose],
    }


def _checked(container: Container, fields: Mapping[str, str], language: str) -> dict[str, Any]:
    """The live check of a draft: rendered for a contact, analysed and linted; errors at their field."""
    channel = fields.get("channel", "sms")
    found: dict[str, Any] = {"channel": channel, "error": None, "findings": [], "sms": None, "rendered": None}
    try:
        data = _content(fields)
        purpose = parse_enum(Purpose, fields.get("purpose") or "marketing", "purpose")
        with container.uow() as uow:
            uow.dry_run = True
            profile = container.lint_profile(uow, [])
            found["findings"] = [f.as_dict() for f in lint_content(channel, purpose.value, data, profile)]
            contact = _contact(uow, fields.get("contact", ""))
            if contact is not None:
                context = campaigns.build_context(contact, "preview", container.clock.now())
                composed = content.compose(channel, data, context, name=fields.get("name", ""))
                found["rendered"] = {"subject": composed.subject, "body": composed.body}
                if channel == "sms":
                    found["sms"] = content.analyze(composed.body).as_dict()
                    found["cost"] = _cost(container, found["sms"]["segments"], contact.region)
    except (HeraldError, RenderError) as exc:
        found["error"] = in_language(str(exc), language)
    return found


def _contact(uow: Any, ref: str) -> Contact | None:
    # as_id, not str.isdigit: "²" is a digit to Python and no number to int().
    contact_id = as_id(ref)
    return uow.session.get(Contact, contact_id) if contact_id else None


def _cost(container: Container, segments: int, region: str | None) -> dict[str, Any] | None:
    estimate = content.estimate(container.prices(), "sms", [(region, 1, segments)]).as_dict()
    return {"total": estimate.get("total"), "currency": estimate.get("currency")}


def _field(error: HeraldError, channel: str = "") -> str:
    """The editor's field a refusal names ("template 'x' body" → body; a WhatsApp part → wa_PART)."""
    where = getattr(error, "where", None) or ""
    if where.startswith("wa_"):
        return where
    last = where.rsplit(" ", 1)[-1].split("[")[0]
    if channel == "whatsapp" and last in ("body", "header", "footer", "buttons", "category", "params", "text"):
        return f"wa_{last}"
    if last in ("subject", "preheader", "html", "text", "body", "channel", "purpose", "locale"):
        return last
    return "name" if where.startswith("template") else "form"
