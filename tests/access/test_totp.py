"""TOTP against RFC 6238's own test vectors (SHA-1, the last six of its eight digits) and the rules Herald
adds: one step of slack either side, and no code taken twice."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from herald.access import totp

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


@pytest.mark.parametrize(
    ("unix", "eight_digits"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
    ],
)
def test_it_matches_the_rfc_vectors(unix: int, eight_digits: str) -> None:
    assert totp.hotp(RFC_SECRET, unix // totp.STEP) == eight_digits[-6:]


NOW = datetime(2026, 3, 10, 14, 0, 10, tzinfo=UTC)


def code_at(moment: datetime) -> str:
    return totp.hotp(RFC_SECRET, totp.step_of(moment))


@pytest.mark.parametrize(
    ("code", "last_used", "accepted"),
    [
        (code_at(NOW), None, totp.step_of(NOW)),
        (code_at(NOW - timedelta(seconds=30)), None, totp.step_of(NOW) - 1),  # the phone's clock is behind
        (code_at(NOW + timedelta(seconds=30)), None, totp.step_of(NOW) + 1),  # or ahead
        (code_at(NOW - timedelta(seconds=90)), None, None),  # too old
        (code_at(NOW), totp.step_of(NOW), None),  # used already
        (code_at(NOW - timedelta(seconds=30)), totp.step_of(NOW) - 1, None),  # an older step after a newer one
        (" ".join([code_at(NOW)[:3], code_at(NOW)[3:]]), None, totp.step_of(NOW)),  # typed with a space
        ("12345", None, None),
        ("abcdef", None, None),
        ("000000" if code_at(NOW) != "000000" else "111111", None, None),
    ],
)
def test_it_accepts_a_code_once_within_a_step(code: str, last_used: int | None, accepted: int | None) -> None:
    assert totp.accepted_step(RFC_SECRET, code, NOW, last_used) == accepted


def test_a_new_secret_is_160_bits_an_app_can_read() -> None:
    secret = totp.new_secret()
    assert len(base64.b32decode(secret)) == 20
    assert totp.hotp(secret, 1).isdigit()
    address = totp.address(secret, "ada@shop")
    assert address.startswith("otpauth://totp/Herald%3Aada%40shop?secret=") and "period=30" in address
