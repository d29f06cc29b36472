"""Use cases of the events room; the only writer of `events`. Services never commit."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from herald import contacts
from herald.access import sealer_of
from herald.contacts import Contact, Phone, normalize_email, normalize_phone
from herald.db import UnitOfWork
from herald.db.bulk import insert_rows, select_in
from herald.errors import Invalid
from herald.events.identity import content_id
from herald.events.models import Event
from herald.storable import value_problem
from herald.types import as_id, parse_utc

TYPE = re.compile(r"[a-z][a-z0-9_.:-]{0,63}")
MAX_PROPERTIES = 16 * 1024  # bytes of JSON
CLOCK_SKEW = timedelta(minutes=5)  # an event "from the future" beyond this is refused
COLUMNS = ("contact_id", "type", "properties", "occurred_at", "event_id", "source", "received_at")
UNKNOWN = ("reject", "create")
MAX_ITEMS = 10_000


@dataclass(frozen=True)
class EventIn:
    """One event as handed over: who (an id, a phone or an email), what, when and its details."""

    type: str
    occurred_at: datetime
    contact_id: int | None = None
    phone: str | None = None
    email: str | None = None
    properties: Mapping[str, Any] = field(default_factory=dict)
    event_id: str | None = None


# Called with the rows just stored (contact_id, type, properties, occurred_at…): automatic tag rules
# hook in here, from the rooms above, so they see events as they arrive.
AfterRecording = Callable[[UnitOfWork, list[dict[str, Any]], datetime], object]


def record_events(
    uow: UnitOfWork,
    events: Sequence[EventIn | str],
    now: datetime,
    *,
    source: str = "api",
    unknown: str = "reject",
    default_region: str | None = None,
    erasure_key: str | tuple[str, ...] | None = None,
    after: AfterRecording | None = None,
) -> list[dict[str, Any]]:
    """Store the events; the result of each says stored, duplicate (its event id was seen) or invalid
    with the reason. A string in `events` is an item that could not be read, and says why. `after`, when
    given, sees the stored rows in the same unit of work."""
    if unknown not in UNKNOWN:
        raise Invalid(f"expected reject or create, got {unknown!r}", where="unknown contacts")
    if unknown == "create" and erasure_key is None:
        raise Invalid("creating contacts needs the installation's erasure key", where="unknown contacts")
    results: list[dict[str, Any]] = [
        {"index": i, "status": "invalid", "reason": e} if isinstance(e, str) else {"index": i}
        for i, e in enumerate(events)
    ]
    good = [(i, e) for i, e in enumerate(events) if not isinstance(e, str) and not _refused(results[i], e, now)]
    who = _contacts(uow, [e for _, e in good], default_region)
    if unknown == "create" and erasure_key is not None:  # (refused above without a key)
        _create_missing(uow, [e for _, e in good], who, now, default_region, erasure_key)
    keyed = []
    for i, event in good:
        ref = _ref(event, default_region)
        contact = who.get(ref) if ref is not None else None
        if contact is None:
            results[i].update(status="invalid", reason=f"no contact with {_describe(event)}")
        else:
            keyed.append(
                (
                    i,
                    event,
                    contact,
                    event.event_id or content_id(contact, event.type, event.occurred_at, event.properties),
                )
            )
    seen = _known_ids(uow, {key for *_, key in keyed})
    rows = []
    for i, event, contact, key in keyed:
        if key in seen:
            results[i].update(status="duplicate", reason=_repeated(event))
            continue
        seen.add(key)
        results[i].update(status="stored", contact=contact)
        rows.append(
            {
                "contact_id": contact,
                "type": event.type,
                "properties": dict(event.properties),
                "occurred_at": event.occurred_at,
                "event_id": key,
                "source": source,
                "received_at": now,
            }
        )
    insert_rows(uow, Event.__table__, rows, COLUMNS, skip_conflicts_on="event_id")
    if after is not None and rows:
        after(uow, rows, now)
    return results


def _repeated(event: EventIn) -> str:
    if event.event_id:
        return f"event id {event.event_id!r} was recorded already"
    return "the same event (contact, type, time and properties) was recorded already"


def _refused(result: dict, event: EventIn, now: datetime) -> bool:
    reason = _problem(event, now)
    if reason:
        result.update(status="invalid", reason=reason)
    return reason is not None


def _problem(event: EventIn, now: datetime) -> str | None:
    if not TYPE.fullmatch(event.type or ""):
        return f"type {event.type!r}: expected a short lower-case name such as purchase or page_view"
    if event.occurred_at.tzinfo is None:
        return "occurred_at: give a time zone (or Z for UTC)"
    if event.occurred_at > now + CLOCK_SKEW:
        return f"occurred_at {event.occurred_at.isoformat()} is in the future"
    if event.contact_id is None and not event.phone and not event.email:
        return "no contact: give contact_id, phone or email"
    if event.contact_id is not None and as_id(event.contact_id) is None:
        return f"contact_id {event.contact_id!r}: expected a contact's id"
    if event.event_id is not None and not 0 < len(event.event_id) <= 128:
        return "event_id: expected 1 to 128 characters"
    for name, value in (
        ("event_id", event.event_id),
        ("phone", event.phone),
        ("email", event.email),
        ("properties", event.properties),
    ):
        if value is not None and (found := value_problem(value)):
            return f"{name} {found}"
    # JSON never takes more than six characters per character of repr() (a \\u escape at worst), and
    # repr() is much cheaper than writing the JSON: only properties near the limit are written out.
    if (
        6 * len(repr(event.properties)) > MAX_PROPERTIES
        and len(json.dumps(event.properties, default=str)) > MAX_PROPERTIES
    ):
        return f"properties: more than {MAX_PROPERTIES // 1024} KB"
    return None


def _ref(event: EventIn, region: str | None) -> tuple[str, object] | None:
    """How the event names its contact, normalized: ("id", 12), ("phone", "+977…") or ("email", "a@b")."""
    if event.contact_id is not None:
        return ("id", event.contact_id)
    if event.phone:
        phone = _phone(event.phone, region)
        return ("phone", phone.e164) if isinstance(phone, Phone) else None
    email = normalize_email(event.email or "")
    return ("email", email) if isinstance(email, str) else None


_PHONES: dict[tuple[str, str | None], object] = {}


def _phone(raw: str, region: str | None) -> object:
    """Normalized once per distinct number: a stream of events names the same people again and again."""
    key = (raw, region)
    found = _PHONES.get(key)
    if found is None:
        if len(_PHONES) > 100_000:
            _PHONES.clear()
        found = _PHONES[key] = normalize_phone(raw, region)
    return found


def _describe(event: EventIn) -> str:
    if event.contact_id is not None:
        return f"id {event.contact_id}"
    return f"phone {event.phone}" if event.phone else f"email {event.email}"


def _contacts(uow: UnitOfWork, events: Sequence[EventIn], region: str | None) -> dict[tuple[str, object], int]:
    """Contact ids by reference, for the references these events make (erased contacts are nobody)."""
    wanted: dict[str, set] = {"id": set(), "phone": set(), "email": set()}
    for event in events:
        ref = _ref(event, region)
        if ref:
            wanted[ref[0]].add(ref[1])
    found: dict[tuple[str, object], int] = {}
    sealer = sealer_of(uow.session)
    for kind, column in (("id", Contact.id), ("phone", Contact.phone), ("email", Contact.email)):
        stored = {v: v for v in wanted[kind]} if kind == "id" else sealer.keys(kind, wanted[kind])
        rows = select_in(uow, column, sorted(stored), (column, Contact.id), Contact.erased_at.is_(None))
        found.update(((kind, stored[value]), cid) for value, cid in rows)
    return found


def _create_missing(
    uow: UnitOfWork, events: Sequence[EventIn], who: dict, now: datetime, region: str | None, key: str | tuple[str, ...]
) -> None:
    """Contacts for the phones and emails no contact has yet (ids must exist already)."""
    missing = {}
    for event in events:
        ref = _ref(event, region)
        if ref and ref[0] != "id" and ref not in who:
            missing[ref] = {ref[0]: ref[1]}
    results = contacts.upsert(uow, list(missing.values()), now, erasure_key=key, default_region=region)
    for ref, result in zip(missing, results, strict=True):
        if result["id"] is not None:
            who[ref] = result["id"]


def _known_ids(uow: UnitOfWork, event_ids: set[str]) -> set[str]:
    return {value for (value,) in select_in(uow, Event.event_id, sorted(event_ids), (Event.event_id,))}


def parse_time(raw: object, where: str) -> datetime:
    """An ISO-8601 time (a date alone is midnight UTC; no zone means UTC) or Unix seconds."""
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            return datetime.fromtimestamp(raw, UTC)
        except (OverflowError, OSError, ValueError):
            raise Invalid(f"{raw!r} seconds is no moment a calendar holds", where=where) from None
    return parse_utc(raw, where)
