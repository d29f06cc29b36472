"""Request and response shapes of the contacts room, as the API takes and gives them (and its docs show).
Response shapes allow more fields than they name, so a field added later is never cut from an answer."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from herald.shapes import Shape

ConsentWord = Literal["granted", "revoked"] | bool


class ContactIn(BaseModel):
    """One contact to create or match and update, normalized as an import row is."""

    model_config = ConfigDict(extra="allow")  # an unknown field is answered per item, with its name

    phone: str | int | None = Field(
        None,
        description="Any format; read in `country` (or the default region) when it has no country code.",
        examples=["+977 984-1234567"],
    )
    email: str | None = None
    name: str | None = None
    tags: list[str] | None = Field(
        None, description="Tags to give the contact, created if new (POST and /bulk; not PATCH).", examples=[["vip"]]
    )
    first_name: str | None = None
    last_name: str | None = None
    external_id: str | int | None = Field(None, description="Your own id of the person.")
    country: str | None = Field(None, description="ISO code, calling code or name (France, 中国, UK).")
    timezone: str | None = Field(None, description="IANA zone such as Asia/Kathmandu.")
    phone_extension: str | None = None
    attributes: dict[str, Any] = Field(
        {}, description="Anything else, kept as text; in PATCH a null or empty value removes the attribute."
    )
    consents: dict[str, ConsentWord] = Field(
        {}, description="Marketing consent per channel (sms, whatsapp, email): granted or revoked."
    )
    consent_source: str | None = Field(None, description="How it was given: form, keyword, 门店登记…")
    consent_at: str | None = Field(None, description="When it was given (ISO 8601); now if absent.")
    consent_evidence: str | None = Field(
        None, description="The proof: the wording agreed to, the form, a double opt-in reply."
    )
    consent_ip: str | None = None


class BulkIn(BaseModel):
    items: list[Any] = Field(
        max_length=10_000,
        description="Contact objects as POST /api/v1/contacts takes them; each is answered on its own.",
    )
    merge: Literal["fill-empty", "overwrite"] = "fill-empty"
    default_region: str | None = None


class ContactOut(Shape):
    id: int
    name: str | None
    phone: str | None
    phone_extension: str | None
    email: str | None
    region: str | None
    timezone: str | None
    phone_timezones: list[str]
    carrier: str | None
    line_type: str | None
    external_id: str | None
    attributes: dict[str, Any]
    erased_at: datetime | None = Field(None, description="When the person was erased; only the id is kept.")


class ContactList(Shape):
    total: int
    items: list[ContactOut]


class ConsentOut(Shape):
    channel: str
    purpose: str
    status: str
    since: datetime
    source: str | None
    proven: bool


class SuppressionOut(Shape):
    channel: str
    address: str
    reason: str
    detail: str | None = None
    since: datetime | None = None
    until: datetime | None = None


class ContactDetail(ContactOut):
    consents: list[ConsentOut]
    suppressions: list[SuppressionOut]


class Problem(Shape):
    field: str
    value: Any = None
    reason: str


class UpsertResult(Shape):
    index: int
    status: Literal["imported", "updated", "unchanged", "duplicate", "conflict", "invalid"]
    id: int | None
    problems: list[Problem]
    contact: ContactOut | None = None


class BulkOut(Shape):
    counts: dict[str, int]
    results: list[UpsertResult]


class TimelineEntry(Shape):
    at: datetime
    kind: Literal["event", "consent", "tag", "message"]
    what: str
    detail: dict[str, Any] | None = None


class Erased(Shape):
    contact: int
    erased_at: str
    tags_removed: int
    messages_scrubbed: int


class ImportJob(Shape):
    id: int
    file: str
    status: Literal["queued", "running", "done", "failed"]
    rows_done: int
    report: dict[str, Any] | None
    error: str | None
