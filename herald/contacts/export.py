"""Contacts out of Herald: CSV or XLSX for a spreadsheet (cells a spreadsheet will never run as formulas),
and everything the contacts room holds about one person as JSON-ready data. Reads only."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Select, or_, select

from herald.access import sealer_of
from herald.contacts.models import AllowedAddress, Consent, ConsentEvent, Contact, Suppression
from herald.contacts.service import CONTACT_COLUMNS, addresses_of, get_contact
from herald.db import UnitOfWork
from herald.errors import Invalid
from herald.types import safe_cell

COLUMNS = (
    "herald_id",
    "phone",
    "phone_extension",
    "email",
    "name",
    "external_id",
    "country",
    "timezone",
    "phone_timezones",
    "carrier",
    "line_type",
    "consent_sms",
    "consent_whatsapp",
    "consent_email",
    "created_at",
    "updated_at",
)
XLSX_ROWS = 1_048_575  # a sheet's rows, less the header
BATCH = 2000


def _chosen(ids: Select | None):
    live = Contact.erased_at.is_(None)
    return live if ids is None else live & Contact.id.in_(ids.order_by(None).scalar_subquery())


def header(uow: UnitOfWork, ids: Select | None = None) -> list[str]:
    """The export's columns: the contact's own, marketing consent per channel, then every attribute. The
    importer reads them all back (`importing.headers.DERIVED` are worked out again)."""
    keys: set[str] = set()
    for attributes in uow.session.scalars(
        select(Contact.attributes).where(_chosen(ids)).execution_options(yield_per=BATCH)
    ):
        keys.update(attributes)
    return [*COLUMNS, *(f"attr.{k}" for k in sorted(keys, key=_natural))]


def _natural(name: str) -> list[tuple[int, int | str]]:
    """`col2` before `col10`: numbers within names compare as numbers (digits before letters, so that the
    parts always compare alike)."""
    parts = re.split(r"(\d+)", name)  # the runs of digits at odd places
    return [(0, int(part)) if i % 2 else (1, part.lower()) for i, part in enumerate(parts) if part]


def rows(uow: UnitOfWork, columns: list[str], ids: Select | None = None) -> Iterator[list[list[str]]]:
    """Batches of rows of the contacts (all, or those `ids` selects), in id order."""
    last = 0
    while True:
        stmt = select(Contact).where(Contact.id > last, _chosen(ids)).order_by(Contact.id).limit(BATCH)
        batch = list(uow.session.scalars(stmt))
        if not batch:
            return
        last = batch[-1].id
        consents = _marketing_consents(uow, [c.id for c in batch])
        yield [_row(c, consents.get(c.id, {}), columns) for c in batch]
        uow.session.expunge_all()  # a million contacts must not stay in the session


def _row(contact: Contact, consents: dict[str, str], header: list[str]) -> list[str]:
    values = {
        "herald_id": contact.id,
        "phone": contact.phone,
        "phone_extension": contact.phone_extension,
        "email": contact.email,
        "name": contact.name,
        "external_id": contact.external_id,
        "country": contact.region,
        "timezone": contact.timezone,
        "phone_timezones": contact.phone_timezones,
        "carrier": contact.carrier,
        "line_type": contact.line_type,
        "created_at": contact.created_at,
        "updated_at": contact.updated_at,
        **{f"consent_{ch}": ("yes" if s == "granted" else "no") for ch, s in consents.items()},
        **{f"attr.{k}": v for k, v in contact.attributes.items()},
    }
    return [safe_cell(values.get(column)) for column in header]


def _marketing_consents(uow: UnitOfWork, ids: list[int]) -> dict[int, dict[str, str]]:
    found: dict[int, dict[str, str]] = {}
    stmt = select(Consent.contact_id, Consent.channel, Consent.status).where(
        Consent.contact_id.in_(ids), Consent.purpose == "marketing"
    )
    for cid, channel, status in uow.session.execute(stmt):
        found.setdefault(cid, {})[channel] = status
    return found


def write_csv(uow: UnitOfWork, path: Path, ids: Select | None = None) -> int:
    """Write the contacts to a UTF-8 CSV (with a byte-order mark, so Excel reads names right); returns rows."""
    columns, written = header(uow, ids), 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for batch in rows(uow, columns, ids):
            writer.writerows(batch)
            written += len(batch)
    return written


def write_xlsx(uow: UnitOfWork, path: Path, ids: Select | None = None) -> int:
    """Write the contacts to an XLSX sheet, every cell a string (never a formula, a number or a link)."""
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {"constant_memory": True, "strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    sheet, written, columns = book.add_worksheet("Contacts"), 0, header(uow, ids)
    try:
        _write_row(sheet, 0, columns)
        for batch in rows(uow, columns, ids):
            if written + len(batch) > XLSX_ROWS:
                raise Invalid(f"more than {XLSX_ROWS:,} contacts do not fit in one sheet; export CSV", where="--format")
            for row in batch:
                written += 1
                _write_row(sheet, written, row)
    finally:
        book.close()
    return written


def _write_row(sheet, number: int, cells: list[str]) -> None:
    for col, text in enumerate(cells):
        sheet.write_string(number, col, text)


def contact_out(c: Contact) -> dict[str, Any]:
    """One contact as the CLI's --json and the API show it."""
    return {
        "id": c.id,
        "name": c.name,
        "phone": c.phone,
        "phone_extension": c.phone_extension,
        "email": c.email,
        "region": c.region,
        "timezone": c.timezone,
        "phone_timezones": c.phone_timezones.split(",") if c.phone_timezones else [],
        "carrier": c.carrier,
        "line_type": c.line_type,
        "external_id": c.external_id,
        "attributes": c.attributes or {},
        "erased_at": c.erased_at,
    }


def person(uow: UnitOfWork, contact_id: int) -> dict[str, Any]:
    """Everything the contacts room holds about one person: the contact, consent now and its history with
    proof, and the suppression and allow-list entries for their addresses."""
    contact = get_contact(uow, contact_id)
    pairs = addresses_of(contact)

    def listed(model) -> list:
        if not pairs:
            return []
        key = sealer_of(uow.session).channel_key
        match = or_(*((model.channel == ch) & (model.address == key(ch, a)) for ch, a in pairs))
        return list(uow.session.scalars(select(model).where(match)))

    events = uow.session.scalars(
        select(ConsentEvent)
        .where(ConsentEvent.contact_id == contact_id)
        .order_by(ConsentEvent.recorded_at, ConsentEvent.id)
    )
    consents = uow.session.scalars(select(Consent).where(Consent.contact_id == contact_id))
    return {
        "contact": {c: getattr(contact, c) for c in ("id", *CONTACT_COLUMNS, "erased_at")},
        "consents": [
            {
                "channel": c.channel,
                "purpose": c.purpose,
                "status": c.status,
                "since": c.recorded_at,
                "source": c.source,
                "proven": c.has_evidence,
            }
            for c in consents
        ],
        "consent_history": [
            {
                "channel": e.channel,
                "purpose": e.purpose,
                "status": e.status,
                "source": e.source,
                "evidence": e.evidence,
                "ip": e.ip,
                "provenance": e.provenance,
                "at": e.recorded_at,
            }
            for e in events
        ],
        "suppressions": [
            {
                "channel": s.channel,
                "address": s.address,
                "reason": s.reason,
                "detail": s.detail,
                "since": s.created_at,
                "until": s.expires_at,
            }
            for s in listed(Suppression)
        ],
        "allow_list": [
            {"channel": a.channel, "address": a.address, "since": a.created_at} for a in listed(AllowedAddress)
        ],
    }
