"""Sealing personal fields: round trips, tampering, moving, rotation, the key file, lookup hashes."""

from __future__ import annotations

import base64

import pytest

from herald.access.sealing import cipher as sealing
from herald.access.sealing.cipher import (
    Keyring,
    address_key,
    is_address_key,
    is_sealed,
    lookup_hash,
    needs_reseal,
    place,
    read_keyring,
    seal,
    unseal,
)
from herald.errors import Invalid

K1, K2, LK = (base64.b64encode(bytes([n]) * 32).decode() for n in (1, 2, 3))
RING = read_keyring(f"# Herald's keys\nk2={K2}\nk1={K1}  # the older one\n\nlookup={LK}\n")
HERE = place("contacts", "phone", "salt-1")


@pytest.mark.parametrize("text", ["+9779841234567", "王伟", "", "a" * 5000, "sita@example.com"])
def test_a_sealed_value_opens_to_what_was_sealed_and_hides_it(text: str) -> None:
    sealed = seal(RING, text, HERE)
    assert is_sealed(sealed) and sealed.startswith("v1.k2.") and (not text or text not in sealed)
    assert unseal(RING, sealed, HERE) == text
    assert seal(RING, text, HERE) != sealed  # a fresh nonce each time: equal values do not show as equal


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda s: s[:-2] + ("A" if s[-2] != "A" else "B") + s[-1], "changed or moved"),
        (lambda s: s.replace("v1.", "v2.", 1), "not a value Herald sealed"),
        (lambda s: s.replace(".k2.", ".k9.", 1), "key 'k9', which the key file no longer lists"),
        (lambda s: s.split(".")[0] + "." + s.split(".")[1] + ".", "not a value Herald sealed"),
        (lambda s: "plain text", "not a value Herald sealed"),
    ],
)
def test_a_changed_value_does_not_open(change, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        unseal(RING, change(seal(RING, "+9779841234567", HERE)), HERE)


@pytest.mark.parametrize(
    "elsewhere",
    [
        place("contacts", "phone", "salt-2"),
        place("contacts", "email", "salt-1"),
        place("suppressions", "phone", "salt-1"),
    ],
)
def test_a_value_moved_to_another_row_or_column_does_not_open(elsewhere: bytes) -> None:
    with pytest.raises(Invalid, match="changed or moved"):
        unseal(RING, seal(RING, "+9779841234567", HERE), elsewhere)


def test_after_rotation_old_values_open_and_are_named_for_resealing() -> None:
    old = read_keyring(f"k1={K1}\nlookup={LK}")
    sealed_before = seal(old, "sita@example.com", HERE)
    assert not needs_reseal(old, sealed_before)
    assert needs_reseal(RING, sealed_before) and unseal(RING, sealed_before, HERE) == "sita@example.com"
    assert not needs_reseal(RING, seal(RING, "x", HERE))
    dropped = read_keyring(f"k2={K2}\nlookup={LK}")
    with pytest.raises(Invalid, match="'k1', which the key file no longer lists"):
        unseal(dropped, sealed_before, HERE)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "needs at least one sealing key"),
        (f"k1={K1}", "needs at least one sealing key"),
        (f"lookup={LK}", "needs at least one sealing key"),
        (f"k1={K1}\nk1={K2}\nlookup={LK}", "line 2: expected ID=BASE64 with a new ID"),
        (f"bad id={K1}\nlookup={LK}", "line 1: expected ID=BASE64"),
        (f"k1=not base64!\nlookup={LK}", "line 1: the key is not base64"),
        (f"k1={base64.b64encode(b'short').decode()}\nlookup={LK}", "line 1: a key is 32 bytes, this one is 5"),
    ],
)
def test_a_key_file_that_is_not_right_is_refused_naming_the_line(text: str, error: str) -> None:
    with pytest.raises(Invalid, match=error):
        read_keyring(text, "keys.txt")


