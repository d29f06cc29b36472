"""A campaign's groups in memory: each message's old part taken away from its group and its new part
added, groups made as new keys appear, and the changed ones written back."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from herald.analytics.models import Tallied, TallyGroup
from herald.analytics.tallies import ledger
from herald.analytics.tallies.parts import Part, current, stored

COUNTS = ("messages", *ledger.STAGES, "units", "reported_units")


@dataclass
class Group:
    """One group's figures; `row` is its table row, once it has one."""

    key: tuple[Any, ...]
    row: TallyGroup | None = None
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(COUNTS, 0))
    reported: Decimal = Decimal(0)
    changed: bool = False

    def add(self, part: Part, sign: int) -> None:
        self.counts["messages"] += sign
        for stage, reached in zip(ledger.STAGES, part.stages, strict=True):
            self.counts[stage] += sign * reached
        self.counts["units"] += sign * part.units
        self.counts["reported_units"] += sign * part.reported_units
        self.reported += sign * ledger.money(part.reported)
        self.changed = True

    def view(self) -> dict[str, Any]:
        counts = [self.counts[stage] for stage in ledger.STAGES]
        return ledger.shaped(self.key, counts, self.counts["units"], self.counts["reported_units"], self.reported)


class Tally:
    """A campaign's groups, by key and by id."""

    def __init__(self, campaign_id: int, rows: Sequence[TallyGroup]) -> None:
        self.campaign_id = campaign_id
        self.groups = {_key(row): _group(row) for row in rows}
        self.by_id = {g.row.id: g for g in self.groups.values() if g.row is not None}

    @classmethod
    def load(cls, session: Session, campaign_id: int) -> Tally:
        """The campaign's groups as the table holds them."""
        return cls(campaign_id, list(session.scalars(select(TallyGroup).where(TallyGroup.campaign_id == campaign_id))))

    @property
    def messages(self) -> int:
        return sum(g.counts["messages"] for g in self.groups.values())

    def views(self) -> list[dict[str, Any]]:
        """The groups that count any message, as results roll them up."""
        return [g.view() for g in self.groups.values() if g.counts["messages"]]

    def fold(self, session: Session, ids: Sequence[int]) -> list[tuple[int, Part | None]]:
        """Move these messages from their old parts to their parts now; the messages that moved."""
        before, now = stored(session, ids), current(session, self.campaign_id, ids)
        moved = []
        for message_id in ids:
            old = before.get(message_id)
            was = old.part(self.by_id[old.group_id].key) if old is not None else None
            new = now.get(message_id)
            if was != new:
                self._move(was, new)
                moved.append((message_id, new))
        return moved

    def write(self, session: Session, moved: Sequence[tuple[int, Part | None]]) -> None:
        """The changed groups and the moved messages' parts, written back."""
        for group in self.groups.values():
            if group.changed:
                _write_group(session, self.campaign_id, group)
        session.flush()  # the new groups' ids, for their messages' parts
        ids = [message_id for message_id, _ in moved]
        session.execute(delete(Tallied).where(Tallied.message_id.in_(ids)))
        rows = [_tallied(message_id, part, self.groups[part.key]) for message_id, part in moved if part is not None]
        if rows:
            session.execute(insert(Tallied), rows)

    def _move(self, old: Part | None, new: Part | None) -> None:
        if old is not None:
            self.groups[old.key].add(old, -1)
        if new is not None:
            self.groups.setdefault(new.key, Group(new.key)).add(new, 1)


def _write_group(session: Session, campaign_id: int, group: Group) -> None:
    if group.row is None:
        group.row = TallyGroup(campaign_id=campaign_id, **dict(zip(ledger.KEYS, group.key, strict=True)))
        session.add(group.row)
    for name, value in group.counts.items():
        setattr(group.row, name, value)
    group.row.reported = str(group.reported)
    group.changed = False


def _tallied(message_id: int, part: Part, group: Group) -> dict[str, Any]:
    assert group.row is not None  # written just before
    return {
        "message_id": message_id,
        "group_id": group.row.id,
        "stages": part.flags,
        "units": part.units,
        "reported_units": part.reported_units,
        "reported": part.reported,
    }


def _key(row: TallyGroup) -> tuple[Any, ...]:
    return tuple(getattr(row, name) for name in ledger.KEYS)


def _group(row: TallyGroup) -> Group:
    counts = {name: getattr(row, name) for name in COUNTS}
    return Group(_key(row), row, counts, Decimal(row.reported))
