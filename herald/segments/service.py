"""Use cases of the segments room; the only writer of `saved_segments` and `segment_members`."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, literal, select

from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid
from herald.segments import queries
from herald.segments.models import SavedSegment, SegmentMember

NAME = re.compile(r"[\w][\w.\-]{0,63}")
KINDS = ("dynamic", "static")


def save_segment(
    uow: UnitOfWork, name: str, expression: str, now: datetime, kind: str = "dynamic", description: str | None = None
) -> SavedSegment:
    """Save an expression under a name: dynamic (evaluated whenever used) or a static snapshot of who
    matches now. The expression is checked first; it may name other saved segments."""
    if not NAME.fullmatch(name):
        raise Invalid(f"{name!r} is not a segment name (letters, digits, _ . -)", where="segment name")
    if kind not in KINDS:
        raise Invalid(f"expected dynamic or static, got {kind!r}", where="kind")
    if uow.session.scalar(select(SavedSegment.id).where(SavedSegment.name == name)) is not None:
        raise Conflict(f"segment {name!r} already exists")
    ids = queries.audience_select(uow.session, expression, now).order_by(None)
    size = uow.session.scalar(select(func.count()).select_from(ids.subquery())) or 0
    saved = SavedSegment(
        name=name, expression=expression, kind=kind, description=description, size_at_save=size, created_at=now
    )
    uow.session.add(saved)
    uow.flush()
    if kind == "static":
        members = select(literal(saved.id), ids.subquery().c[0])
        uow.session.execute(insert(SegmentMember).from_select(["segment_id", "contact_id"], members))
    return saved


def get_segment(uow: UnitOfWork, name: str) -> SavedSegment:
    return uow.named(SavedSegment, name, f"saved segment {name!r} does not exist")


def delete_segment(uow: UnitOfWork, name: str) -> None:
    """Delete a saved segment (its snapshot goes with it)."""
    uow.session.delete(get_segment(uow, name))
    uow.flush()


def describe(uow: UnitOfWork, name: str, now: datetime, sample: int = 10) -> dict[str, Any]:
    """A saved segment with its live count and a sample of members."""
    s = get_segment(uow, name)
    text = f"segment:{name}"
    members = queries.members(uow.session, text, sample, 0, now)
    return {
        "name": s.name,
        "expression": s.expression,
        "kind": s.kind,
        "description": s.description,
        "size_at_save": s.size_at_save,
        "saved_at": s.created_at,
        "count": queries.count(uow.session, text, now),
        "sample": [{"id": c.id, "name": c.name, "phone": c.phone, "email": c.email} for c in members],
    }


def list_segments(uow: UnitOfWork) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "kind": s.kind, "expression": s.expression, "size_at_save": s.size_at_save}
        for s in uow.session.scalars(select(SavedSegment).order_by(SavedSegment.name))
    ]
