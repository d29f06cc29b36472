"""Re-sealing a workspace's personal data: after a new key heads the key file (rotation), values sealed
with an older key are sealed again with it; after a key file is first configured, addresses, names and
sensitive attributes still held plain are sealed. Run by `herald db reseal`, a batch of rows at a time.

The sealed columns belong to several rooms; this one pass writes them all, through the same specs their
models registered (`seal_addresses`, `seal_personal`), because it changes only how values are held, never
what they are."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from herald.access.sealing import cipher as sealing
from herald.access.sealing.columns import SEALED_ADDRESSES, SEALED_PEOPLE, Person, Sealer
from herald.errors import Invalid

BATCH = 2000


@dataclass
class Resealed:
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows changed

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def reseal(session: Session, sealer: Sealer, progress: Callable[[int], None] | None = None) -> Resealed:
    """Seal what is plain and re-seal what an older key sealed, in every sealed column."""
    if not sealer.on:
        raise Invalid("set encryption_key_file first: there is no key to seal with", where="reseal")
    done = Resealed()
    for model, kinds in SEALED_ADDRESSES:
        for name, kind_for in kinds.items():
            change = partial(_address, sealer, name=name, kind_for=kind_for)
            _each(session, model, _address_columns(model, name), change, done, progress)
    for model, person in SEALED_PEOPLE:
        columns = [*person.fields, "personal_sealed"]
        _each(session, model, columns, partial(_person, sealer, person=person), done, progress)
    return done


def _address_columns(model: type, name: str) -> list[str]:
    extra = [c for c in ("channel", "reason") if c in model.__table__.c]  # type: ignore[attr-defined]
    return [name, f"{name}_sealed", *extra]


def _each(
    session: Session,
    model: type,
    columns: list[str],
    change: Callable[[SimpleNamespace], dict[str, Any] | None],
    done: Resealed,
    progress: Callable[[int], None] | None,
) -> None:
    table = model.__table__  # type: ignore[attr-defined]
    last = 0
    while True:
        stmt = select(table.c.id, *(table.c[c] for c in columns)).where(table.c.id > last).order_by(table.c.id)
        rows = session.execute(stmt.limit(BATCH)).all()
        if not rows:
            return
        for row in rows:
            values = change(SimpleNamespace(**row._mapping))
            if values:
                session.execute(update(table).where(table.c.id == row.id).values(**values))
                done.rows[table.name] = done.rows.get(table.name, 0) + 1
        last = rows[-1].id
        if progress:
            progress(len(rows))


def _address(
    sealer: Sealer, row: SimpleNamespace, name: str, kind_for: Callable[[Any], str | None]
) -> dict[str, Any] | None:
    value, sealed, kind = getattr(row, name), getattr(row, f"{name}_sealed"), kind_for(row)
    if not value or not kind:
        return None
    if not sealing.is_address_key(value):
        key = sealer.key(kind, value)
        return {name: key, f"{name}_sealed": sealer.seal_address(key, value)}
    if sealer.needs_reseal(sealed):
        return {f"{name}_sealed": sealer.seal_address(value, sealer.open_address(value, sealed))}
    return None


def _person(sealer: Sealer, row: SimpleNamespace, *, person: Person) -> dict[str, Any] | None:
    """The columns of a person held plain, partly plain (an attribute marked sensitive since, or no longer),
    or sealed with an older key, as they are stored now; None when they are so already."""
    held = vars(row)
    plain = person.opened(sealer, held)
    if _current(sealer, held, person, plain):
        return None
    return person.stored(sealer, plain)


def _current(sealer: Sealer, held: dict[str, Any], person: Person, plain: dict[str, Any]) -> bool:
    shown = set(held[person.attributes] or {})
    return (
        all(held[n] is None or sealing.is_address_key(held[n]) for n in person.keyed)
        and all(held[n] is None for n in person.texts)
        and not sealer.sensitive.intersection(shown)
        and set(plain[person.attributes]) - shown <= sealer.sensitive
        and not sealer.needs_reseal(held["personal_sealed"] and bytes(held["personal_sealed"]))
    )
