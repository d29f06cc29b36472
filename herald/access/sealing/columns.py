"""Personal data sealed at rest in a workspace's database, when a key file is configured.

An address column keeps its name and holds the address's key (`sealing.address_key`), which every lookup,
unique constraint, join and trigger uses as it used the address; the address itself is sealed beside it in
`<column>_sealed`, bound to the key. A contact is sealed as one value (`personal_sealed`: phone, e-mail,
name and the attributes the operator marks sensitive, bound to the keys of its phone and e-mail) beside
those keys: one cipher call a contact, and rows no wider than they must be, since segments and
plans scan them.

Objects are plain and columns are sealed: the ORM events registered by `seal_addresses` and
`seal_person` open what an object loads and seal what it writes, so a service that reads a contact sees
its phone number. SQL that reads or matches columns itself asks the session's `Sealer` (`sealer_of`) for
keys and opens what it reads. Without a key file the sealer passes everything through unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value

from herald.access.models import SealingMark
from herald.access.sealing import cipher as sealing
from herald.access.sealing.cipher import Keyring
from herald.errors import Invalid

SEALED_ADDRESSES: list[tuple[type, dict[str, Callable[[Any], str | None]]]] = []  # for `reseal`
SEALED_PEOPLE: list[tuple[type, Person]] = []
SEALER = "herald_sealer"  # where a session's info holds its sealer
# Made once, not per call: an import seals a person a row.
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
PLAIN = "_herald_plain"  # what an object held before its flush sealed it, put back after


def kind_of(channel: str) -> str:
    """The kind of address a channel carries: an e-mail address, or a phone number."""
    return "email" if channel == "email" else "phone"


class Sealer:
    """Seals and opens one workspace's personal fields; passes them through when `ring` is None."""

    plain_prefix = sealing.PHONE_PLAIN  # the characters of a phone number its key keeps plain

    def __init__(self, ring: Keyring | None = None, sensitive: Iterable[str] = ()) -> None:
        self.ring = ring
        self.sensitive = frozenset(sensitive)

    @property
    def on(self) -> bool:
        return self.ring is not None

    def key(self, kind: str, address: str | None) -> str | None:
        """The key an address is stored and found by (the address itself when sealing is off)."""
        if self.ring is None or not address or sealing.is_address_key(address):
            return address
        return sealing.address_key(self.ring, kind, address)

    def keys(self, kind: str, addresses: Iterable[str]) -> dict[str, str]:
        """key -> address for several addresses of one kind."""
        return {str(self.key(kind, a)): a for a in addresses if a}

    def channel_key(self, channel: str, address: str | None) -> str | None:
        return self.key(kind_of(channel), address)

    def sealed_pair(self, channel: str, address: str) -> tuple[str, str | None]:
        """(key, sealed copy) to store an address of a channel as."""
        key = str(self.channel_key(channel, address))
        return key, self.seal_address(key, address)

    def seal_address(self, key: str | None, address: str | None) -> str | None:
        """The address sealed beside its key, or None (sealing off, or no address)."""
        if self.ring is None or not address or not key or key == address:
            return None
        return sealing.seal(self.ring, address, _at_key(key))

    def open_address(self, key: str | None, sealed: str | None) -> str | None:
        """The address a key and its sealed copy stand for (the key itself when nothing is sealed)."""
        if sealed is None or self.ring is None:
            return key
        return sealing.unseal(self.ring, sealed, _at_key(str(key)))

    def seal_text(self, where: str, bound: str, value: str) -> str:
        """A text sealed for its place (`where`) in the row `bound` names."""
        assert self.ring is not None
        return sealing.seal(self.ring, value, sealing.place("contacts", where, bound))

    def open_text(self, where: str, bound: str, value: str) -> str:
        assert self.ring is not None
        return sealing.unseal(self.ring, value, sealing.place("contacts", where, bound))

    def seal_person(self, bound: str, person: list[Any]) -> bytes:
        """A person's fields sealed as one value (bytes), bound to their row's keys."""
        assert self.ring is not None
        return sealing.seal_bytes(self.ring, _compact(person).encode(), sealing.place("contacts", "person", bound))

    def open_person(self, bound: str, sealed: bytes) -> list[Any]:
        assert self.ring is not None
        found: list[Any] = json.loads(
            sealing.unseal_bytes(self.ring, sealed, sealing.place("contacts", "person", bound))
        )
        return found

    def needs_reseal(self, sealed: str | bytes | None) -> bool:
        return self.ring is not None and sealed is not None and sealing.needs_reseal(self.ring, sealed)


