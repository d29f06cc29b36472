"""Writing an import's parsed rows, a batch at a time: people erased at their request are refused, rows
that share a key reach the database one wave after another, and every row is counted in exactly one
bucket, a row that came to a contact an earlier row came to as that row's duplicate."""

from __future__ import annotations

from array import array
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from herald.contacts import service
from herald.contacts.service import ContactInput
from herald.db import UnitOfWork

if TYPE_CHECKING:
    from herald.contacts.importing.report import ImportReport


# Which row of an import first brought each contact (FirstRows): a later row that comes to the same
# contact (by any of its keys, once the earlier row's write made them the contact's) is reported as its
# duplicate. Kept by contact id, in pages of 4,096 ids, each page an array of 32-bit row numbers: a million
# new contacts (ids one after another) take 4 MB; a re-import of contacts whose ids lie scattered costs
# 16 KB a page it touches. Asked after each write, so a row that was refused or conflicted brings nobody.
PAGE = 4096
EMPTY = bytes(4 * PAGE)


class FirstRows:
    """Contact id -> the first row of this import that came to it."""

    def __init__(self) -> None:
        self.pages: dict[int, array] = {}
        self.size = 0

    def first(self, contact_id: int, row: int) -> int | None:
        """The earlier row that came to this contact, or None, and then `row` is recorded as its first."""
        number, slot = divmod(contact_id, PAGE)
        page = self.pages.get(number)
        if page is None:
            page = self.pages[number] = array("i", EMPTY)
        found = page[slot]
        if found:
            return found - 1  # kept one up, so that 0 means nobody
        page[slot] = row + 1
        self.size += 1
        return None

    def __len__(self) -> int:
        return self.size


def flush(
    uow: UnitOfWork,
    batch: list[ContactInput],
    report: ImportReport,
    firsts: FirstRows,
    now: datetime,
    progress: Callable[[int], None] | None,
    erasure_key: str | tuple[str, ...],
    merge: str,
    source: str = "import",
) -> None:
    """Write a batch of parsed rows: refuse erased people, then upsert in waves and count every row, a row
    that came to a contact an earlier row of the import came to as that row's duplicate."""
    if not batch:
        return
    _refuse_erased(uow, batch, report, erasure_key)
    done: list[Any] = []
    for wave in _waves(batch):
        done.extend(zip(wave, service.upsert_contacts(uow, wave, now, source=source, policy=merge), strict=True))
    done.sort(key=lambda pair: pair[0].row)  # the first row in the file claims its contact, whatever its wave
    for item, outcome in done:
        first = None if outcome.contact_id is None else firsts.first(outcome.contact_id, item.row)
        _count(report, item, first, outcome)
    if progress:
        progress(len(batch))
    batch.clear()


def _waves(batch: list[ContactInput]) -> list[list[ContactInput]]:
    """Rows that share a key must reach the database one after another: each goes one wave after the last
    wave holding one of its keys."""
    waves: list[list[ContactInput]] = [[]]
    wave_of: dict[tuple[str, str], int] = {}
    for item in batch:
        keys = item.keys()
        level = max((wave_of[k] + 1 for k in keys if k in wave_of), default=0)
        if level == len(waves):
            waves.append([])
        waves[level].append(item)
        for key in keys:
            wave_of[key] = level
    return waves


def _refuse_erased(
    uow: UnitOfWork, batch: list[ContactInput], report: ImportReport, key: str | tuple[str, ...]
) -> None:
    """Take out the rows of people erased at their request: they are never imported again."""
    if not service.anyone_erased(uow):
        return

    def addresses(item: ContactInput) -> list[str]:
        return [a for a in (item.phone and item.phone.e164, item.email) if a]

    erased = service.erased_among(uow, [a for item in batch for a in addresses(item)], key)
    if not erased:
        return
    kept = []
    for item in batch:
        if erased.intersection(addresses(item)):
            report.problem(
                item.row, "row", None, "this person's data was erased at their request; they are not imported again"
            )
            report.counts["invalid"] += 1
            report.outcome(item.row, "invalid")
        else:
            kept.append(item)
    batch[:] = kept


def _count(report: ImportReport, item: ContactInput, first: int | None, outcome: service.UpsertOutcome) -> None:
    bucket = "duplicate" if first is not None else outcome.status
    report.outcome(item.row, bucket, outcome.contact_id)
    if item.tags and outcome.contact_id is not None and outcome.status != "conflict":
        report.tag(outcome.contact_id, item.tags)
    if outcome.status == "conflict":
        report.counts["conflict"] += 1
        report.problem(item.row, "row", None, outcome.detail or "conflict")
    elif first is not None:
        report.counts["duplicate"] += 1
        note = "; new details merged" if outcome.status == "updated" else ""
        report.problem(item.row, "row", None, f"duplicate of row {first}{note}")
    else:
        report.counts[outcome.status] += 1
