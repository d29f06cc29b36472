"""Events from outside: JSON objects (the API, JSON Lines files) and CSV/TSV/XLSX rows, read into
`EventIn`s, and whole files recorded in batches with a report that names every refused row."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from herald import contacts
from herald.db import UnitOfWork
from herald.errors import Invalid
from herald.events.service import AfterRecording, EventIn, parse_time, record_events
from herald.types import as_id

ALIASES = {
    "type": "type",
    "event": "type",
    "event_type": "type",
    "contact_id": "contact_id",
    "phone": "phone",
    "email": "email",
    "occurred_at": "occurred_at",
    "time": "occurred_at",
    "at": "occurred_at",
    "timestamp": "occurred_at",
    "event_id": "event_id",
    "properties": "properties",
}
BATCH = 5000


def from_mapping(data: object, where: str) -> EventIn | str:
    """An event from a JSON object; keys beyond the known ones are its properties. A string says why not."""
    if not isinstance(data, Mapping):
        return "expected an object"
    known = {ALIASES[k]: v for k, v in data.items() if k in ALIASES}
    extra = {k: v for k, v in data.items() if k not in ALIASES}
    properties = known.get("properties") or {}
    if not isinstance(properties, Mapping):
        return "properties: expected an object"
    try:
        when = parse_time(known["occurred_at"], f"{where} occurred_at") if "occurred_at" in known else None
    except Invalid as exc:
        return exc.reason
    contact = known.get("contact_id")
    contact_id = as_id(contact) if contact not in (None, "") else None
    if contact not in (None, "") and contact_id is None:
        return f"contact_id {str(contact)[:40]!r}: expected a contact's id (a whole number)"
    if when is None:
        return "no occurred_at: give the time the event happened"
    return EventIn(
        type=str(known.get("type") or ""),
        occurred_at=when,
        contact_id=contact_id,
        phone=_text(known.get("phone")),
        email=_text(known.get("email")),
        properties={**extra, **properties},
        event_id=_text(known.get("event_id")),
    )


def _text(value: object) -> str | None:
    return None if value in (None, "") else str(value)


def _cell(value: str) -> object:
    """A CSV cell as a property value: numbers as numbers, the rest as text."""
    try:
        return int(value) if value.lstrip("-").isdigit() else float(value) if _floaty(value) else value
    except ValueError:
        return value


def _floaty(value: str) -> bool:
    head, dot, tail = value.lstrip("-").partition(".")
    return bool(dot) and head.isdigit() and tail.isdigit()


def read_file(path: Path, encoding: str | None = None) -> Iterator[tuple[int, EventIn | str]]:
    """(line or row number, event or reason) for every record of a JSON Lines or CSV/TSV/XLSX file."""
    if path.suffix.lower() in (".jsonl", ".ndjson"):
        yield from _json_lines(path)
        return
    _, rows = contacts.open_rows(path, encoding)
    header = None
    for number, cells, _ in rows:
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip().lower() for c in cells]
            if "type" not in header and "event" not in header and "event_type" not in header:
                raise Invalid("no type (or event) column", where=f"{path.name} header")
            continue
        record = {
            k: _cell(v.strip()) if k not in ALIASES else v.strip()
            for k, v in zip(header, cells, strict=False)
            if v.strip()
        }
        yield number, from_mapping(record, f"row {number}")


def _json_lines(path: Path) -> Iterator[tuple[int, EventIn | str]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield number, f"not UTF-8 text near column {exc.start + 1}"
                continue
            if line.strip():
                yield number, _json_event(line, number)


def _json_event(line: str, number: int) -> EventIn | str:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"not JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return "not JSON Herald can read: nested too deeply"
    return from_mapping(data, f"line {number}")


@dataclass
class EventsReport:
    source: str
    rows: int = 0
    stored: int = 0
    duplicate: int = 0
    invalid: int = 0
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def import_events(
    uow: UnitOfWork,
    path: Path,
    now: datetime,
    *,
    unknown: str = "reject",
    default_region: str | None = None,
    encoding: str | None = None,
    erasure_key: str | tuple[str, ...] | None = None,
    progress: Callable[[int], None] | None = None,
    after: AfterRecording | None = None,
) -> EventsReport:
    """Record every event of a file; stored + duplicate + invalid = rows. `after` sees each batch stored."""
    report = EventsReport(path.name)
    options = {
        "source": "import",
        "unknown": unknown,
        "default_region": default_region,
        "erasure_key": erasure_key,
        "after": after,
    }
    batch: list[tuple[int, EventIn | str]] = []
    for record in read_file(path, encoding):
        batch.append(record)
        if len(batch) >= BATCH:
            _record(uow, batch, report, now, options, progress)
    _record(uow, batch, report, now, options, progress)
    return report


def _record(
    uow: UnitOfWork,
    batch: list,
    report: EventsReport,
    now: datetime,
    options: dict[str, Any],
    progress: Callable[[int], None] | None,
) -> None:
    if not batch:
        return
    results = record_events(uow, [e for _, e in batch], now, **options)
    for (number, _), result in zip(batch, results, strict=True):
        report.rows += 1
        status: Any = result["status"]
        setattr(report, status, getattr(report, status) + 1)
        if status != "stored":
            report.problems.append({"row": number, "reason": result["reason"]})
    if progress:
        progress(len(batch))
    batch.clear()
