"""One message's part in its campaign's figures: the group it counts in, the stages it reached and what it
was billed — as the ledger has it now (`current`), and as the tally last took it (`stored`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from herald.analytics.models import Tallied
from herald.analytics.tallies import ledger
from herald.contacts import Contact
from herald.outbox import Message
from herald.tracking import Click, Conversion

HOUR = ledger.KEYS.index("utc_hour")


@dataclass(frozen=True)
class Part:
    """What one message adds to its group: 1 or 0 per stage of `ledger.STAGES`, its billed units, those
    whose cost its vendor reported, and that cost (decimal text as the vendor gave it, or None)."""

    key: tuple[Any, ...]
    stages: tuple[int, ...]
    units: int
    reported_units: int
    reported: str | None

    @property
    def flags(self) -> int:
        """The stages as bits: planned 1, sent 2, delivered 4, read 8, clicked 16, converted 32."""
        return sum(reached << i for i, reached in enumerate(self.stages))


@dataclass(frozen=True)
class Stored:
    """A message's part as the tally took it: its group's id stands for the key."""

    group_id: int
    flags: int
    units: int
    reported_units: int
    reported: str | None

    def part(self, key: tuple[Any, ...]) -> Part:
        stages = tuple((self.flags >> i) & 1 for i in range(len(ledger.STAGES)))
        return Part(key, stages, self.units, self.reported_units, self.reported)


def current(session: Session, campaign_id: int, ids: Sequence[int]) -> dict[int, Part]:
    """The parts of these messages of the campaign as the ledger has them now; a message that is not the
    campaign's, or whose contact is gone, has none."""
    clicked = exists().where(Click.message_id == Message.id, Click.human)
    converted = exists().where(Conversion.message_id == Message.id)
    keys = ledger.keys(session)
    stmt = (
        select(Message.id, *keys, *ledger.reached(clicked, converted), *ledger.billed())
        .join(Contact, Contact.id == Message.contact_id)
        .where(Message.campaign_id == campaign_id, Message.id.in_(list(ids)))
    )
    found = {}
    for message_id, *row in session.execute(stmt):
        key = list(row[: len(keys)])
        key[HOUR] = ledger.hour_text(key[HOUR])
        stages, (units, reported_units, reported) = row[len(keys) : -3], row[-3:]
        found[message_id] = Part(tuple(key), tuple(int(s) for s in stages), int(units), int(reported_units), reported)
    return found


def stored(session: Session, ids: Sequence[int]) -> dict[int, Stored]:
    """The parts the tally holds for these messages."""
    columns = (Tallied.group_id, Tallied.stages, Tallied.units, Tallied.reported_units, Tallied.reported)
    stmt = select(Tallied.message_id, *columns).where(Tallied.message_id.in_(list(ids)))
    return {row.message_id: Stored(*row[1:]) for row in session.execute(stmt)}
