"""`/segments`: the saved segments, and the builder — the expression with suggestions of tags, event types
and attributes (those of a sample of contacts), the live count and a sample of who matches as one
types, an error at its column, and saving as a dynamic or a static segment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from herald import contacts, events, segments, tags
from herald.contacts import Contact
from herald.errors import HeraldError
from herald.web.ui.forms import form_fields
from herald.web.ui.language.refusals import in_language
from herald.web.ui.pages import Viewer, audited, check_csrf, page, reason_of, show

if TYPE_CHECKING:
    from herald.bootstrap import Container

SAMPLE = 10
ATTRIBUTES = 500  # contacts whose attributes' names are suggested (a sample: a million would take too long)
KEYWORDS: tuple[str, ...] = ("has:phone", "has:email", "consent:sms", "consent:whatsapp", "consent:email")
KEYWORDS += ("clicked within 7d", "replied within 30d", "no_reply within 90d", "stage:active", "rfm.r >= 4")


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/segments")
    def builder(request: Request, viewer: Annotated[Viewer, page("segments:read")], q: str = "") -> Response:
        return show(request, viewer, "ui/segments.html", _page(container, q, {}))

    @api.get("/segments/count")
    @api.post("/segments/check")
    async def check(request: Request, viewer: Annotated[Viewer, page("segments:read")]) -> Response:
        """The live count and sample of the expression being typed (a form field named `q` or `segment`)."""
        fields = await form_fields(request) if request.method == "POST" else dict(request.query_params)
        text = fields.get("q") or fields.get("segment") or ""
        return show(request, viewer, "ui/fragments/segment_check.html", _checked(container, text, viewer.language))

    @api.post("/segments")
    async def save(request: Request, viewer: Annotated[Viewer, page("segments:write")]) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        name, text = fields.get("name", "").strip(), fields.get("q", "")
        try:
            with audited(container, viewer, "segments.save", f"name={name[:64]}") as uow:
                segments.save_segment(uow, name, text, container.clock.now(), fields.get("kind") or "dynamic")
        except HeraldError as exc:
            where = "name" if "name" in (getattr(exc, "where", "") or "") else "q"
            return show(
                request,
                viewer,
                "ui/segments.html",
                _page(container, text, {where: reason_of(exc, viewer.language)}),
                status=422,
            )
        return RedirectResponse(f"{viewer.base}/segments?saved={name}", status_code=303)

    return api


def _page(container: Container, text: str, errors: dict[str, str]) -> dict[str, Any]:
    with container.uow() as uow:
        saved = segments.list_segments(uow)
        tag_names = tags.search_tags(uow, "", 100)
        types = events.event_types(uow.session)
        sampled = uow.session.scalars(select(Contact.attributes).where(Contact.erased_at.is_(None)).limit(ATTRIBUTES))
        keys = sorted({k for attributes in sampled for k in (attributes or {})})
    terms = [*(f"tag:{t}" for t in tag_names), *(f"event:{t}" for t in types), *(f"attr.{k}" for k in keys), *KEYWORDS]
    return {"section": "segments", "q": text, "saved": saved, "terms": terms, "errors": errors}


def _checked(container: Container, text: str, language: str) -> dict[str, Any]:
    if not text.strip():
        return {"empty": True}
    now = container.clock.now()
    try:
        with container.uow() as uow:
            total = segments.count(uow.session, text, now)
            sample = [contacts.contact_out(c) for c in segments.members(uow.session, text, SAMPLE, 0, now)]
    except HeraldError as exc:
        return {"error": in_language(str(exc), language)}
    return {"count": total, "sample": sample}