def _at_key(key: str) -> bytes:
    return sealing.place("address", "", key)


OFF = Sealer()


def sealer_of(session: Session) -> Sealer:
    """The sealer of the workspace a session is on."""
    found: Sealer = session.info.get(SEALER, OFF)
    return found


def _sealer(target: Any) -> Sealer:
    session = object_session(target)
    return OFF if session is None else sealer_of(session)


def _changed(target: Any, name: str) -> bool:
    state = inspect(target)
    return not state.has_identity or state.attrs[name].history.has_changes()


def _put_back(target: Any, plain: dict[str, Any]) -> None:
    for name, value in plain.items():
        set_committed_value(target, name, value)


def _restore(_mapper: Any, _connection: Any, target: Any) -> None:
    plain = target.__dict__.pop(PLAIN, None)
    if plain:
        _put_back(target, plain)


def seal_addresses(model: type, kinds: Mapping[str, Callable[[Any], str | None]]) -> None:
    """Keep `model`'s address columns (name -> the kind of the object's address, or None to leave it) as
    keys with sealed copies in `<name>_sealed`; its objects hold the addresses."""
    SEALED_ADDRESSES.append((model, dict(kinds)))

    def on_load(target: Any, context: Any, *_: Any) -> None:
        sealer = sealer_of(context.session)
        if sealer.on:
            _put_back(target, _opened(sealer, target, kinds))

    def before_write(_mapper: Any, _connection: Any, target: Any) -> None:
        sealer = _sealer(target)
        if not sealer.on:
            return
        plain = target.__dict__.setdefault(PLAIN, {})
        for name, kind_for in kinds.items():
            address, kind = getattr(target, name), kind_for(target)
            if address is None and _changed(target, name):
                setattr(target, f"{name}_sealed", None)  # gone, or erased: its sealed copy goes too
            elif address and kind and _changed(target, name) and not sealing.is_address_key(address):
                key = sealer.key(kind, address)
                setattr(target, name, key)
                setattr(target, f"{name}_sealed", sealer.seal_address(key, address))
                plain[name] = address

    _listen(model, on_load, before_write)


def _opened(sealer: Sealer, target: Any, kinds: Iterable[str]) -> dict[str, Any]:
    found = {}
    for name in kinds:
        sealed = target.__dict__.get(f"{name}_sealed")
        if sealed is not None:
            found[name] = sealer.open_address(target.__dict__.get(name), sealed)
    return found


def seal_person(model: type, spec: Person) -> None:
    """Keep a person's fields of `model` sealed in one value, `personal_sealed`, bound to the row's keys:
    the keyed columns hold their keys, the texts nothing, the attributes column the attributes that are
    not sensitive. Its objects hold everything plain."""
    SEALED_PEOPLE.append((model, spec))

    def on_load(target: Any, context: Any, *_: Any) -> None:
        sealer = sealer_of(context.session)
        if sealer.on and target.__dict__.get("personal_sealed") is not None:
            _put_back(target, spec.opened(sealer, target.__dict__))

    def before_write(_mapper: Any, _connection: Any, target: Any) -> None:
        sealer = _sealer(target)
        if not sealer.on or not any(_changed(target, name) for name in spec.fields):
            return
        plain = {name: getattr(target, name) for name in spec.fields}
        for name, value in spec.stored(sealer, plain).items():
            setattr(target, name, value)
        target.__dict__.setdefault(PLAIN, {}).update(plain)

    _listen(model, on_load, before_write)


