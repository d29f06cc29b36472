"""A stand-in SMSC speaking SMPP 3.4 on 127.0.0.1: it takes a transceiver bind with its own system_id and
password, answers enquire_link and unbind, takes submit_sm — reading the fields itself, joining the parts
of a long text by their user data header, decoding GSM 03.38 or UCS-2 — and answers with a message_id or
the fault a test asks of a number: throttled (0x58), queue full (0x14), invalid number (0x0B), no answer
at all, or a receipt sent before the answer. Receipts go out as deliver_sm when asked for."""

from __future__ import annotations

import asyncio
import struct
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from herald.sandbox.faults import Faults

SYSTEM_ID, PASSWORD = "herald", "smpp-pw1"  # SMPP passwords are at most 8 characters
STATUS = {"throttle": 0x58, "full": 0x14, "invalid": 0x0B, "broken": 0x08, "busy": 0x58}
GSM = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_ESCAPED = dict(zip(b"\x0a\x14\x28\x29\x2f\x3c\x3d\x3e\x40\x65", "\f^{}\\[~]|€", strict=True))


def gsm_text(octets: bytes) -> str:
    out, escape = "", False
    for octet in octets:
        if escape:
            out, escape = out + GSM_ESCAPED.get(octet, "?"), False
        elif octet == 0x1B:
            escape = True
        else:
            out += GSM[octet]
    return out


def cstrings(body: bytes, at: int, count: int) -> tuple[list[str], int]:
    found = []
    for _ in range(count):
        end = body.index(0, at)
        found.append(body[at:end].decode("ascii"))
        at = end + 1
    return found, at


@dataclass
class FakeSmsc:
    # number -> throttle | full | invalid | broken | hang | drop (the connection, unanswered) | early (receipt)
    faults: dict[str, str] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)  # whole texts, each as it was put together
    submits: int = 0  # submit_sm taken in
    binds: int = 0
    pongs: int = 0  # enquire_link_resp from Herald to the SMSC's own keep-alive asks
    refused_binds: int = 0
    random: Faults = field(default_factory=Faults)
    host: str = "127.0.0.1"
    port: int = 0
    _pending: dict[tuple[str, int], dict[int, str]] = field(default_factory=dict)  # (number, ref) -> parts

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        bound = False
        try:
            while True:
                length, command, _, sequence = struct.unpack(">IIII", await reader.readexactly(16))
                body = await reader.readexactly(length - 16)
                if command == 0x09:  # bind_transceiver
                    (system_id, password), _ = cstrings(body, 0, 2)
                    bound = (system_id, password) == (SYSTEM_ID, PASSWORD)
                    self.binds += bound
                    self.refused_binds += not bound
                    status = 0 if bound else (0x0E if system_id == SYSTEM_ID else 0x0F)
                    self._write(writer, 0x80000009, status, sequence, b"Herald SMSC\0")
                    if bound:  # an SMSC checks the link too
                        self._write(writer, 0x15, 0, 0x7FFFFFFF, b"")
                elif command == 0x80000015:
                    self.pongs += 1
                elif command in (0x15, 0x06):  # enquire_link, unbind
                    self._write(writer, 0x80000000 | command, 0, sequence, b"")
                elif command == 0x04 and bound:
                    await self._submit(writer, sequence, body)
                else:
                    self._write(writer, 0x80000000 | command, 0x04, sequence, b"")  # ESME_RINVBNDSTS
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    async def _submit(self, writer: asyncio.StreamWriter, sequence: int, body: bytes) -> None:
        self.submits += 1
        at = body.index(0) + 3  # service_type, source_addr_ton, source_addr_npi
        (source,), at = cstrings(body, at, 1)
        at += 2
        (destination,), at = cstrings(body, at, 1)
        esm_class = body[at]
        (_, validity), at = cstrings(body, at + 3, 2)
        registered, coding, length = body[at], body[at + 2], body[at + 4]
        short = body[at + 5 : at + 5 + length]
        await self.random.wait()
        fault = self.faults.get(destination) or self.random.draw()
        if fault == "hang":
            return
        if fault == "drop":  # the SMSC goes away mid-bind, the submit unanswered
            writer.close()
            return
        if fault in STATUS:
            self._write(writer, 0x80000004, STATUS[fault], sequence, b"\0")
            return
        message_id = f"{self.submits:08X}"
        text = self._join(destination, esm_class, coding, short)
        if text is not None:
            self.received.append(
                {
                    "from": source,
                    "to": destination,
                    "text": text,
                    "coding": coding,
                    "validity": validity,
                    "id": message_id,
                }
            )
        if fault == "early" and registered & 1:
            self._receipt(writer, destination, message_id)
        self._write(writer, 0x80000004, 0, sequence, message_id.encode() + b"\0")
        if fault != "early" and registered & 1:
            self._receipt(writer, destination, message_id)

    def _join(self, destination: str, esm_class: int, coding: int, short: bytes) -> str | None:
        """The whole text once its last part is in (None while parts are missing)."""
        read = (lambda b: b.decode("utf-16-be")) if coding & 0x0F == 8 else gsm_text
        if not esm_class & 0x40:
            return read(short)
        header = short[: short[0] + 1]
        reference, total, seq = header[3], header[4], header[5]
        parts = self._pending.setdefault((destination, reference), {})
        parts[seq] = read(short[len(header) :])
        if len(parts) < total:
            return None
        del self._pending[(destination, reference)]
        return "".join(parts[i] for i in range(1, total + 1))

    def _receipt(self, writer: asyncio.StreamWriter, destination: str, message_id: str) -> None:
        stamp = datetime.now(UTC).strftime("%y%m%d%H%M")
        text = f"id:{message_id} sub:001 dlvrd:001 submit date:{stamp} done date:{stamp} stat:DELIVRD err:000 text:"
        body = (
            b"\0" + bytes([1, 1]) + destination.encode() + b"\0" + bytes([5, 0]) + b"Herald\0"
            + bytes([0x04, 0, 0]) + b"\0\0" + bytes([0, 0, 0, 0, len(text)]) + text.encode()
        )  # fmt: skip
        self._write(writer, 0x00000005, 0, 0x7FFF0000 + self.submits, body)

    @staticmethod
    def _write(writer: asyncio.StreamWriter, command: int, status: int, sequence: int, body: bytes) -> None:
        writer.write(struct.pack(">IIII", 16 + len(body), command, status, sequence) + body)


@contextmanager
def running(fake: FakeSmsc, port: int = 0) -> Iterator[FakeSmsc]:
    """Serve the stand-in in a thread of its own until the block ends."""
    loop = asyncio.new_event_loop()
    server = loop.run_until_complete(asyncio.start_server(fake.serve, fake.host, port))
    fake.port = server.sockets[0].getsockname()[1]
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
        server.close()
        loop.run_until_complete(server.wait_closed())
        loop.close()
