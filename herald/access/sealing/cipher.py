"""Personal fields sealed at rest: an authenticated cipher, keys kept outside the database, and keyed hashes
to look sealed values up by. Pure (no database; the key file's text is handed in).

- **Sealing**: AES-256-GCM with a fresh 96-bit nonce per value. The associated data binds a sealed value to
  its place (what `place` is given: a column and what identifies its row): moved elsewhere, it no longer opens.
  A sealed value reads `v1.KEYID.BASE64URL(nonce ‖ ciphertext ‖ tag)`, so it names the key it needs.
- **Rotation**: the key file lists keys newest first; values sealed with any listed key open, new values
  are sealed with the first, and `needs_reseal` tells which values an operator's re-seal run must redo.
  A key can leave the file once nothing sealed with it is left.
- **Lookup**: a value that must be found, de-duplicated or joined (a phone number, an e-mail address) is
  also kept as HMAC-SHA256 under a lookup key of its own, which does not rotate with the sealing keys (a
  change of it means hashing everything again). The hash names its kind, so a phone and an e-mail that
  happen to be the same text never collide.
- **Address keys** stand where an address stood, in the same columns: the part that routes stays plain,
  as region and carrier do, and the rest is a keyed hash (BLAKE2b keyed with the lookup key). A phone's
  key is its first six digits and 78 bits of hash (`+861380` + 13 characters, the width of an E.164
  column, so a rule scoped to a number prefix still matches it); an e-mail's is `~` and 128 bits of hash
  (22 characters) at its domain. Neither can be a real address's normalized form, so a key is never keyed
  twice.
- **Bytes**: `seal_bytes` holds a sealed value as bytes, a third smaller than the text form, for the
  columns that rows are scanned by.

The key file: one key a line, `ID=BASE64` (32 random bytes; ID of letters and digits), newest first, and one
`lookup=BASE64` line; `#` starts a comment. `new_key_line()` makes a line."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from herald.errors import Invalid

VERSION = "v1"
LOOKUP = "lookup"
KEY_ID = re.compile(r"^[A-Za-z0-9]{1,16}$")
NONCE = 12


@dataclass(frozen=True)
class Keyring:
    keys: tuple[tuple[str, bytes], ...]  # (id, key), newest first
    lookup_key: bytes
    # One cipher object per key, made once: an import seals several values a row.
    ciphers: dict[str, AESGCM] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "ciphers", {i: AESGCM(k) for i, k in self.keys})

    @property
    def current(self) -> str:
        return self.keys[0][0]

    def key(self, key_id: str) -> bytes | None:
        return next((k for i, k in self.keys if i == key_id), None)


def read_keyring(text: str, where: str = "encryption key file") -> Keyring:
    """The keys of a key file's text; a line that is not one is refused, naming its number."""
    keys: list[tuple[str, bytes]] = []
    lookup = None
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, _, value = line.partition("=")
        key = _key(value.strip(), f"{where} line {number}")
        name = name.strip()
        if name == LOOKUP:
            lookup = key
        elif not KEY_ID.match(name) or any(name == i for i, _ in keys):
            raise Invalid(
                f"expected ID=BASE64 with a new ID of letters and digits, got {name!r}", where=f"{where} line {number}"
            )
        else:
            keys.append((name, key))
    if not keys or lookup is None:
        raise Invalid("needs at least one sealing key (ID=BASE64) and a lookup=BASE64 line", where=where)
    return Keyring(tuple(keys), lookup)


def _key(value: str, where: str) -> bytes:
    try:
        key = base64.b64decode(value, validate=True)
    except ValueError:
        raise Invalid("the key is not base64", where=where) from None
    if len(key) != 32:
        raise Invalid(f"a key is 32 bytes, this one is {len(key)}", where=where)
    return key


def new_key_line(key_id: str) -> str:
    """A line for the key file with a fresh random key."""
    if key_id != LOOKUP and not KEY_ID.match(key_id):
        raise Invalid("use 1 to 16 letters and digits", where="key id")
    return f"{key_id}={base64.b64encode(secrets.token_bytes(32)).decode('ascii')}"


def place(table: str, column: str, salt: str) -> bytes:
    """The associated data that binds a sealed value to its row and column."""
    return f"{table}.{column}:{salt}".encode()


def seal(ring: Keyring, plaintext: str, bound_to: bytes) -> str:
    """The value sealed with the current key, bound to its place."""
    nonce = os.urandom(NONCE)  # what secrets.token_bytes calls, without its two layers
    sealed = ring.ciphers[ring.current].encrypt(nonce, plaintext.encode("utf-8"), bound_to)
    return f"{VERSION}.{ring.current}.{base64.urlsafe_b64encode(nonce + sealed).decode('ascii').rstrip('=')}"


