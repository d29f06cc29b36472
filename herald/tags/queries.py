"""Read side of the tags room."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from herald.tags.models import ContactTag, Tag


def names_by_contact(session: Session, contact_ids: Iterable[int]) -> dict[int, list[str]]:
    """Each contact's tag names, sorted; contacts without tags are absent."""
    ids = list(contact_ids)
    out: dict[int, list[str]] = {}
    if not ids:
        return out
    rows = session.execute(select(ContactTag.contact_id, Tag.name).join(Tag, Tag.id == ContactTag.tag_id)
                           .where(ContactTag.contact_id.in_(ids)).order_by(Tag.name))
    for contact_id, name in rows:
        out.setdefault(contact_id, []).append(name)
    return out
