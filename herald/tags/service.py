"""Use cases of the tags room; the only writer of its tables."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Select, and_, delete, func, insert, literal, select, update

from herald.contacts.models import Contact
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid, NotFound
from herald.tags.models import ContactTag, Tag

TAG_NAME = re.compile(r"^[\w][\w:.\-]{0,63}$")


def create_tag(uow: UnitOfWork, name: str, now: datetime, description: str | None = None) -> Tag:
    """Create a tag; names are letters, digits, `_ : . -` (any script), up to 64 characters."""
    if not TAG_NAME.match(name):
        raise Invalid(f"{name!r} is not a valid tag name (letters, digits, _ : . - ; up to 64)", where="tag")
    if uow.session.scalar(select(Tag.id).where(Tag.name == name)) is not None:
        raise Conflict(f"tag {name!r} already exists")
    tag = Tag(name=name, description=description, created_at=now)
    uow.session.add(tag)
    uow.flush()
    return tag


def get_tag(uow: UnitOfWork, name: str) -> Tag:
    """The tag with this name, or NotFound."""
    tag = uow.session.scalar(select(Tag).where(Tag.name == name))
    if tag is None:
        raise NotFound(f"tag {name!r} does not exist")
    return tag


def ensure_tag(uow: UnitOfWork, name: str, now: datetime) -> Tag:
    """The tag with this name, created if missing."""
    tag = uow.session.scalar(select(Tag).where(Tag.name == name))
    return tag or create_tag(uow, name, now)


def tag_contacts(uow: UnitOfWork, name: str, contact_ids: Iterable[int], applied_by: str, now: datetime) -> int:
    """Tag contacts by id; unknown ids are an error naming them. Returns how many were newly tagged."""
    ids = sorted(set(contact_ids))
    known = set(uow.session.scalars(select(Contact.id).where(Contact.id.in_(ids)))) if ids else set()
    missing = [i for i in ids if i not in known]
    if missing:
        raise NotFound(f"no contact with id {', '.join(map(str, missing[:10]))}")
    return tag_matching(uow, name, select(Contact.id).where(Contact.id.in_(ids)), applied_by, now)


def tag_matching(uow: UnitOfWork, name: str, contact_ids: Select, applied_by: str, now: datetime) -> int:
    """Tag every contact whose id the select yields (one INSERT … SELECT); returns how many were new."""
    tag = get_tag(uow, name)
    ids = contact_ids.subquery()
    already = select(ContactTag.contact_id).where(ContactTag.tag_id == tag.id)
    source = select(ids.c[0], literal(tag.id), literal(applied_by), literal(now, type_=ContactTag.applied_at.type))
    source = source.where(ids.c[0].not_in(already)).distinct()
    stmt = insert(ContactTag).from_select(["contact_id", "tag_id", "applied_by", "applied_at"], source)
    # rowcount of INSERT … SELECT is not reported by every driver; the returned ids are.
    return len(uow.session.execute(stmt.returning(ContactTag.contact_id)).all())


def untag_contacts(uow: UnitOfWork, name: str, contact_ids: Iterable[int]) -> int:
    """Remove a tag from contacts; returns how many lost it."""
    tag = get_tag(uow, name)
    stmt = delete(ContactTag).where(and_(ContactTag.tag_id == tag.id, ContactTag.contact_id.in_(list(contact_ids))))
    return uow.session.execute(stmt).rowcount


def tag_counts(uow: UnitOfWork) -> list[tuple[str, int]]:
    """Every tag with the number of contacts carrying it."""
    stmt = (select(Tag.name, func.count(ContactTag.contact_id)).outerjoin(ContactTag, ContactTag.tag_id == Tag.id)
            .group_by(Tag.name).order_by(Tag.name))
    return [(n, c) for n, c in uow.session.execute(stmt)]


def forget_contact(uow: UnitOfWork, contact_id: int) -> int:
    """A person was erased: their tags go with them."""
    return uow.session.execute(delete(ContactTag).where(ContactTag.contact_id == contact_id)).rowcount


def tags_of(uow: UnitOfWork, contact_id: int) -> list[dict[str, object]]:
    """The contact's tags with who applied them and when."""
    stmt = (select(Tag.name, ContactTag.applied_by, ContactTag.applied_at).join(ContactTag)
            .where(ContactTag.contact_id == contact_id).order_by(Tag.name))
    return [{"tag": n, "applied_by": by, "applied_at": at} for n, by, at in uow.session.execute(stmt)]


def move_contact(uow: UnitOfWork, from_id: int, to_id: int) -> int:
    """Contacts were merged: the tags of one move to the other (a tag both had keeps the kept one's)."""
    had = select(ContactTag.tag_id).where(ContactTag.contact_id == to_id)
    moved = uow.session.execute(update(ContactTag).where(ContactTag.contact_id == from_id,
                                                         ContactTag.tag_id.not_in(had)).values(contact_id=to_id))
    uow.session.execute(delete(ContactTag).where(ContactTag.contact_id == from_id))
    return moved.rowcount
