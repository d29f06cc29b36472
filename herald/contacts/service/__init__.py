"""Use cases of the contacts room; the only writer of its tables. Services never commit.

`common` holds what the parts share; `upsert` the batch writes of imports and the API; `consents` consent
with its proof; `suppression` the suppression list and the allow-list; `record` one contact's record as a
whole (update, merge, erase, lookup)."""

from herald.contacts.service.common import (
    CONTACT_COLUMNS,
    FILLABLE,
    KEYS,
    MERGE_POLICIES,
    ContactInput,
    UpsertOutcome,
    find_contact,
    get_contact,
    living_contact,
    matching,
)
from herald.contacts.service.consents import (
    CONSENT_COLUMNS,
    EVENT_COLUMNS,
    ConsentChange,
    check_ip,
    record_consents,
    set_consent,
)
from herald.contacts.service.inbound import contact_at, note_inbound
from herald.contacts.service.record import (
    ERASED,
    PHONE_COLUMNS,
    addresses_of,
    anyone_erased,
    apply_lookup,
    erase,
    erased_among,
    erasure_digest,
    merge_into,
    update_contact,
)
from herald.contacts.service.suppression import allow, disallow, suppress, suppress_many, unsuppress
from herald.contacts.service.upsert import sealed_parts, upsert_contacts

__all__ = [
    "contact_at",
    "note_inbound",
    "CONSENT_COLUMNS",
    "CONTACT_COLUMNS",
    "ERASED",
    "EVENT_COLUMNS",
    "FILLABLE",
    "KEYS",
    "MERGE_POLICIES",
    "PHONE_COLUMNS",
    "ConsentChange",
    "ContactInput",
    "UpsertOutcome",
    "addresses_of",
    "allow",
    "anyone_erased",
    "apply_lookup",
    "check_ip",
    "disallow",
    "erase",
    "erased_among",
    "erasure_digest",
    "find_contact",
    "get_contact",
    "living_contact",
    "matching",
    "merge_into",
    "record_consents",
    "set_consent",
    "suppress",
    "suppress_many",
    "unsuppress",
    "update_contact",
    "sealed_parts",
    "upsert_contacts",
]