def test_the_first_key_is_current() -> None:
    assert RING.current == "k2" and RING.key("k1") == bytes([1]) * 32 and RING.key("k3") is None
    assert isinstance(RING, Keyring) and RING.lookup_key == bytes([3]) * 32


def test_a_new_key_line_reads_back() -> None:
    ring = read_keyring(sealing.new_key_line("k7") + "\n" + sealing.new_key_line("lookup"))
    assert ring.current == "k7" and len(ring.keys[0][1]) == 32
    with pytest.raises(Invalid, match="letters and digits"):
        sealing.new_key_line("bad id")


def test_lookup_hashes_find_equal_values_of_one_kind_only() -> None:
    a = lookup_hash(RING, "phone", "+9779841234567")
    assert a == lookup_hash(RING, "phone", "+9779841234567") and len(a) == 64
    assert a != lookup_hash(RING, "email", "+9779841234567")
    assert a != lookup_hash(read_keyring(f"k1={K1}\nlookup={K2}"), "phone", "+9779841234567")
    assert a != lookup_hash(RING, "phone", "+9779841234568")


@pytest.mark.parametrize(
    ("kind", "address", "plain", "width"),
    [
        ("phone", "+8613800138000", "+861380", 20),
        ("phone", "+9779841234567", "+977984", 20),
        ("email", "li.wei@example.cn", "@example.cn", 34),
    ],
)
def test_an_address_key_keeps_the_routing_part_plain_and_hashes_the_rest(kind, address, plain, width) -> None:
    key = address_key(RING, kind, address)
    assert plain in key and address not in key and len(key) == width
    assert key == address_key(RING, kind, address) and is_address_key(key) and not is_address_key(address)
    assert key != address_key(read_keyring(f"k1={K1}\nlookup={K2}"), kind, address)


def test_the_longest_e164_number_is_not_taken_for_a_key() -> None:
    assert not is_address_key("+123456789012345") and not is_address_key("~abc@example.com")
    assert address_key(RING, "phone", "+8613800138000") != address_key(RING, "phone", "+8613800138001")


@pytest.mark.parametrize("data", [b"", '["+9779841234567","sita@example.com","王伟"]'.encode(), bytes(range(256))])
def test_bytes_sealed_open_to_what_was_sealed_and_are_a_third_smaller_than_text(data: bytes) -> None:
    sealed = sealing.seal_bytes(RING, data, HERE)
    assert sealing.unseal_bytes(RING, sealed, HERE) == data and (not data or data not in sealed)
    assert sealed[:4] == b"\x01\x02k2" and len(sealed) == 4 + 12 + len(data) + 16
    assert len(sealed) < len(seal(RING, data.decode("latin-1"), HERE))
    assert not needs_reseal(RING, sealed)


@pytest.mark.parametrize(
    ("sealed", "reason"),
    [
        (b"", "not a value Herald sealed"),
        (b"\x02\x02k2" + bytes(40), "not a value Herald sealed"),
        (b"\x01\x00" + bytes(40), "not a value Herald sealed"),
        (b"\x01\x02k2" + bytes(10), "not a value Herald sealed"),
        (b"\x01\x02k9" + bytes(40), "no longer lists"),
        (b"\x01\x02k2" + bytes(40), "changed or moved"),
    ],
)
def test_bytes_that_are_not_a_sealed_value_or_were_changed_do_not_open(sealed: bytes, reason: str) -> None:
    with pytest.raises(Invalid, match=reason):
        sealing.unseal_bytes(RING, sealed, HERE)


def test_bytes_sealed_elsewhere_or_with_an_older_key_say_so() -> None:
    sealed = sealing.seal_bytes(read_keyring(f"k1={K1}\nlookup={LK}"), b"x", HERE)
    assert needs_reseal(RING, sealed) and sealing.unseal_bytes(RING, sealed, HERE) == b"x"
    with pytest.raises(Invalid, match="changed or moved"):
        sealing.unseal_bytes(RING, sealed, place("contacts", "person", "another row"))
