"""Audience queries: parse, resolve tag names, count and list."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from herald.contacts.models import Contact
from herald.errors import Invalid
from herald.segments import compile, dsl
from herald.tags.models import Tag


def audience_select(session: Session, text: str, now: datetime | None = None) -> Select:
    """SELECT contacts.id for the expression as of `now` (event spans count back from it; the current
    time when not given); unknown tags are named in the error."""
    node = dsl.parse(text)
    names = dsl.tags_in(node)
    ids = dict(session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all()) if names else {}
    missing = sorted(names - ids.keys())
    if missing:
        raise Invalid(f"unknown tag(s) {', '.join(missing)}", where=f"segment {text!r}")
    return compile.audience(node, ids, now or datetime.now(UTC))


def count(session: Session, text: str, now: datetime | None = None) -> int:
    """How many contacts match the expression."""
    ids = audience_select(session, text, now).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(ids)) or 0


def members(session: Session, text: str, limit: int = 20, offset: int = 0) -> list[Contact]:
    """A page of the matching contacts, in id order."""
    ids = audience_select(session, text).limit(limit).offset(offset).subquery()
    return list(session.scalars(select(Contact).where(Contact.id.in_(select(ids.c.id))).order_by(Contact.id)))
