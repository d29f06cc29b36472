"""Segment AST -> SQLAlchemy condition over `contacts`. Every value is a bound parameter."""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    exists,
    false,
    func,
    literal,
    not_,
    or_,
    select,
    true,
)

from herald.contacts import Consent, Contact, Suppression
from herald.db.jsonpath import as_date, as_number, json_text, json_value, text_contains
from herald.events import Event
from herald.scores import ContactScore
from herald.segments.dsl import All, And, AttrTerm, Compare, EventTerm, Node, Not, Or, ScoreTerm, Term
from herald.segments.models import SegmentMember
from herald.tags import ContactTag
from herald.types import Purpose


def condition(node: Node, tag_ids: Mapping[str, int], now: datetime) -> ColumnElement[bool]:
    """The WHERE condition selecting the contacts the AST describes, as of `now`."""
    if isinstance(node, All):
        return true()
    if isinstance(node, Not):
        return not_(condition(node.item, tag_ids, now))
    if isinstance(node, And):
        return and_(*(condition(i, tag_ids, now) for i in node.items))
    if isinstance(node, Or):
        return or_(*(condition(i, tag_ids, now) for i in node.items))
    if isinstance(node, EventTerm):
        return _event(node, now)
    if isinstance(node, AttrTerm):
        return passes(node.test, Contact.attributes, now)
    if isinstance(node, ScoreTerm):
        score = getattr(ContactScore, node.score)
        return exists().where(
            ContactScore.contact_id == Contact.id, score.is_not(None), COMPARE[node.op](score, node.value)
        )
    if isinstance(node, Term):
        return _term(node, tag_ids, now)
    raise TypeError(f"a comparison stands only inside an attribute or event term: {node!r}")


# Any text a JSON number may be written as, on either database (12, -3.5, 1e3, 1.5E-07, 100.0).
NUMBER_TEXT = re.compile(r"-?[0-9.]+([eE][-+]?[0-9]+)?")
COMPARE = {
    ">=": operator.ge,
    ">": operator.gt,
    "=": operator.eq,
    "!=": operator.ne,
    "<=": operator.le,
    "<": operator.lt,
}


def passes(node: Node, column: SQLColumnExpression[Any], now: datetime) -> ColumnElement[bool]:
    """The condition that the values of a JSON object column pass a test tree of comparisons; a missing
    value or one of another kind (text where a number is wanted) fails rather than being NULL."""
    if isinstance(node, Not):
        return not_(passes(node.item, column, now))
    if isinstance(node, And | Or):
        join = and_ if isinstance(node, And) else or_
        return join(*(passes(i, column, now) for i in node.items))
    assert isinstance(node, Compare)
    if (
        isinstance(node.value, str)
        and node.kind == "text"
        and node.op in ("=", "!=")
        and not _reads_as_value(node.value)
    ):
        # Plain text: the database's own reading of the value compares the same, one lookup cheaper.
        return func.coalesce(COMPARE[node.op](json_value(column, node.name), node.value), false())
    text = json_text(column, node.name)
    test: ColumnElement[Any]
    if node.op == "contains":
        test = text_contains(text, node.value)
    elif node.kind == "span":
        day, span = as_date(text), cast(timedelta, node.value)  # a span's value is its length
        test = and_(day >= (now - span).date().isoformat(), day <= now.date().isoformat())
    else:
        subject = {"number": as_number, "date": as_date}.get(node.kind, lambda t: t)(text)
        test = COMPARE[node.op](subject, node.value)
    return func.coalesce(test, false())


def _reads_as_value(text: str) -> bool:
    """Whether a JSON number or boolean could read as this text (where SQLite and PostgreSQL differ)."""
    return text in ("true", "false") or bool(NUMBER_TEXT.fullmatch(text))


def _event(term: EventTerm, now: datetime) -> ColumnElement[bool]:
    where = [Event.contact_id == Contact.id, Event.type == term.type]
    if term.within is not None:
        where.append(Event.occurred_at >= now - term.within)
    if term.where is not None:
        where.append(passes(term.where, Event.properties, now))
    if (term.op, term.count) in ((">=", 1), (">", 0)):
        return exists().where(*where)  # "did it at least once": stops at the first event
    counted = select(func.count()).select_from(Event).where(*where).scalar_subquery()
    return COMPARE[term.op](counted, term.count)


def _term(term: Term, tag_ids: Mapping[str, int], now: datetime) -> ColumnElement[bool]:
    value = term.value
    if term.field == "tag":
        live = or_(ContactTag.expires_at.is_(None), ContactTag.expires_at > now)
        return exists().where(ContactTag.contact_id == Contact.id, ContactTag.tag_id == tag_ids[value], live)
    if term.field == "consent":
        channel, _, proven = value.partition(":")
        return exists().where(
            Consent.contact_id == Contact.id,
            Consent.channel == channel,
            Consent.purpose == Purpose.MARKETING.value,
            Consent.status == "granted",
            *([Consent.has_evidence.is_(True)] if proven else []),
        )
    if term.field == "suppressed":
        address = Contact.email if value == "email" else Contact.phone
        return exists().where(Suppression.channel == value, Suppression.address == address)
    if term.field == "members":  # a static saved segment's snapshot (see queries.expand)
        return exists().where(SegmentMember.segment_id == int(value), SegmentMember.contact_id == Contact.id)
    if term.field == "stage":
        return exists().where(ContactScore.contact_id == Contact.id, ContactScore.stage == value)
    if term.field == "has":
        return (Contact.email if value == "email" else Contact.phone).is_not(None)
    if term.field == "tz":
        zones = literal(",") + func.coalesce(Contact.phone_timezones, "") + literal(",")
        listed = zones.like(f"%,{_escape_like(value)},%", escape="\\")
        return or_(_equals(Contact.timezone, value), and_(Contact.timezone.is_(None), listed))
    column = {"region": Contact.region, "line": Contact.line_type, "carrier": Contact.carrier}[term.field]
    return _equals(column, value)


def _equals(column: SQLColumnExpression[Any], value: str) -> ColumnElement[bool]:
    # A bare `column = value` is NULL on a NULL column, and `not` of it would drop the contact too;
    # every term must be plainly true or false. This form still lets the column's index be used.
    return and_(column.is_not(None), column == value)


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def audience(node: Node, tag_ids: Mapping[str, int], now: datetime) -> Select:
    """SELECT contacts.id for the segment, in id order; people erased at their request are in none."""
    return select(Contact.id).where(Contact.erased_at.is_(None), condition(node, tag_ids, now)).order_by(Contact.id)
