"""`/inbox`: complaint cases, the most pressing first, with their deadlines — assign, answer and close
each — and the latest replies people sent, as the classifier read them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from herald import tracking
from herald.errors import HeraldError
from herald.tracking import InboundMessage
from herald.web.ui.forms import form_fields
from herald.web.ui.pages import Viewer, audited, check_csrf, page, reason_of, show

if TYPE_CHECKING:
    from herald.bootstrap import Container

REPLIES = 50


def router(container: Container) -> APIRouter:
    api = APIRouter()

    @api.get("/inbox")
    def inbox(request: Request, viewer: Annotated[Viewer, page("inbox:read")], overdue: bool = False) -> Response:
        return show(request, viewer, "ui/inbox.html", _inbox(container, overdue, {}))

    @api.post("/inbox/cases/{case_id}")
    async def act(request: Request, viewer: Annotated[Viewer, page("inbox:write")], case_id: int) -> Response:
        fields = await form_fields(request)
        check_csrf(viewer, fields)
        action, now = fields.get("action", ""), container.clock.now()
        try:
            with audited(container, viewer, f"inbox.{action or 'case'}", f"case_id={case_id}") as uow:
                if action == "assign":
                    tracking.assign_case(uow, case_id, fields.get("assignee") or viewer.actor.label)
                elif action == "answer":
                    tracking.answer_case(uow, case_id, fields.get("answer", ""), now)
                else:
                    tracking.close_case(uow, case_id, fields.get("note", ""), now)
        except HeraldError as exc:
            errors = {case_id: reason_of(exc, viewer.language)}
            return show(request, viewer, "ui/inbox.html", _inbox(container, False, errors), status=422)
        return RedirectResponse(f"{viewer.base}/inbox#case-{case_id}", status_code=303)

    return api


def _inbox(container: Container, overdue: bool, errors: dict[int, str]) -> dict[str, object]:
    now = container.clock.now()
    with container.uow() as uow:
        cases = tracking.list_cases(uow, now, overdue=overdue)
        stmt = select(InboundMessage).order_by(InboundMessage.id.desc()).limit(REPLIES)
        replies = [
            {"at": m.received_at, "channel": m.channel, "contact": m.contact_id, "text": m.text, "intent": m.intent}
            for m in uow.session.scalars(stmt)
        ]
    return {"section": "inbox", "cases": cases, "replies": replies, "errors": errors, "overdue": overdue}
