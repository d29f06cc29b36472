"""Passwords, keys and tokens: how they are made, kept and checked.

Passwords are hashed with argon2id (memory-hard, so a stolen table is slow to guess from); keys and
session tokens are long random strings, kept as SHA-256 and compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from herald.errors import Invalid

ALPHABET = string.ascii_letters + string.digits
KEY_PREFIX = "hk"
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Checked when the name is unknown, so that a wrong name takes as long as a wrong password.
_DECOY = _hasher.hash("decoy password, never anyone's")


def random_text(length: int) -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(length))


def hash_password(password: str, name: str) -> str:
    """The argon2id hash of an acceptable password, or a one-line reason it is not acceptable."""
    if len(password) < MIN_PASSWORD:
        raise Invalid(f"a password needs at least {MIN_PASSWORD} characters", where="password")
    if password.strip().lower() == name.strip().lower():
        raise Invalid("a password may not be the user's name", where="password")
    return _hasher.hash(password)


def password_matches(stored: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored or _DECOY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def new_key() -> tuple[str, str, str]:
    """A fresh API key: (the whole key to show once, its prefix, the secret's digest)."""
    prefix, secret = random_text(8), random_text(32)
    return f"{KEY_PREFIX}_{prefix}_{secret}", prefix, digest(secret)


def split_key(key: str) -> tuple[str, str] | None:
    """(prefix, secret) of a key in Herald's shape, None for anything else."""
    parts = key.strip().split("_")
    if len(parts) != 3 or parts[0] != KEY_PREFIX or len(parts[1]) != 8 or len(parts[2]) != 32:
        return None
    return parts[1], parts[2]
