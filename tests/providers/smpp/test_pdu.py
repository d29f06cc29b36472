"""SMPP 3.4 PDUs, byte for byte, and delivery receipts (pure)."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from herald.providers.smpp import pdu

# bind_transceiver as SMPP 3.4 section 4.1 lays it out: system_id "herald", password "pw", no system_type,
# interface_version 0x34, addr_ton 0, addr_npi 0, address_range "".
BIND = bytes.fromhex(
    "0000001f 00000009 00000000 00000001"  # command_length, command_id, command_status, sequence_number
    "68657261 6c6400 707700 00 34 00 00 00"  # system_id, password, system_type, version, ton, npi, range
)


def test_a_bind_is_encoded_as_the_specification_lays_it_out() -> None:
    encoded = pdu.Pdu(pdu.BIND_TRANSCEIVER, 0, 1, pdu.bind_transceiver("herald", "pw")).encode()
    assert encoded == BIND
    assert pdu.decode(BIND) == pdu.Pdu(pdu.BIND_TRANSCEIVER, 0, 1, BIND[16:])
    assert pdu.read_header(BIND[:16]) == (31, 9, 0, 1)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (bytes.fromhex("0000000f000000090000000000000001"), "a PDU of 15 bytes is not SMPP"),
        (bytes.fromhex("00100001000000090000000000000001"), "is not SMPP"),
        (BIND[:-1], "expected 31 bytes, got 30"),
    ],
)
def test_what_is_not_an_smpp_pdu_is_refused(data, words) -> None:
    with pytest.raises(ValueError, match=words):
        pdu.decode(data)


def test_a_field_longer_than_its_room_is_refused() -> None:
    with pytest.raises(ValueError, match="longer than 8 characters"):
        pdu.bind_transceiver("herald", "123456789")


def test_a_submit_sm_carries_addresses_coding_receipt_and_validity() -> None:
    body = pdu.Submit("Herald", "9779841234567", b"Hi", 0, 0, 1, pdu.relative(86_400)).body()
    assert body == (
        b"\0" + bytes([5, 0]) + b"Herald\0" + bytes([1, 1]) + b"9779841234567\0" + bytes([0, 0, 0])
        + b"\0" + b"000001000000000R\0" + bytes([1, 0, 0, 0, 2]) + b"Hi"
    )  # fmt: skip
    numbered = pdu.Submit("14155550100", "1", bytes([0x05, 0, 3, 7, 2, 1]) + b"x", 8, pdu.ESM_UDHI, 0, flash=True)
    body = numbered.body()  # a number as source; UCS-2 with message class 0 (flash): data_coding 0x18
    assert body[1:3] == bytes([1, 1])
    assert body.endswith(bytes([pdu.ESM_UDHI, 0, 0, 0, 0, 0, 0, 0x18, 0, 7, 5, 0, 3, 7, 2, 1]) + b"x")


def test_a_submit_sm_resp_names_the_message() -> None:
    assert pdu.message_id(b"4f2a\0") == "4f2a" and pdu.message_id(b"") == ""


def deliver(esm_class: int, text: bytes, coding: int = 0) -> bytes:
    return (
        b"\0" + bytes([1, 1]) + b"9779841234567\0" + bytes([5, 0]) + b"Herald\0" + bytes([esm_class, 0, 0])
        + b"\0\0" + bytes([0, 0, coding, 0, len(text)]) + text
    )  # fmt: skip


def test_a_deliver_sm_is_read_as_a_receipt_or_a_handset_message() -> None:
    got = pdu.deliver_sm(deliver(pdu.ESM_RECEIPT, b"id:7 stat:DELIVRD err:000"))
    assert got == pdu.Delivered("9779841234567", "Herald", 4, 0, b"id:7 stat:DELIVRD err:000") and got.is_receipt
    reply = pdu.deliver_sm(deliver(0, "退订".encode("utf-16-be"), 8))
    assert not reply.is_receipt and reply.data_coding == 8 and reply.short_message.decode("utf-16-be") == "退订"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "id:0A1B sub:001 dlvrd:001 submit date:2612050930 done date:2612050931 stat:DELIVRD err:000 text:Hi",
            pdu.Receipt("0A1B", "delivered", "DELIVRD", None),
        ),
        (
            "id:9 sub:001 dlvrd:000 submit date:2612050930 done date:2612060930 stat:EXPIRED err:027",
            pdu.Receipt("9", "undelivered", "EXPIRED", "027"),
        ),  # fmt: skip
        ("id:9 stat:undeliv err:0x0B", pdu.Receipt("9", "undelivered", "UNDELIV", "0x0B")),
        ("id:9 stat:REJECTD", pdu.Receipt("9", "failed", "REJECTD", None)),
        ("id:9 stat:ACCEPTD err:000", pdu.Receipt("9", "sent", "ACCEPTD", None)),
        ("id:9 stat:SKIPPED", pdu.Receipt("9", "unknown", "SKIPPED", None)),
        ("Your code is 1234", None),
    ],
)
def test_a_receipt_text_is_read_into_the_message_id_and_herald_state(text, expected) -> None:
    assert pdu.receipt(text) == expected


def test_smpp_times_absolute_and_relative() -> None:
    at = datetime(2026, 12, 5, 17, 30, 5, tzinfo=timezone(timedelta(hours=8)))
    assert pdu.smpp_time(at) == "261205093005000+"
    assert pdu.smpp_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "260102030405000+"
    assert pdu.relative(86_400 + 3_600 + 61) == "000001010101000R" and pdu.relative(90) == "000000000130000R"
