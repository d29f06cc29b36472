"""Tags and their categories: created, found, renamed, merged and deleted; who may edit a category's
tags; tags counted and listed."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update

from herald import access
from herald.db import UnitOfWork, rowcount
from herald.errors import Conflict, Forbidden, Invalid
from herald.tags.models import ContactTag, Tag, TagCategory
from herald.types import TAG_NAME

COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
KINDS = ("manual", "rule", "computed")


def _check_name(uow: UnitOfWork, name: str) -> None:
    if not TAG_NAME.fullmatch(name):
        raise Invalid(f"{name!r} is not a valid tag name (letters, digits, _ : . - ; up to 64)", where="tag")
    if uow.session.scalar(select(Tag.id).where(Tag.name == name)) is not None:
        raise Conflict(f"tag {name!r} already exists")


def create_category(
    uow: UnitOfWork, name: str, now: datetime, description: str | None = None, editors: Iterable[str] = ()
) -> TagCategory:
    """Create a tag category; `editors` are the roles that may apply or edit its tags."""
    editors = [_role(e) for e in editors]
    if not TAG_NAME.fullmatch(name):
        raise Invalid(f"{name!r} is not a valid category name", where="category")
    if uow.session.scalar(select(TagCategory.id).where(TagCategory.name == name)) is not None:
        raise Conflict(f"category {name!r} already exists")
    category = TagCategory(name=name, description=description, editors=sorted(set(editors)), created_at=now)
    uow.session.add(category)
    uow.flush()
    return category


def get_category(uow: UnitOfWork, name: str) -> TagCategory:
    return uow.named(
        TagCategory, name, f"category {name!r} does not exist (create it with `herald tags category {name}`)"
    )


def rename_tag(uow: UnitOfWork, old: str, new: str) -> Tag:
    """Rename a tag; its contacts keep it."""
    tag = editable_tag(uow, old)
    _check_name(uow, new)
    tag.name = new
    uow.flush()
    return tag


def merge_tags(uow: UnitOfWork, source: str, into: str) -> int:
    """Give every contact of `source` the tag `into`, then delete `source`; returns contacts moved."""
    tag, target = editable_tag(uow, source), editable_tag(uow, into)
    if tag.id == target.id:
        raise Invalid("a tag cannot be merged into itself", where="merge")
    had = select(ContactTag.contact_id).where(ContactTag.tag_id == target.id)
    moved = rowcount(
        uow.session.execute(
            update(ContactTag)
            .where(ContactTag.tag_id == tag.id, ContactTag.contact_id.not_in(had))
            .values(tag_id=target.id)
        )
    )
    uow.session.execute(delete(ContactTag).where(ContactTag.tag_id == tag.id))
    uow.session.delete(tag)
    uow.flush()
    return moved


def delete_tag(uow: UnitOfWork, name: str) -> int:
    """Delete a tag and take it off every contact; returns how many carried it."""
    tag = editable_tag(uow, name)
    removed = rowcount(uow.session.execute(delete(ContactTag).where(ContactTag.tag_id == tag.id)))
    uow.session.delete(tag)
    uow.flush()
    return removed


def search_tags(uow: UnitOfWork, prefix: str, limit: int = 20) -> list[str]:
    """Tag names starting with `prefix` (any case), for autocomplete."""
    pattern = prefix.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    stmt = (
        select(Tag.name)
        .where(func.lower(Tag.name).like(pattern, escape="\\"))
        .order_by(func.lower(Tag.name), Tag.name)
        .limit(limit)
    )
    return list(uow.session.scalars(stmt))


def create_tag(
    uow: UnitOfWork,
    name: str,
    now: datetime,
    description: str | None = None,
    *,
    category: str | None = None,
    colour: str | None = None,
    kind: str = "manual",
) -> Tag:
    """Create a tag; names are letters, digits, `_ : . -` (any script), up to 64 characters."""
    _check_name(uow, name)
    if kind not in KINDS:
        raise Invalid(f"expected one of {', '.join(KINDS)}, got {kind!r}", where="kind")
    if colour is not None and not COLOUR.fullmatch(colour):
        raise Invalid(f"{colour!r} is not a colour such as #1f77b4", where="colour")
    category_id = _editable(uow, get_category(uow, category)).id if category else None
    tag = Tag(
        name=name,
        description=description,
        created_at=now,
        category_id=category_id,
        colour=colour.lower() if colour else None,
        kind=kind,
    )
    uow.session.add(tag)
    uow.flush()
    return tag


def get_tag(uow: UnitOfWork, name: str) -> Tag:
    """The tag with this name, or NotFound."""
    return uow.named(Tag, name, f"tag {name!r} does not exist")


def editable_tag(uow: UnitOfWork, name: str) -> Tag:
    """The tag with this name, when whoever the unit of work acts for may apply or change its tags: a
    category with editors lets only those roles (and owners and admins) touch its tags."""
    tag = get_tag(uow, name)
    if tag.category_id is not None:
        _editable(uow, uow.session.get_one(TagCategory, tag.category_id))
    return tag


def _editable(uow: UnitOfWork, category: TagCategory) -> TagCategory:
    actor = uow.actor
    if actor is None or not category.editors or actor.kind == "system" or actor.role in ("owner", "admin"):
        return category
    if actor.role not in category.editors:
        raise Forbidden(
            f"{actor.label} may not change tags of category {category.name!r}; "
            f"its editors are: {', '.join(category.editors)}"
        )
    return category


def ensure_tag(uow: UnitOfWork, name: str, now: datetime, *, kind: str = "manual", category: str | None = None) -> Tag:
    """The tag with this name, created (of that kind, in that category) if missing."""
    tag = uow.session.scalar(select(Tag).where(Tag.name == name))
    return tag or create_tag(uow, name, now, kind=kind, category=category)


def tag_counts(uow: UnitOfWork, now: datetime | None = None) -> list[tuple[str, int]]:
    """Every tag with the number of contacts carrying it (as of `now`, when expiry counts)."""
    live = ContactTag.tag_id == Tag.id
    if now is not None:
        live = and_(live, or_(ContactTag.expires_at.is_(None), ContactTag.expires_at > now))
    stmt = (
        select(Tag.name, func.count(ContactTag.contact_id))
        .outerjoin(ContactTag, live)
        .group_by(Tag.name)
        .order_by(Tag.name)
    )
    return [(n, c) for n, c in uow.session.execute(stmt)]


def tags_table(uow: UnitOfWork, now: datetime) -> list[dict[str, Any]]:
    """Every tag with its category, colour, kind, description and live count."""
    counts = dict(tag_counts(uow, now))
    stmt = select(Tag, TagCategory.name).outerjoin(TagCategory, TagCategory.id == Tag.category_id).order_by(Tag.name)
    return [
        {
            "tag": t.name,
            "category": c,
            "colour": t.colour,
            "kind": t.kind,
            "description": t.description,
            "contacts": counts.get(t.name, 0),
        }
        for t, c in uow.session.execute(stmt)
    ]


def _role(name: str) -> str:
    access.catalog().role(name)  # refused, listing the roles, when it is not one
    return name.strip().lower()
