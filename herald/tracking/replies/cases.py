"""The complaint inbox: a case for each complaint, due within the preset's hours (24 unless it says
otherwise), assigned to a person, answered, and closed with a note. Overdue cases are those still open
(or answered and not closed) past their due time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from herald import contacts
from herald.db import UnitOfWork
from herald.errors import Invalid, NotFound
from herald.tracking.models import ComplaintCase
from herald.types import Channel

if TYPE_CHECKING:
    from herald.tracking.replies.policy import ReplyPolicy

STATES = ("open", "answered", "closed")
DEFAULT_WITHIN = timedelta(hours=24)


@dataclass(frozen=True)
class CaseOut:
    """A case as listed: its state, its deadline and whether it is past it."""

    id: int
    status: str
    overdue: bool
    due_at: datetime
    opened_at: datetime
    source: str
    contact_id: int | None
    channel: str | None
    address: str | None
    text: str
    assignee: str | None
    answer: str | None
    note: str | None
    closed_at: datetime | None

    @classmethod
    def of(cls, case: ComplaintCase, now: datetime) -> CaseOut:
        overdue = case.status != "closed" and case.due_at < now
        return cls(
            case.id,
            case.status,
            overdue,
            case.due_at,
            case.opened_at,
            case.source,
            case.contact_id,
            case.channel,
            case.address,
            case.text,
            case.assignee,
            case.answer,
            case.note,
            case.closed_at,
        )


def open_case(
    uow: UnitOfWork,
    contact_id: int | None,
    inbound_id: int | None,
    channel: str | None,
    address: str | None,
    text: str,
    source: str,
    policy: ReplyPolicy | None,
    now: datetime,
) -> ComplaintCase:
    """Open a complaint case due within the policy's time."""
    within = policy.complaint_within if policy is not None else DEFAULT_WITHIN
    case = ComplaintCase(
        contact_id=contact_id,
        inbound_id=inbound_id,
        channel=channel,
        address=address,
        text=text,
        source=source,
        status="open",
        opened_at=now,
        due_at=now + within,
    )
    uow.session.add(case)
    uow.flush()
    return case


def flag_complaint(
    uow: UnitOfWork, contact_id: int, text: str, channel: Channel | None, policy: ReplyPolicy | None, now: datetime
) -> ComplaintCase:
    """A person files a complaint for a contact (a call, a letter, a regulator's notice): a case is opened
    and the contact's address on the channel is suppressed, as for a complaint by reply."""
    if not text.strip():
        raise Invalid("say what the complaint is", where="text")
    contact = contacts.get_contact(uow, contact_id)
    address = (contact.email if channel is Channel.EMAIL else contact.phone) if channel is not None else None
    if channel is not None and not address:
        raise Invalid(f"contact {contact_id} has no {channel} address", where="channel")
    if channel is not None and address:
        contacts.suppress(uow, channel, address, "complaint", now, f"complaint filed by a person: {text[:200]!r}")
    return open_case(uow, contact_id, None, channel.value if channel else None, address, text, "person", policy, now)


def _case(uow: UnitOfWork, case_id: int) -> ComplaintCase:
    case = uow.session.get(ComplaintCase, case_id)
    if case is None:
        raise NotFound(f"no complaint case {case_id}")
    return case


def assign_case(uow: UnitOfWork, case_id: int, assignee: str) -> ComplaintCase:
    """Give the case to a person."""
    if not assignee.strip():
        raise Invalid("name the person the case goes to", where="assignee")
    case = _case(uow, case_id)
    if case.status == "closed":
        raise Invalid(f"case {case_id} is closed", where="case")
    case.assignee = assignee.strip()[:128]
    return case


def answer_case(uow: UnitOfWork, case_id: int, answer: str, now: datetime) -> ComplaintCase:
    """Record the answer given to the person."""
    if not answer.strip():
        raise Invalid("say what the person was told", where="answer")
    case = _case(uow, case_id)
    if case.status == "closed":
        raise Invalid(f"case {case_id} is closed", where="case")
    case.answer, case.status, case.answered_at = answer, "answered", now
    return case


def close_case(uow: UnitOfWork, case_id: int, note: str, now: datetime) -> ComplaintCase:
    """Close the case with a note on how it ended."""
    if not note.strip():
        raise Invalid("a case is closed with a note on how it ended", where="note")
    case = _case(uow, case_id)
    if case.status == "closed":
        raise Invalid(f"case {case_id} is closed already", where="case")
    case.note, case.status, case.closed_at = note, "closed", now
    return case


def overdue_cases(session: Session, now: datetime) -> int:
    """How many cases are past their deadline and not closed."""
    stmt = select(func.count()).where(ComplaintCase.status != "closed", ComplaintCase.due_at < now)
    return int(session.scalar(stmt.select_from(ComplaintCase)) or 0)


def list_cases(uow: UnitOfWork, now: datetime, status: str | None = None, overdue: bool = False) -> list[CaseOut]:
    """The cases, the most pressing first; by state, or only the overdue ones."""
    if status is not None and status not in STATES:
        raise Invalid(f"expected one of {', '.join(STATES)}, got {status!r}", where="status")
    stmt: Any = select(ComplaintCase).order_by(ComplaintCase.due_at, ComplaintCase.id)
    if status is not None:
        stmt = stmt.where(ComplaintCase.status == status)
    if overdue:
        stmt = stmt.where(ComplaintCase.status != "closed", ComplaintCase.due_at < now)
    return [CaseOut.of(c, now) for c in uow.session.scalars(stmt)]
