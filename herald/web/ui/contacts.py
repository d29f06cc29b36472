"""`/contacts`: search by name, phone (any format) or e-mail, narrowed by a segment expression (a tag,
say), a page at a time by keyset; the count arrives by htmx. `/contacts/{id}`: the profile — addresses,
consent now and its history with proof, suppressions, tags, scores, the timeline of events and messages —
with editing, tagging, suppressing an address, the person's data as JSON, and erasure after a
confirmation naming what goes."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import ColumnElement, func, select

from herald import contacts, people, scores, segments, tags
from herald.contacts import Contact
from herald.errors import HeraldError, Invalid, NotFound
from herald.types import MAX_ID, Channel
from herald.web.deps import ContactId
from herald.web.ui.forms import form_fields
from herald.web.ui.pages import PageRefused, Viewer, audited, check_csrf, page, reason_of, show

if TYPE_CHECKING:
    from herald.bootstrap import Container

PAGE = 50


def router(container: Container) -> APIRouter:
    api = APIRouter()

    def where(session: Any, q: str, segment: str) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if segment.strip():
            ids = segments.audience_select(session, segment, container.clock.now()).order_by(None)
            found.append(Contact.id.in_(ids.scalar_subquery()))
        if q.strip():
            found.append(contacts.matching(session, q, container.settings.default_region))
        return found

    @api.get("/contacts")
    def contact_list(
        request: Request,
        viewer: Annotated[Viewer, page("contacts:read")],
        q: str = "",
        segment: str = "",
        after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
    ) -> Response:
        error, rows = None, []
        with container.uow() as uow:
            try:
                found = where(uow.session, q, segment)
                stmt = select(Contact).where(*found, Contact.id > after, Contact.erased_at.is_(None))
                rows = list(uow.session.scalars(stmt.order_by(Contact.id).limit(PAGE + 1)))
            except HeraldError as exc:
                error = reason_of(exc, viewer.language)
        more = len(rows) > PAGE
        shown = [contacts.contact_out(c) for c in rows[:PAGE]]
        context: dict[str, Any] = {"section": "contacts", "q": q, "segment": segment, "rows": shown, "error": error}
        context |= {"next_after": shown[-1]["id"] if more and shown else None, "after": after}
        return show(request, viewer, "ui/contacts.html", context)

    @api.get("/contacts/count")
    def contact_count(
        request: Request, viewer: Annotated[Viewer, page("contacts:read")], q: str = "", segment: str = ""
    ) -> Response:
        """The number the list's filter matches, asked for after the page has shown (it may take a while)."""
        with container.uow() as uow:
            try:
                stmt = select(func.count()).select_from(Contact).where(*where(uow.session, q, segment))
                total = uow.session.scalar(stmt.where(Contact.erased_at.is_(None))) or 0
            except HeraldError:
                return HTMLResponse("")
        return show(request, viewer, "ui/fragments/count.html", {"total": total})

    @api.get("/contacts/{contact_id}")
    def profile(request: Request, viewer: Annotated[Viewer, page("contacts:read")], contact_id: ContactId) -> Response:
        return show(request, viewer, "ui/contact.html", _profile(container, contact_id, viewer))

    @api.get("/contacts/{contact_id}/export")
    def export(viewer: Annotated[Viewer, page("contacts:export")], contact_id: ContactId) -> Response:
        with audited(container, viewer, "contacts.export", f"contact_id={contact_id}") as uow:
            found = _found(lambda: people.export_person(uow, contact_id), viewer)
        body = json.dumps(found, ensure_ascii=False, indent=2, default=str)
        disposition = f'attachment; filename="contact-{contact_id}.json"'
        return Response(body, media_type="application/json", headers={"content-disposition": disposition})

    def on_profile(
        request: Request, viewer: Viewer, contact_id: int, action: str, work: Any, shown: dict[str, Any]
    ) -> Response:
        """Do `work` in a unit of work audited as the viewer's `contacts.ACTION`; back to the profile, or the
        profile again with the refusal beside the form that asked (`ACTION_error`) and what was typed."""
        try:
            with audited(container, viewer, f"contacts.{action}", f"contact_id={contact_id}") as uow:
                work(uow)
        except HeraldError as exc:
            said = {f"{action}_error": reason_of(exc, viewer.language), **shown}
            return show(request, viewer, "ui/contact.html", _profile(container, contact_id, viewer) | said, 422)
        return RedirectResponse(f"{viewer.base}/contacts/{contact_id}?saved=1", status_code=303)

    @api.post("/contacts/{contact_id}/tags")
    async def tag(
        request: Request, viewer: Annotated[Viewer, page("contacts:write")], contact_id: ContactId
    ) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        name, by, now = fields.get("tag", "").strip(), viewer.actor.label, container.clock.now()

        def work(uow: Any) -> None:
            if fields.get("remove"):
                tags.untag_contacts(uow, name, [contact_id])
            else:
                tags.tag_contacts(uow, name, [contact_id], by, now)

        return on_profile(request, viewer, contact_id, "tag", work, {"tag_given": name})

    @api.post("/contacts/{contact_id}/edit")
    async def edit(
        request: Request, viewer: Annotated[Viewer, page("contacts:write")], contact_id: ContactId
    ) -> Response:
        """Change the name, phone, e-mail or time zone (a phone in any format, normalized as on import)."""
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        given: dict[str, Any] = {k: fields[k].strip() for k in ("name", "phone", "email", "timezone") if fields.get(k)}
        now = container.clock.now()

        def work(uow: Any) -> None:
            contact = contacts.get_contact(uow, contact_id)
            data = {"phone": contact.phone, "email": contact.email, **given}
            item = contacts.parse_one(data, now, contact.region or container.settings.default_region)
            contacts.update_contact(uow, contact_id, item, set(given), now)

        return on_profile(request, viewer, contact_id, "edit", work, {})

    @api.post("/contacts/{contact_id}/suppress")
    async def suppress(
        request: Request, viewer: Annotated[Viewer, page("consent:write")], contact_id: ContactId
    ) -> Response:
        """Put one of the person's addresses on the suppression list, with why."""
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        channel, now = fields.get("channel", ""), container.clock.now()
        why = fields.get("detail") or f"suppressed by {viewer.actor.label}"

        def work(uow: Any) -> None:
            contact = contacts.get_contact(uow, contact_id)
            kind = Channel(channel) if channel in {c.value for c in Channel} else Channel.SMS
            address = contact.email if kind is Channel.EMAIL else contact.phone
            if not address:
                raise Invalid(f"contact {contact_id} has no {kind.value} address", where="channel")
            contacts.suppress(uow, kind, address, "manual", now, detail=why)

        return on_profile(request, viewer, contact_id, "suppress", work, {})

    @api.post("/contacts/{contact_id}/erase")
    async def erase(
        request: Request, viewer: Annotated[Viewer, page("contacts:erase")], contact_id: ContactId
    ) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        if fields.get("confirm") != str(contact_id):
            context = _profile(container, contact_id, viewer) | {"erase_error": True}
            return show(request, viewer, "ui/contact.html", context, status=422)
        now, key = container.clock.now(), container.settings.secret_key
        with audited(container, viewer, "contacts.erase", f"contact_id={contact_id}") as uow:
            _found(lambda: people.erase_person(uow, contact_id, now, key), viewer)
        return RedirectResponse(f"{viewer.base}/contacts?erased={contact_id}", status_code=303)

    return api


def _found(get: Any, viewer: Viewer) -> Any:
    try:
        return get()
    except NotFound as exc:
        raise PageRefused(404, reason_of(exc, viewer.language), viewer.language) from None


def _profile(container: Container, contact_id: int, viewer: Viewer) -> dict[str, Any]:
    """Everything the profile shows of one person."""
    with container.uow() as uow:
        found = _found(lambda: contacts.person(uow, contact_id), viewer)
        contact = contacts.get_contact(uow, contact_id)
        data = {
            "contact": contacts.contact_out(contact),
            "erased": contact.erased_at,
            "consents": found["consents"],
            "history": found["consent_history"],
            "suppressions": found["suppressions"],
            "tags": tags.tags_of(uow, contact_id, container.clock.now()),
            "score": uow.session.get(scores.ContactScore, contact_id),
            "timeline": people.timeline(uow, contact_id, 100),
        }
    return {"section": "contacts", **data}
