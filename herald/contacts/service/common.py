"""What every part of the contacts service shares: a contact as an importer or the API hands it over, the
outcome of an upsert, and finding one contact."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from herald.access import sealer_of
from herald.contacts.addresses.normalize import Phone, normalize_email, normalize_phone
from herald.contacts.models import Contact
from herald.db import UnitOfWork
from herald.errors import Conflict, Invalid, NotFound

# What a contact is: its fields, then its attributes.
PROFILE = (
    "name",
    "phone",
    "phone_extension",
    "email",
    "external_id",
    "region",
    "timezone",
    "phone_timezones",
    "carrier",
    "line_type",
    "attributes",
)
CONTACT_COLUMNS = (*PROFILE, "created_at", "updated_at")
FILLABLE = (
    "name",
    "phone",
    "email",
    "external_id",
    "region",
    "timezone",
    "phone_timezones",
    "carrier",
    "line_type",
    "phone_extension",
)
FILLED = CONTACT_COLUMNS[: len(FILLABLE)]  # the fillable columns in the order of a contact's row


@dataclass
class ContactInput:
    """One contact as an importer or API hands it over, already normalized."""

    row: int
    phone: Phone | None = None
    email: str | None = None
    name: str | None = None
    external_id: str | None = None
    timezone: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)
    consents: dict[str, str] = field(default_factory=dict)  # channel -> granted|revoked
    evidence: str | None = None  # proof of the consents that the source supplied, never made up
    provenance: str | None = None  # where the row came from ("members.csv row 12"): recorded, but no proof
    consent_at: datetime | None = None  # when the consents were given, if the source says
    consent_ip: str | None = None
    consent_source: str | None = None  # form, keyword, api… if the source says
    extension: str | None = None  # from its own column; else the one written after the number
    tags: tuple[str, ...] = ()  # names the row gives its contact (the tags room applies them)
    # Its keys and sealed copies when personal data is sealed at rest, worked out where it was parsed (an
    # import's parsing runs on every core; the one process that writes seals nothing itself).
    sealed: tuple | None = None
    _keys: list[tuple[str, str]] | None = field(default=None, repr=False, compare=False)

    def columns(self) -> dict[str, Any]:
        """The contact's own columns it gives (the fillable ones), by name."""
        return dict(zip(FILLED, self.values(None), strict=False))

    def values(self, now: datetime | None) -> tuple:
        """Its row of the contacts table, in the order of CONTACT_COLUMNS, as a bulk insert takes it."""
        p = self.phone
        if p is None:
            return (
                self.name,
                None,
                self.extension,
                self.email,
                self.external_id,
                None,
                self.timezone,
                None,
                None,
                None,
                self.attributes,
                now,
                now,
            )
        return (
            self.name,
            p.e164,
            self.extension or p.extension or None,
            self.email,
            self.external_id,
            p.region,
            self.timezone,
            ",".join(p.timezones) or None,
            p.carrier,
            p.line_type,
            self.attributes,
            now,
            now,
        )

    def keys(self) -> list[tuple[str, str]]:
        """(key, value) of each external id, phone and email it has, in the order of KEYS. Worked out once:
        an import asks four times a row, and an item's keys are set before it is handed over."""
        if self._keys is None:
            found = (
                ("external_id", self.external_id),
                ("phone", self.phone and self.phone.e164),
                ("email", self.email),
            )
            self._keys = [(k, v) for k, v in found if v]
        return self._keys

    def __reduce__(self) -> tuple:
        # Rebuilt by __init__ from its fields: unpickled in half the time of a dataclass's default, and
        # parsing workers hand a million of these to the one process that writes, which paces an import.
        return ContactInput, _fields_of(self)

    def preview(self) -> dict[str, Any]:
        """The row as it will be stored, for an import's dry run."""
        found = {"row": self.row, **{k: v for k, v in self.columns().items() if v}}
        return {
            **found,
            **({"attributes": self.attributes} if self.attributes else {}),
            **({"consents": self.consents} if self.consents else {}),
            **({"tags": list(self.tags)} if self.tags else {}),
        }


_fields_of = attrgetter(*(f.name for f in fields(ContactInput)))


class UpsertOutcome(NamedTuple):
    status: str  # imported | updated | unchanged | conflict
    contact_id: int | None
    detail: str | None = None


MERGE_POLICIES = ("fill-empty", "overwrite")
KEYS = ("external_id", "phone", "email")


def get_contact(uow: UnitOfWork, contact_id: int) -> Contact:
    """The contact with this id, or NotFound."""
    contact = uow.session.get(Contact, contact_id)
    if contact is None:
        raise NotFound(f"contact {contact_id} does not exist")
    return contact


def living_contact(uow: UnitOfWork, contact_id: int) -> Contact:
    """The contact with this id, or NotFound, or Conflict when the person was erased."""
    contact = get_contact(uow, contact_id)
    if contact.erased_at is not None:
        raise Conflict(f"contact {contact_id} was erased on {contact.erased_at:%Y-%m-%d}; it holds nothing to change")
    return contact


MAX_ID_DIGITS = 9  # a bare number this short is a contact id; a longer one is a phone number


def find_contact(uow: UnitOfWork, ref: str, default_region: str | None = None) -> Contact:
    """A contact by id, e-mail or phone number in any format (`+86 138 0013 8000`, `13800138000` read in
    `default_region`), or NotFound saying what was looked for."""
    text = ref.strip()
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return get_contact(uow, int(text))
    if "@" in text:
        email = normalize_email(text)
        column, value = Contact.email, email if isinstance(email, str) else text.lower()
    else:
        phone = normalize_phone(text, default_region)
        if not isinstance(phone, Phone):
            raise Invalid(
                f"{ref!r} is not a contact id, e-mail or phone number ({getattr(phone, 'reason', 'empty')})",
                where="contact",
            )
        column, value = Contact.phone, phone.e164
    key = sealer_of(uow.session).key("email" if column is Contact.email else "phone", value)
    found = uow.session.scalar(select(Contact).where(column == key))
    if found is None:
        raise NotFound(f"no contact has {'email' if column is Contact.email else 'phone'} {value}")
    return found


def matching(session: Session, q: str, default_region: str | None = None) -> ColumnElement[bool]:
    """Contacts a search box's text finds: part of a phone, e-mail or name, or an external id. With personal
    data sealed at rest only whole values are found: the phone (in any format), the e-mail, the id."""
    text = q.strip()
    sealer = sealer_of(session)
    if not sealer.on:
        like = f"%{text.lower()}%"
        return or_(
            Contact.phone.like(f"%{text}%"),
            Contact.email.like(like),
            func.lower(Contact.name).like(like),
            Contact.external_id == text,
        )
    email, phone = normalize_email(text), normalize_phone(text, default_region)
    found: list[ColumnElement[bool]] = [Contact.external_id == text]
    if isinstance(email, str):
        found.append(Contact.email == sealer.key("email", email))
    if isinstance(phone, Phone):
        found.append(Contact.phone == sealer.key("phone", phone.e164))
    return or_(*found)
