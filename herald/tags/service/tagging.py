"""Contacts tagged and untagged: a grant that never shortens a tag, tags held for a while, whole selections
tagged in one statement; a contact's tags read, moved on a merge, forgotten on erasure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, delete, insert, literal, or_, select, update

from herald.contacts import Contact
from herald.db import UnitOfWork, rowcount
from herald.errors import NotFound
from herald.tags.models import ContactTag, Tag
from herald.tags.queries import live_expiry
from herald.tags.service.naming import create_tag, editable_tag


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


def tag_imported(
    uow: UnitOfWork, tagged: Mapping[str, Iterable[int]], applied_by: str, now: datetime
) -> dict[str, dict[str, Any]]:
    """Give each tag to the contacts an import's rows named it for, for good; a tag not yet known is created
    (manual, in no category). Per tag: its contacts, how many newly tagged and extended, and whether new."""
    done = {}
    for name, contact_ids in sorted(tagged.items()):
        known = uow.session.scalar(select(Tag.id).where(Tag.name == name)) is not None
        tag = editable_tag(uow, name) if known else create_tag(uow, name, now)
        ids = sorted(set(contact_ids))
        counts = {"tagged": 0, "extended": 0}
        for start in range(0, len(ids), 5000):
            for key, n in grant_tag(uow, tag, dict.fromkeys(ids[start : start + 5000]), applied_by, now).items():
                counts[key] += n
        done[name] = {"contacts": len(ids), **counts, "created": not known}
    return done


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


def forget_contact(uow: UnitOfWork, contact_id: int) -> int:
    """A person was erased: their tags go with them."""
    return rowcount(uow.session.execute(delete(ContactTag).where(ContactTag.contact_id == contact_id)))


def tags_of(uow: UnitOfWork, contact_id: int, now: datetime | None = None) -> list[dict[str, Any]]:
    """The contact's tags with who applied them, when, and until when; with `now`, only those it still
    carries then (a tag that expired stays in the table until it is next applied)."""
    stmt = (
        select(Tag.name, ContactTag.applied_by, ContactTag.applied_at, ContactTag.expires_at)
        .join(ContactTag)
        .where(ContactTag.contact_id == contact_id)
        .order_by(Tag.name)
    )
    if now is not None:
        stmt = stmt.where(or_(ContactTag.expires_at.is_(None), ContactTag.expires_at > now))
    return [
        {"tag": n, "applied_by": by, "applied_at": at, "expires_at": until}
        for n, by, at, until in uow.session.execute(stmt)
    ]


def move_contact(uow: UnitOfWork, from_id: int, to_id: int) -> int:
    """Contacts were merged: the tags of one move to the other (a tag both had keeps the kept one's)."""
    had = select(ContactTag.tag_id).where(ContactTag.contact_id == to_id)
    moving = update(ContactTag).where(ContactTag.contact_id == from_id, ContactTag.tag_id.not_in(had))
    moved = rowcount(uow.session.execute(moving.values(contact_id=to_id)))
    uow.session.execute(delete(ContactTag).where(ContactTag.contact_id == from_id))
    return moved
