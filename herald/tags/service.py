"""Use cases of the tags room; the only writer of its tables."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, func, insert, literal, or_, select, update

from herald import access
from herald.contacts import Contact
from herald.db import UnitOfWork, rowcount
from herald.errors import Conflict, Forbidden, Invalid, NotFound
from herald.tags.models import ContactTag, Tag, TagCategory
from herald.tags.queries import live_expiry

TAG_NAME = re.compile(r"^[\w][\w:.\-]{0,63}$")
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")
KINDS = ("manual", "rule", "computed")


def _check_name(uow: UnitOfWork, name: str) -> None:
    if not TAG_NAME.match(name):
        raise Invalid(f"{name!r} is not a valid tag name (letters, digits, _ : . - ; up to 64)", where="tag")
    if uow.session.scalar(select(Tag.id).where(Tag.name == name)) is not None:
        raise Conflict(f"tag {name!r} already exists")


def create_category(
    uow: UnitOfWork, name: str, now: datetime, description: str | None = None, editors: Iterable[str] = ()
) -> TagCategory:
    """Create a tag category; `editors` are the roles that may apply or edit its tags."""
    editors = [_role(e) for e in editors]
    if not TAG_NAME.match(name):
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


def grant_changes(
    uow: UnitOfWork, tag_id: int | None, grants: Mapping[int, datetime | None], now: datetime
) -> tuple[list[int], list[int]]:
    """Which contacts a grant (contact -> until when, None: for good) would newly tag, and which would
    have the tag they carry extended: a grant never shortens a tag nor limits a permanent one."""
    ids = sorted(grants)
    held = live_expiry(uow, tag_id, ids, now) if tag_id is not None else {}
    new = [i for i in ids if i not in held]
    return new, [i for i in ids if i in held and _outlasts(grants[i], held[i])]


def _outlasts(until: datetime | None, held: datetime | None) -> bool:
    """Whether a grant until `until` (None: for good) extends a tag held until `held` (None: for good)."""
    return held is not None and (until is None or until > held)


def grant_tag(
    uow: UnitOfWork, tag: Tag, grants: Mapping[int, datetime | None], applied_by: str, now: datetime
) -> dict[str, int]:
    """Give each contact the tag until its own expiry (see grant_changes); a tag that had expired is
    applied afresh. Returns how many were tagged and how many extended."""
    new, longer = grant_changes(uow, tag.id, grants, now)
    for start in range(0, len(new), 5000):
        uow.session.execute(
            delete(ContactTag).where(
                ContactTag.tag_id == tag.id,
                ContactTag.expires_at <= now,
                ContactTag.contact_id.in_(new[start : start + 5000]),
            )
        )
    if new:
        uow.session.execute(
            insert(ContactTag),
            [
                {
                    "contact_id": i,
                    "tag_id": tag.id,
                    "applied_by": applied_by,
                    "applied_at": now,
                    "expires_at": grants[i],
                }
                for i in new
            ],
        )
    if longer:
        uow.session.execute(
            update(ContactTag), [{"contact_id": i, "tag_id": tag.id, "expires_at": grants[i]} for i in longer]
        )
    return {"tagged": len(new), "extended": len(longer)}


def tag_contacts(
    uow: UnitOfWork,
    name: str,
    contact_ids: Iterable[int],
    applied_by: str,
    now: datetime,
    expires_at: datetime | None = None,
) -> int:
    """Tag contacts by id; unknown ids are an error naming them. Returns how many were newly tagged."""
    ids = sorted(set(contact_ids))
    known = set(uow.session.scalars(select(Contact.id).where(Contact.id.in_(ids)))) if ids else set()
    missing = [i for i in ids if i not in known]
    if missing:
        raise NotFound(f"no contact with id {', '.join(map(str, missing[:10]))}")
    return tag_matching(uow, name, select(Contact.id).where(Contact.id.in_(ids)), applied_by, now, expires_at)


def tag_matching(
    uow: UnitOfWork, name: str, contact_ids: Select, applied_by: str, now: datetime, expires_at: datetime | None = None
) -> int:
    """Tag every contact whose id the select yields (one INSERT … SELECT), until `expires_at` if given;
    returns how many were new. A tag that had expired on a contact is applied afresh."""
    tag = editable_tag(uow, name)
    uow.session.execute(delete(ContactTag).where(ContactTag.tag_id == tag.id, ContactTag.expires_at <= now))
    ids = contact_ids.subquery()
    already = select(ContactTag.contact_id).where(ContactTag.tag_id == tag.id)
    stamp = ContactTag.applied_at.type
    source = select(
        ids.c[0], literal(tag.id), literal(applied_by), literal(now, type_=stamp), literal(expires_at, type_=stamp)
    )
    source = source.where(ids.c[0].not_in(already)).distinct()
    stmt = insert(ContactTag).from_select(["contact_id", "tag_id", "applied_by", "applied_at", "expires_at"], source)
    # rowcount of INSERT … SELECT is not reported by every driver; the returned ids are.
    return len(uow.session.execute(stmt.returning(ContactTag.contact_id)).all())


def untag_contacts(uow: UnitOfWork, name: str, contact_ids: Iterable[int]) -> int:
    """Remove a tag from contacts; returns how many lost it."""
    tag = editable_tag(uow, name)
    stmt = delete(ContactTag).where(and_(ContactTag.tag_id == tag.id, ContactTag.contact_id.in_(list(contact_ids))))
    return rowcount(uow.session.execute(stmt))


def untag_matching(uow: UnitOfWork, name: str, contact_ids: Select) -> int:
    """Remove a tag from every contact whose id the select yields; returns how many lost it."""
    tag = editable_tag(uow, name)
    ids = contact_ids.order_by(None).subquery()
    stmt = delete(ContactTag).where(ContactTag.tag_id == tag.id, ContactTag.contact_id.in_(select(ids.c[0])))
    return rowcount(uow.session.execute(stmt))


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


def forget_contact(uow: UnitOfWork, contact_id: int) -> int:
    """A person was erased: their tags go with them."""
    return rowcount(uow.session.execute(delete(ContactTag).where(ContactTag.contact_id == contact_id)))


def tags_of(uow: UnitOfWork, contact_id: int) -> list[dict[str, Any]]:
    """The contact's tags with who applied them and when."""
    stmt = (
        select(Tag.name, ContactTag.applied_by, ContactTag.applied_at)
        .join(ContactTag)
        .where(ContactTag.contact_id == contact_id)
        .order_by(Tag.name)
    )
    return [{"tag": n, "applied_by": by, "applied_at": at} for n, by, at in uow.session.execute(stmt)]


def move_contact(uow: UnitOfWork, from_id: int, to_id: int) -> int:
    """Contacts were merged: the tags of one move to the other (a tag both had keeps the kept one's)."""
    had = select(ContactTag.tag_id).where(ContactTag.contact_id == to_id)
    moving = update(ContactTag).where(ContactTag.contact_id == from_id, ContactTag.tag_id.not_in(had))
    moved = rowcount(uow.session.execute(moving.values(contact_id=to_id)))
    uow.session.execute(delete(ContactTag).where(ContactTag.contact_id == from_id))
    return moved


def _role(name: str) -> str:
    access.catalog().role(name)  # refused, listing the roles, when it is not one
    return name.strip().lower()
