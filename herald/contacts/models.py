"""Tables of the contacts room."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column

from herald.access import Person, kind_of, seal_addresses, seal_person
from herald.db import Base, JSONType, UTCDateTime


class Contact(Base):
    __tablename__ = "contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(128), unique=True)
    name: Mapped[str | None] = mapped_column(String(256))
    phone: Mapped[str | None] = mapped_column(String(20), unique=True)  # E.164
    phone_extension: Mapped[str | None] = mapped_column(String(16))  # dialled after the call connects
    email: Mapped[str | None] = mapped_column(String(320), unique=True)  # normalized
    region: Mapped[str | None] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2
    timezone: Mapped[str | None] = mapped_column(String(64))  # told by the contact or the business
    phone_timezones: Mapped[str | None] = mapped_column(Text)  # derived from the number, comma-joined
    carrier: Mapped[str | None] = mapped_column(String(128))
    line_type: Mapped[str | None] = mapped_column(String(32))
    attributes: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # Set when the person's data was erased at their request; the nameless row keeps the ledger whole.
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Derived, and written by the database's triggers alone (migration 0013) whoever changes the consents,
    # the suppression list or the addresses: the contact's consents as one text, and whether the
    # suppression list holds an entry at one of its addresses. A plan groups its audience by them.
    consent_key: Mapped[str | None] = mapped_column(Text)
    on_suppression_list: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # When the person last wrote in on WhatsApp: it opens the 24-hour customer-service window.
    whatsapp_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # With encryption at rest (docs/access.md): phone and email hold the addresses' keys, and the person —
    # phone, email, name, sensitive attributes — is sealed here as one value bound to those keys.
    personal_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)


# Contacts changed since a moment: whose messages analytics' tallies fold in again (their region, say).
Index("ix_contacts_updated_at", Contact.updated_at)


class ConsentEvent(Base):
    """Append-only proof: who consented or withdrew, on which channel and purpose, when and how."""

    __tablename__ = "consent_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    source: Mapped[str] = mapped_column(String(32))
    # Proof the operator supplied: the text agreed to, the form, a double opt-in reply. Never made up.
    evidence: Mapped[str | None] = mapped_column(Text)
    ip: Mapped[str | None] = mapped_column(String(45))  # where the consent came from, when known
    # Where this record came to Herald from ("members.csv row 12", "api", "cli"): provenance, not proof.
    provenance: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the person gave or withdrew it


class Consent(Base):
    """Current consent per (contact, channel, purpose): the latest ConsentEvent, kept for fast reads."""

    __tablename__ = "consents"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(String(32))
    has_evidence: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Suppression(Base):
    """An address that must not be messaged on a channel, whoever it belongs to."""

    __tablename__ = "suppressions"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    address_sealed: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class AllowedAddress(Base):
    """Allow-list mode, for regulated senders: with it on, only listed addresses are ever messaged."""

    __tablename__ = "allow_list"
    __table_args__ = (UniqueConstraint("channel", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(320))
    address_sealed: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_consents_channel_status", Consent.channel, Consent.purpose, Consent.status)


class ContactMerge(Base):
    """A contact merged into another by hand: what the merged one held, kept as history."""

    __tablename__ = "contact_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)  # kept
    merged_id: Mapped[int] = mapped_column()  # the contact that is gone
    snapshot: Mapped[dict] = mapped_column(JSONType)
    merged_by: Mapped[str] = mapped_column(String(64))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)


# Personal data sealed at rest when a key file is configured (access.sealing.columns): objects hold it plain.
PERSON = Person({"phone": "phone", "email": "email"}, ("name",), "attributes")
seal_person(Contact, PERSON)
# An erased person's entry holds a digest, not an address: it stays as it is.
seal_addresses(Suppression, {"address": lambda s: None if s.reason == "erased" else kind_of(s.channel)})
seal_addresses(AllowedAddress, {"address": lambda a: kind_of(a.channel)})
