"""SMPP 3.4 protocol data units: the 16-byte header, the bodies Herald sends and reads, and delivery
receipts. Pure: bytes in, frozen data out.

Every PDU starts with four big-endian 32-bit integers — command_length (the whole PDU), command_id,
command_status (0 in requests) and sequence_number (which matches a response to its request) — and its
body is a run of integers and NUL-terminated strings in the order the specification lists them.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass
from datetime import UTC, datetime

HEADER = struct.Struct(">IIII")
RESPONSE = 0x80000000

BIND_TRANSCEIVER = 0x00000009
SUBMIT_SM = 0x00000004
DELIVER_SM = 0x00000005
UNBIND = 0x00000006
ENQUIRE_LINK = 0x00000015
GENERIC_NACK = 0x80000000

# command_status values Herald reads (SMPP 3.4, 5.1.3).
OK = 0x00000000
INVALID_DESTINATION = 0x0000000B  # ESME_RINVDSTADR
BIND_FAILED = 0x0000000D  # ESME_RBINDFAIL
INVALID_PASSWORD = 0x0000000E  # ESME_RINVPASWD
INVALID_SYSTEM_ID = 0x0000000F  # ESME_RINVSYSID
QUEUE_FULL = 0x00000014  # ESME_RMSGQFUL
SUBMIT_FAILED = 0x00000045  # ESME_RSUBMITFAIL
THROTTLED = 0x00000058  # ESME_RTHROTTLED
NAMES = {
    INVALID_DESTINATION: "ESME_RINVDSTADR",
    BIND_FAILED: "ESME_RBINDFAIL",
    INVALID_PASSWORD: "ESME_RINVPASWD",
    INVALID_SYSTEM_ID: "ESME_RINVSYSID",
    QUEUE_FULL: "ESME_RMSGQFUL",
    SUBMIT_FAILED: "ESME_RSUBMITFAIL",
    THROTTLED: "ESME_RTHROTTLED",
    0x00000008: "ESME_RSYSERR",
    0x00000001: "ESME_RINVMSGLEN",
    0x00000003: "ESME_RINVCMDID",
    0x00000045: "ESME_RSUBMITFAIL",
    0x00000061: "ESME_RINVSCHED",
    0x00000062: "ESME_RINVEXPIRY",
}

ESM_UDHI = 0x40  # the short message starts with a user data header (concatenation)
ESM_RECEIPT = 0x04  # a deliver_sm that is a delivery receipt
TON_INTERNATIONAL, NPI_E164 = 1, 1
TON_ALPHANUMERIC, NPI_UNKNOWN = 5, 0


@dataclass(frozen=True)
class Pdu:
    command_id: int
    status: int
    sequence: int
    body: bytes = b""

    def encode(self) -> bytes:
        return HEADER.pack(HEADER.size + len(self.body), self.command_id, self.status, self.sequence) + self.body


def read_header(data: bytes) -> tuple[int, int, int, int]:
    """(command_length, command_id, command_status, sequence_number) of a PDU's first 16 bytes."""
    length, command, status, sequence = HEADER.unpack(data[: HEADER.size])
    if length < HEADER.size or length > 65_536:
        raise ValueError(f"a PDU of {length} bytes is not SMPP")
    return length, command, status, sequence


def decode(data: bytes) -> Pdu:
    """A whole PDU (header and body)."""
    length, command, status, sequence = read_header(data)
    if len(data) != length:
        raise ValueError(f"expected {length} bytes, got {len(data)}")
    return Pdu(command, status, sequence, data[HEADER.size :])


def cstring(value: str, limit: int) -> bytes:
    encoded = value.encode("ascii")
    if len(encoded) >= limit:
        raise ValueError(f"{value!r} is longer than {limit - 1} characters")
    return encoded + b"\0"


def bind_transceiver(system_id: str, password: str, system_type: str = "") -> bytes:
    """The body of bind_transceiver: SMPP 3.4 (interface_version 0x34), any address range."""
    return cstring(system_id, 16) + cstring(password, 9) + cstring(system_type, 13) + bytes([0x34, 0, 0]) + b"\0"


