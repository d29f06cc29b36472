"""The messages of a campaign whose part in its figures may have changed since its tally was last folded:
those changed since (the outbox stamps every change), those with new clicks or conversions, and those of
contacts changed since (a region, a zone). A message named here that did not change costs a comparison."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from herald.contacts import Contact
from herald.outbox import Message
from herald.tracking import Click, Conversion

CHUNK = 1000  # messages read (and written) together


@dataclass(frozen=True)
class Newest:
    """The newest click's and conversion's ids at a moment: what a pass reads up to."""

    click: int
    conversion: int


def newest(session: Session) -> Newest:
    """The newest ids now."""
    return Newest(session.scalar(select(func.max(Click.id))) or 0, session.scalar(select(func.max(Conversion.id))) or 0)


def changed(session: Session, campaign_id: int, since: datetime, after: Newest, upto: Newest) -> list[int]:
    """The campaign's messages, in id order, that changed at or after `since`, that had clicks or
    conversions with ids after `after` (up to `upto`), or whose contacts changed at or after `since`."""
    mine = Message.campaign_id == campaign_id
    found = set(session.scalars(select(Message.id).where(mine, Message.updated_at >= since)))
    clicked = select(Click.message_id).where(Click.id > after.click, Click.id <= upto.click, Click.human)
    converted = select(Conversion.message_id).where(
        Conversion.id > after.conversion, Conversion.id <= upto.conversion, Conversion.message_id.is_not(None)
    )
    named: set[int] = {*session.scalars(clicked), *(i for i in session.scalars(converted) if i is not None)}
    found |= _of_campaign(session, mine, Message.id, named - found)
    contacts = set(session.scalars(select(Contact.id).where(Contact.updated_at >= since)))
    found |= _of_campaign(session, mine, Message.contact_id, contacts)
    return sorted(found)


def every(session: Session, campaign_id: int, after: int = 0) -> list[int]:
    """The campaign's next `CHUNK` messages after the id `after`, in id order."""
    mine = select(Message.id).where(Message.campaign_id == campaign_id, Message.id > after)
    return list(session.scalars(mine.order_by(Message.id).limit(CHUNK)))


def batched(items: Iterable[Any], size: int | None = None) -> Iterator[list[Any]]:
    """The items `size` (else `CHUNK`) at a time."""
    size = size or CHUNK
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _of_campaign(session: Session, mine: Any, column: Any, values: Sequence[int] | set[int]) -> set[int]:
    """The campaign's messages whose `column` is one of the values."""
    found: set[int] = set()
    for chunk in batched(sorted(values)):
        found.update(session.scalars(select(Message.id).where(mine, column.in_(chunk))))
    return found
