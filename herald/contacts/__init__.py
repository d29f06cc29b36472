"""Contacts room. Owns `contacts`, `consent_events` (append-only history), `consents` (current state per
channel and purpose) and `suppressions`. Reads nothing from other rooms; tracking's reactions reach it
only through `service`."""

from typing import TYPE_CHECKING

from herald.door import open_door

if TYPE_CHECKING:
    from herald.contacts.addresses.normalize import Phone, normalize_email, normalize_phone
    from herald.contacts.cli import app, count_lines, write_problems
    from herald.contacts.export import contact_out, person
    from herald.contacts.importing.headers import FIELDS as IMPORT_FIELDS
    from herald.contacts.importing.importer import import_file
    from herald.contacts.importing.items import parse_one, upsert
    from herald.contacts.importing.lists import read_addresses
    from herald.contacts.importing.report import ImportReport
    from herald.contacts.importing.sources import open_rows
    from herald.contacts.models import AllowedAddress, Consent, ConsentEvent, Contact, ContactMerge, Suppression
    from herald.contacts.schemas import (
        BulkIn,
        BulkOut,
        ContactDetail,
        ContactIn,
        ContactList,
        ContactOut,
        Erased,
        ImportJob,
        TimelineEntry,
        UpsertResult,
    )
    from herald.contacts.service import (
        contact_at,
        erase,
        get_contact,
        living_contact,
        matching,
        merge_into,
        note_inbound,
        set_consent,
        suppress,
        unsuppress,
        update_contact,
    )

__all__ = [
    "AllowedAddress",
    "app",
    "BulkIn",
    "BulkOut",
    "Consent",
    "ConsentEvent",
    "Contact",
    "contact_out",
    "ContactDetail",
    "ContactIn",
    "ContactList",
    "contact_at",
    "ContactMerge",
    "ContactOut",
    "count_lines",
    "erase",
    "Erased",
    "get_contact",
    "living_contact",
    "matching",
    "import_file",
    "IMPORT_FIELDS",
    "ImportReport",
    "ImportJob",
    "merge_into",
    "normalize_email",
    "normalize_phone",
    "note_inbound",
    "open_rows",
    "parse_one",
    "person",
    "Phone",
    "read_addresses",
    "set_consent",
    "suppress",
    "Suppression",
    "TimelineEntry",
    "update_contact",
    "upsert",
    "unsuppress",
    "UpsertResult",
    "write_problems",
]
__getattr__ = open_door(__name__, __file__)