@dataclass(frozen=True)
class Person:
    """Which of a model's columns make up the person sealed in `personal_sealed`: the keyed ones, then the
    texts, then (when any is sensitive) the sensitive attributes, held in that order as a JSON array. Rows
    are scanned by segments and plans, so they stay as narrow as they can."""

    keyed: dict[str, str]
    texts: tuple[str, ...]
    attributes: str

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.keyed, *self.texts, self.attributes)

    @property
    def people(self) -> tuple[str, ...]:
        return (*self.keyed, *self.texts)

    def bound(self, held: Mapping[str, Any]) -> str:
        """What the sealed person is bound to: the row's keys (unique, and rewritten with it)."""
        return "|".join(held.get(n) or "" for n in self.keyed)

    def sealed(self, sealer: Sealer, bound: str, values: list[Any], hidden: dict[str, Any]) -> bytes | None:
        """The person sealed, or None when there is nothing to seal (an erased contact)."""
        if hidden:
            return sealer.seal_person(bound, [*values, hidden])
        return sealer.seal_person(bound, values) if any(v is not None for v in values) else None

    def stored(self, sealer: Sealer, plain: Mapping[str, Any]) -> dict[str, Any]:
        """The columns as stored for these plain values: keys, the plain attributes, the sealed person."""
        attrs = dict(plain.get(self.attributes) or {})
        hidden = {k: attrs.pop(k) for k in sorted(sealer.sensitive.intersection(attrs))}
        out: dict[str, Any] = {n: sealer.key(kind, plain.get(n)) for n, kind in self.keyed.items()}
        out.update({n: None for n in self.texts})
        out[self.attributes] = attrs
        values = [plain.get(n) for n in self.people]
        out["personal_sealed"] = self.sealed(sealer, self.bound(out), values, hidden)
        return out

    def opened(self, sealer: Sealer, held: Mapping[str, Any]) -> dict[str, Any]:
        """The plain values of a row as held, its sealed person opened."""
        sealed = held.get("personal_sealed")
        person = sealer.open_person(self.bound(held), bytes(sealed)) if sealed else []
        found = {n: person[i] if i < len(person) else held.get(n) for i, n in enumerate(self.people)}
        hidden = person[len(self.people)] if len(person) > len(self.people) else {}
        found[self.attributes] = {**(held.get(self.attributes) or {}), **hidden}
        return found


def _listen(model: type, on_load: Callable[..., None], before_write: Callable[..., None]) -> None:
    event.listen(model, "load", on_load)
    event.listen(model, "refresh", on_load)
    for when in ("before_insert", "before_update"):
        event.listen(model, when, before_write)
    for when in ("after_insert", "after_update"):
        event.listen(model, when, _restore)


def read_key_file(path: str) -> Keyring:
    """The keyring of a key file, or Invalid naming it."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as exc:
        raise Invalid(f"cannot read it: {exc.strerror}", where=f"encryption key file {path}") from None
    return sealing.read_keyring(text, where=f"encryption key file {path}")


CHECKED = "herald-lookup-key"


def check_mark(session: Session, sealer: Sealer, now: Any) -> None:
    """Refuse a workspace whose data was sealed when no key file, or another lookup key, is configured;
    mark it sealed the first time it runs with one."""
    mark = session.scalar(select(SealingMark).order_by(SealingMark.id).limit(1))
    if sealer.ring is None:
        if mark is not None:
            raise Invalid(
                "this workspace's personal data is sealed: set encryption_key_file to its key file",
                where="setting encryption_key_file",
            )
        return
    check = sealing.lookup_hash(sealer.ring, "check", CHECKED)
    if mark is None:
        session.add(SealingMark(lookup_check=check, created_at=now))
    elif mark.lookup_check != check:
        raise Invalid(
            "its lookup key is not the one this workspace's data was hashed with", where="setting encryption_key_file"
        )
