"""Audience queries: parse, resolve tag names, count and list."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from herald.access import sealer_of
from herald.contacts import Contact
from herald.db.jsonpath import json_text
from herald.errors import Invalid
from herald.segments import compile, dsl
from herald.segments.models import SavedSegment
from herald.tags import Tag


def audience_select(session: Session, text: str, now: datetime | None = None) -> Select:
    """SELECT contacts.id for the expression as of `now` (event spans count back from it; the current
    time when not given); unknown tags are named in the error."""
    node = expand(session, dsl.parse(text), text)
    names = dsl.tags_in(node)
    ids = dict(session.execute(select(Tag.name, Tag.id).where(Tag.name.in_(names))).all()) if names else {}
    missing = sorted(names - ids.keys())
    if missing:
        raise Invalid(f"unknown tag(s) {', '.join(missing)}", where=f"segment {text!r}")
    sealed = sorted(dsl.attributes_in(node) & sealer_of(session).sensitive)
    if sealed:
        raise Invalid(
            f"attribute(s) {', '.join(sealed)} are sealed at rest (sensitive_attributes): a segment cannot test them",
            where=f"segment {text!r}",
        )
    unknown = [name for name in sorted(dsl.attributes_in(node)) if not _attribute_exists(session, name)]
    if unknown:
        raise Invalid(f"unknown attribute(s) {', '.join(unknown)}: no contact has them", where=f"segment {text!r}")
    return compile.audience(node, ids, now or datetime.now(UTC))


def _attribute_exists(session: Session, name: str) -> bool:
    has = select(Contact.id).where(json_text(Contact.attributes, name).is_not(None)).limit(1)
    return session.scalar(has) is not None


def count(session: Session, text: str, now: datetime | None = None) -> int:
    """How many contacts match the expression."""
    ids = audience_select(session, text, now).order_by(None).subquery()
    return session.scalar(select(func.count()).select_from(ids)) or 0


def members(
    session: Session, text: str, limit: int = 20, offset: int = 0, now: datetime | None = None
) -> list[Contact]:
    """A page of the matching contacts, in id order."""
    ids = audience_select(session, text, now).limit(limit).offset(offset).subquery()
    return list(session.scalars(select(Contact).where(Contact.id.in_(select(ids.c.id))).order_by(Contact.id)))


def expand(session: Session, node: dsl.Node, text: str, inside: tuple[str, ...] = ()) -> dsl.Node:
    """The tree with every `segment:NAME` replaced: a dynamic segment by its own expression (expanded in
    turn), a static one by its snapshot's members."""
    names = dsl.tags_in(node, "segment")
    if not names:
        return node
    saved = {s.name: s for s in session.scalars(select(SavedSegment).where(SavedSegment.name.in_(names)))}
    missing = sorted(names - saved.keys())
    if missing:
        raise Invalid(f"unknown saved segment(s) {', '.join(missing)}", where=f"segment {text!r}")

    def swap(term: dsl.Term) -> dsl.Node:
        found = saved[term.value]
        if found.kind == "static":
            return dsl.Term("members", str(found.id), term.pos)
        if found.name in inside:
            raise Invalid(
                f"saved segment {found.name!r} refers to itself (through {' → '.join(inside)})",
                where=f"segment {text!r}",
            )
        return expand(session, dsl.parse(found.expression), text, (*inside, found.name))

    return dsl.replace_terms(node, "segment", swap)