def unseal(ring: Keyring, sealed: str, bound_to: bytes) -> str:
    """The value a sealed text holds; Invalid when it was changed, moved, or sealed with a key not listed."""
    version, key_id, body = _parts(sealed)
    cipher = ring.ciphers.get(key_id)
    if cipher is None:
        raise Invalid(f"sealed with key {key_id!r}, which the key file no longer lists", where="encryption")
    raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    try:
        return cipher.decrypt(raw[:NONCE], raw[NONCE:], bound_to).decode("utf-8")
    except (InvalidTag, ValueError):
        raise Invalid("a sealed value was changed or moved from its row", where="encryption") from None


RAW = 1  # the first byte of a value sealed as bytes: its format's version


def seal_bytes(ring: Keyring, plaintext: bytes, bound_to: bytes) -> bytes:
    """Bytes sealed with the current key, bound to their place, as bytes: `1`, the key id's length and
    id, nonce, ciphertext and tag. A third smaller than the text form, for columns rows are scanned by."""
    key_id, nonce = ring.current.encode("ascii"), os.urandom(NONCE)
    sealed = ring.ciphers[ring.current].encrypt(nonce, plaintext, bound_to)
    return bytes((RAW, len(key_id))) + key_id + nonce + sealed


def unseal_bytes(ring: Keyring, sealed: bytes, bound_to: bytes) -> bytes:
    """What `seal_bytes` sealed; Invalid when it was changed, moved, or sealed with a key not listed."""
    key_id, body = _raw_parts(sealed)
    cipher = ring.ciphers.get(key_id)
    if cipher is None:
        raise Invalid(f"sealed with key {key_id!r}, which the key file no longer lists", where="encryption")
    try:
        return cipher.decrypt(body[:NONCE], body[NONCE:], bound_to)
    except InvalidTag:
        raise Invalid("a sealed value was changed or moved from its row", where="encryption") from None


def _raw_parts(sealed: bytes) -> tuple[str, bytes]:
    length = sealed[1] if len(sealed) > 1 and sealed[0] == RAW else 0
    if not length or len(sealed) < 2 + length + NONCE + 16:
        raise Invalid("not a value Herald sealed", where="encryption")
    return sealed[2 : 2 + length].decode("ascii", "replace"), sealed[2 + length :]


def needs_reseal(ring: Keyring, sealed: str | bytes) -> bool:
    """Whether a sealed value (text or bytes) was sealed with a key older than the current one."""
    key_id = _raw_parts(sealed)[0] if isinstance(sealed, bytes) else _parts(sealed)[1]
    return key_id != ring.current


def is_sealed(value: str) -> bool:
    return value.startswith(f"{VERSION}.") and value.count(".") == 2


def lookup_hash(ring: Keyring, kind: str, value: str) -> str:
    """The keyed hash a value is found by (hex); equal values of one kind hash alike, others never."""
    return hmac.digest(ring.lookup_key, f"{kind}\0{value}".encode(), "sha256").hex()


PHONE_PLAIN = 7  # "+" and six digits: a country code and the area or mobile prefix
PHONE_HASH = 13  # base64url characters: 78 bits
EMAIL_HASH = 22  # base64url characters: 128 bits
E164_LONGEST = 16  # "+" and fifteen digits: a longer "+…" text is a key


def address_key(ring: Keyring, kind: str, address: str) -> str:
    """The key an address is stored and found by: `phone` keeps its prefix, `email` its domain."""
    # Keyed BLAKE2b (RFC 7693), a MAC in its own right, personalized by the kind: the same strength as
    # HMAC-SHA256 at a third of its cost, which an import pays twice a row.
    digest = hashlib.blake2b(address.encode(), key=ring.lookup_key, digest_size=16, person=kind.encode()).digest()
    if kind == "email":
        domain = address.rpartition("@")[2]
        return f"~{base64.urlsafe_b64encode(digest).decode('ascii')[:EMAIL_HASH]}@{domain}"
    hashed = base64.urlsafe_b64encode(digest[:10]).decode("ascii")[:PHONE_HASH]  # 13 characters of 10 bytes
    return address[:PHONE_PLAIN] + hashed


def is_address_key(address: str) -> bool:
    """Whether a stored address is a key (not the address itself)."""
    if address.startswith("~"):
        return address.find("@") == EMAIL_HASH + 1
    return address.startswith("+") and len(address) > E164_LONGEST


def _parts(sealed: str) -> tuple[str, str, str]:
    parts = sealed.split(".")
    if len(parts) != 3 or parts[0] != VERSION or not parts[2]:
        raise Invalid("not a value Herald sealed", where="encryption")
    return parts[0], parts[1], parts[2]
