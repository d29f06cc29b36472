"""Suppression lists in bulk: a do-not-disturb register, the bounces or complaints another tool collected,
a list of opt-outs. Any file the importer reads (see `sources`), with a phone or email column — or a
single column of addresses without a header. Every row is added, already there, or refused with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from herald.contacts import service
from herald.contacts.addresses.normalize import Phone, Rejected, normalize_email, phone_from_cell
from herald.contacts.importing import sources
from herald.contacts.importing.headers import ALIAS_INDEX, header_key
from herald.db import UnitOfWork
from herald.errors import Invalid

REASONS = ("opt-out", "bounce", "complaint", "invalid", "manual", "dnd")
CHANNELS = ("sms", "whatsapp", "email", "all")
BATCH = 5000


@dataclass
class ListReport:
    """What became of every row; added + already + invalid = rows."""

    source: str
    rows: int = 0
    added: int = 0
    already: int = 0
    invalid: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "rows": self.rows,
            "added": self.added,
            "already": self.already,
            "invalid": self.invalid,
            "problems": self.problems,
        }


@dataclass(frozen=True)
class Entry:
    """How every address of the list is suppressed."""

    channel: str  # sms | whatsapp | email | all
    reason: str
    detail: str | None = None
    expires_at: datetime | None = None


def import_list(
    uow: UnitOfWork,
    path: Path,
    entry: Entry,
    now: datetime,
    default_region: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
) -> ListReport:
    """Suppress every address of the file; existing entries are left as they are."""
    if entry.channel not in CHANNELS:
        raise Invalid(f"expected one of {', '.join(CHANNELS)}, got {entry.channel!r}", where="--channel")
    if entry.reason not in REASONS:
        raise Invalid(f"expected one of {', '.join(REASONS)}, got {entry.reason!r}", where="--reason")
    report, pending = ListReport(path.name), []
    for number, raw, found in read_addresses(path, default_region, encoding, sheet):
        report.rows += 1
        pending.extend(_pairs(report, number, raw, found, entry.channel))
        if len(pending) >= BATCH:
            _add(uow, report, pending, entry, now)
    _add(uow, report, pending, entry, now)
    return report


Address = Phone | str | Rejected | None


def read_addresses(
    path: Path, region: str | None, encoding: str | None = None, sheet: str | None = None
) -> Iterator[tuple[int, str, Address]]:
    """(row, value, normalized phone or email, or why not) for every row of a list: its phone or email
    column, or its first column when the file has no header."""
    _, rows = sources.open_rows(path, encoding, sheet=sheet)
    column = None
    for number, cells, marks in rows:
        if not any(c.strip() for c in cells):
            continue
        if column is None:
            column = _address_column(cells)
            if column >= 0:
                continue  # a header row
            column = 0
        raw = cells[column].strip() if column < len(cells) else ""
        found = normalize_email(raw) if "@" in raw else phone_from_cell(raw, (marks or {}).get(column), region)
        yield number, raw, found


def _address_column(cells: list[str]) -> int:
    """The phone or email column when this row is a header, else -1 (a list without one)."""
    for i, cell in enumerate(cells):
        if ALIAS_INDEX.get(header_key(cell)) in ("phone", "email"):
            return i
    return -1


def _pairs(report: ListReport, row: int, value: str, found: Address, channel: str) -> list[tuple[int, str, str]]:
    """(row, channel, address) for one value, or nothing and a reason in the report."""
    channels = ("email",) if "@" in value else ("sms", "whatsapp")
    if channel != "all":
        if channel not in channels:
            found = Rejected(value, f"not an address for {channel}")
        channels = (channel,)
    if not isinstance(found, Phone | str):
        report.invalid += 1
        report.problems.append(
            {"row": row, "field": "address", "value": value, "reason": found.reason if found else "empty"}
        )
        return []
    address = found.e164 if isinstance(found, Phone) else found
    return [(row, ch, address) for ch in channels]


def _add(uow: UnitOfWork, report: ListReport, pending: list[tuple[int, str, str]], entry: Entry, now: datetime) -> None:
    if not pending:
        return
    added = service.suppress_many(
        uow, [(ch, a) for _, ch, a in pending], entry.reason, now, entry.detail, entry.expires_at
    )
    # Rows, not (channel, address) pairs, are counted: a phone under "all" is two entries of one row, and
    # a pair is new for the first row that brings it only.
    by_row: dict[int, bool] = {}
    for row, ch, a in pending:
        fresh = (ch, a) in added
        added.discard((ch, a))
        by_row[row] = by_row.get(row, False) or fresh
    report.added += sum(by_row.values())
    report.already += len(by_row) - sum(by_row.values())
    pending.clear()
