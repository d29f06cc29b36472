"""Contacts handed over as data — the API's create and bulk upsert — normalized and matched exactly like
imported rows (see `importer`), with one result per item."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

from herald.contacts.addresses.normalize import clean_region
from herald.contacts.importing import batches
from herald.contacts.importing.headers import FIELDS
from herald.contacts.importing.importer import Importer, ImportReport
from herald.contacts.service import ContactInput
from herald.db import UnitOfWork
from herald.errors import Invalid

MAX_ITEMS = 10_000
CHANNEL_COLUMNS = ("consent_sms", "consent_whatsapp", "consent_email")  # given as "consents" {channel: status}
CONSENT_WORDS = {"granted": "yes", "revoked": "no", True: "yes", False: "no"}
Tagging = Callable[[UnitOfWork, ImportReport, datetime], None]  # gives the tags items name (the tags room)


def upsert(
    uow: UnitOfWork,
    items: Sequence[Mapping[str, Any]],
    now: datetime,
    *,
    erasure_key: str | tuple[str, ...],
    default_region: str | None = None,
    merge: str = "fill-empty",
    tagging: Tagging | None = None,
) -> list[dict[str, Any]]:
    """Insert or update each item; the result of item i says imported, updated, unchanged, duplicate (of an
    earlier item), conflict or invalid, with the contact's id and the problems found. Items may name `tags`
    when `tagging` (the tags room's part, as for a file) is given."""
    if len(items) > MAX_ITEMS:
        raise Invalid(f"{len(items):,} items; send at most {MAX_ITEMS:,} per request", where="items")
    region = _default_region(default_region)
    report = ImportReport(source="api")
    report.outcomes = {}
    parser = Importer(report, region, now)
    parsed = []
    for index, raw in enumerate(items):
        report.rows += 1
        cells = _cells(report, index + 1, raw, tags=tagging is not None)
        item = parser.parse(index + 1, list(cells.values()), dict(enumerate(cells)), len(cells)) if cells else None
        if item is not None:
            parsed.append(item)
    batches.flush(uow, parsed, report, parser.firsts, now, None, erasure_key, merge, source="api")
    if tagging is not None:
        tagging(uow, report, now)
    problems: dict[int, list[dict[str, Any]]] = {}
    for p in report.problems:
        problems.setdefault(p["row"], []).append({"field": p["field"], "value": p["value"], "reason": p["reason"]})
    outcomes = report.outcomes or {}
    return [
        {
            "index": i,
            "status": outcomes.get(i + 1, ("invalid", None))[0],
            "id": outcomes.get(i + 1, ("invalid", None))[1],
            "problems": problems.get(i + 1, []),
        }
        for i in range(len(items))
    ]


def _cells(report: ImportReport, row: int, raw: Mapping[str, Any], tags: bool = False) -> dict[str, str]:
    """The item as the importer's named cells; an unknown field (`tags` too, unless `tags`) makes the item
    invalid."""
    if not isinstance(raw, Mapping):
        report.problem(row, "item", None, "expected an object")
        report.counts["invalid"] += 1
        report.outcome(row, "invalid")
        return {}
    cells: dict[str, str] = {}
    for key, value in raw.items():
        if key == "attributes" and isinstance(value, Mapping):
            cells.update({f"attr.{k}": str(v) for k, v in value.items() if v is not None})
        elif key == "consents" and isinstance(value, Mapping):
            cells.update(
                {
                    f"consent_{ch}": CONSENT_WORDS.get(v, str(v)) if isinstance(v, str | bool) else str(v)
                    for ch, v in value.items()
                }
            )
        elif key == "tags" and tags and isinstance(value, list):
            cells[key] = " ".join(map(str, value))
        elif key in FIELDS and key not in CHANNEL_COLUMNS and (key != "tags" or tags):
            cells[key] = "" if value is None else str(value)
        else:
            known = ", ".join(f for f in FIELDS if f not in CHANNEL_COLUMNS and (f != "tags" or tags))
            reason = f"unknown field (use {known}, attributes or consents)"
            if key == "tags":
                reason = "not taken here: tag a contact with POST /api/v1/tags/NAME/apply"
            report.problem(row, key, None, reason)
            report.counts["invalid"] += 1
            report.outcome(row, "invalid")
            return {}
    return cells


def _default_region(given: str | None) -> str | None:
    try:
        return clean_region(given)
    except ValueError as exc:
        raise Invalid(str(exc), where="default_region") from None


def parse_one(data: Mapping[str, Any], now: datetime, default_region: str | None = None) -> ContactInput:
    """One item normalized, or Invalid naming each field that is wrong and why."""
    report = ImportReport(source="api")
    cells = _cells(report, 1, data)
    item = (
        Importer(report, _default_region(default_region), now).parse(
            1, list(cells.values()), dict(enumerate(cells)), len(cells)
        )
        if cells
        else None
    )
    if item is None or report.problems:
        found = "; ".join(f"{p['field']}: {p['reason']}" for p in report.problems) or "nothing to store"
        raise Invalid(found, where="contact")
    return item