@dataclass(frozen=True)
class Submit:
    source: str
    destination: str  # digits, without +
    short_message: bytes
    data_coding: int = 0  # 0: GSM-7 (SMSC default alphabet), 8: UCS-2
    esm_class: int = 0
    registered_delivery: int = 1  # ask for a receipt
    validity: str = ""  # SMPP relative time, e.g. 000001000000000R for a day
    flash: bool = False  # message class 0: shown at once, not stored

    def body(self) -> bytes:
        alphanumeric = not self.source.isdigit()
        source_ton = TON_ALPHANUMERIC if alphanumeric else TON_INTERNATIONAL
        source_npi = NPI_UNKNOWN if alphanumeric else NPI_E164
        coding = (self.data_coding | 0x10) if self.flash else self.data_coding  # 0x10: a message class follows
        return (
            b"\0"  # service_type
            + bytes([source_ton, source_npi])
            + cstring(self.source, 21)
            + bytes([TON_INTERNATIONAL, NPI_E164])
            + cstring(self.destination, 21)
            + bytes([self.esm_class, 0, 0])  # esm_class, protocol_id, priority_flag
            + b"\0"  # schedule_delivery_time: now
            + cstring(self.validity, 17)
            + bytes([self.registered_delivery, 0, coding, 0, len(self.short_message)])
            + self.short_message
        )


def message_id(body: bytes) -> str:
    """The message_id of a submit_sm_resp body."""
    return body.split(b"\0", 1)[0].decode("ascii", "replace")


@dataclass(frozen=True)
class Delivered:
    """A deliver_sm: a delivery receipt (esm_class 0x04) or a message from a handset."""

    source: str
    destination: str
    esm_class: int
    data_coding: int
    short_message: bytes

    @property
    def is_receipt(self) -> bool:
        return bool(self.esm_class & ESM_RECEIPT)


def deliver_sm(body: bytes) -> Delivered:
    """The fields of a deliver_sm body Herald reads."""
    at = body.index(b"\0") + 1  # service_type
    at += 2  # source_addr_ton, source_addr_npi
    end = body.index(b"\0", at)
    source, at = body[at:end].decode("ascii", "replace"), end + 3  # and dest_addr_ton, dest_addr_npi
    end = body.index(b"\0", at)
    destination, at = body[at:end].decode("ascii", "replace"), end + 1
    esm_class, at = body[at], at + 3  # and protocol_id, priority_flag
    at = body.index(b"\0", at) + 1  # schedule_delivery_time
    at = body.index(b"\0", at) + 1  # validity_period
    at += 2  # registered_delivery, replace_if_present_flag
    data_coding, length = body[at], body[at + 2]
    return Delivered(source, destination, esm_class, data_coding, body[at + 3 : at + 3 + length])


RECEIPT = re.compile(
    r"id:(?P<id>\S+)\s.*?stat:(?P<stat>[A-Z]+)(?:\s+err:(?P<err>\w+))?(?:.*?done date:(?P<done>\d{10,12}))?",
    re.IGNORECASE | re.DOTALL,
)
STATES = {
    "DELIVRD": "delivered",
    "ACCEPTD": "sent",
    "ENROUTE": "sent",
    "EXPIRED": "undelivered",
    "UNDELIV": "undelivered",
    "DELETED": "undelivered",
    "REJECTD": "failed",
    "UNKNOWN": "unknown",
}


@dataclass(frozen=True)
class Receipt:
    message_id: str
    state: str  # Herald's name: delivered | sent | undelivered | failed | unknown
    stat: str  # the SMSC's own word
    error: str | None


def receipt(text: str) -> Receipt | None:
    """A delivery receipt's text (`id:… sub:001 dlvrd:001 submit date:… done date:… stat:DELIVRD err:000
    text:…`), or None when it is not one."""
    found = RECEIPT.search(text)
    if not found:
        return None
    stat = found.group("stat").upper()
    error = found.group("err")
    return Receipt(found.group("id"), STATES.get(stat, "unknown"), stat, None if error in (None, "000") else error)


def smpp_time(at: datetime) -> str:
    """An absolute SMPP time (YYMMDDhhmmss, tenths, quarter-hours from UTC, sign)."""
    return at.astimezone(UTC).strftime("%y%m%d%H%M%S") + "000+"


def relative(seconds: int) -> str:
    """A relative SMPP time: YYMMDDhhmmss000R."""
    days, rest = divmod(seconds, 86_400)
    hours, rest = divmod(rest, 3_600)
    minutes, secs = divmod(rest, 60)
    return f"0000{days:02d}{hours:02d}{minutes:02d}{secs:02d}000R"
