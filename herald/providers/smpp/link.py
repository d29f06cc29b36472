"""One bound SMPP transceiver session over asyncio: requests matched to their responses by sequence
number, a window of requests outstanding at once, deliver_sm (receipts and messages from handsets)
answered and handed on as they come — even before the submit_sm_resp of the message they are about —
enquire_link answered, and sent when the link has been quiet."""

from __future__ import annotations

import asyncio
import contextlib
import ssl
from collections.abc import Callable

from herald.providers.smpp import pdu
from herald.providers.smpp.pdu import Pdu


class LinkLost(Exception):
    """The connection went: requests without an answer may or may not have reached the SMSC."""


class NotSent(LinkLost):
    """The connection had gone before the request was written: it never reached the SMSC."""


class Link:
    def __init__(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        window: int,
        on_deliver: Callable[[pdu.Delivered], None],
        keepalive: float = 30.0,
    ) -> None:
        self.reader, self.writer, self.on_deliver, self.keepalive = reader, writer, on_deliver, keepalive
        self.window = asyncio.Semaphore(window)
        self.waiting: dict[int, asyncio.Future[Pdu]] = {}
        self.sequence = 0
        self.closed = False
        self.reading = asyncio.get_running_loop().create_task(self._read())
        self.pinging = asyncio.get_running_loop().create_task(self._ping())

    @classmethod
    async def open(
        cls,
        host: str,
        port: int,
        timeout: float,
        window: int,
        on_deliver: Callable[[pdu.Delivered], None],
        tls: ssl.SSLContext | None = None,
    ) -> Link:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port, ssl=tls), timeout)
        return cls(reader, writer, window, on_deliver)

    async def request(self, command_id: int, body: bytes, timeout: float) -> Pdu:
        """Send a request and wait for its response (at most `window` outstanding); LinkLost when the
        connection goes first, TimeoutError when no answer comes in time."""
        async with self.window:
            if self.closed:
                raise NotSent("the connection is closed")
            self.sequence = sequence = self.sequence % 0x7FFFFFFF + 1
            answer: asyncio.Future[Pdu] = asyncio.get_running_loop().create_future()
            self.waiting[sequence] = answer
            self.writer.write(Pdu(command_id, 0, sequence, body).encode())
            try:
                return await asyncio.wait_for(answer, timeout)
            finally:
                self.waiting.pop(sequence, None)

    async def _read(self) -> None:
        try:
            while True:
                head = await self.reader.readexactly(pdu.HEADER.size)
                length, command, status, sequence = pdu.read_header(head)
                body = await self.reader.readexactly(length - pdu.HEADER.size)
                self._take(Pdu(command, status, sequence, body))
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, OSError):
            pass
        finally:
            self._lost()

    def _take(self, got: Pdu) -> None:
        if got.command_id & pdu.RESPONSE:
            answer = self.waiting.get(got.sequence)
            if answer is not None and not answer.done():
                answer.set_result(got)
        elif got.command_id == pdu.DELIVER_SM:
            self._answer(got, b"\0")
            self.on_deliver(pdu.deliver_sm(got.body))
        elif got.command_id in (pdu.ENQUIRE_LINK, pdu.UNBIND):
            self._answer(got, b"")
            if got.command_id == pdu.UNBIND:
                self.writer.close()
        else:
            self.writer.write(Pdu(pdu.GENERIC_NACK, 0x00000003, got.sequence).encode())

    def _answer(self, got: Pdu, body: bytes) -> None:
        self.writer.write(Pdu(got.command_id | pdu.RESPONSE, 0, got.sequence, body).encode())

    def _lost(self) -> None:
        self.closed = True
        for answer in self.waiting.values():
            if not answer.done():
                answer.set_exception(LinkLost("the SMSC closed the connection"))

    async def _ping(self) -> None:
        while not self.closed:
            await asyncio.sleep(self.keepalive)
            with contextlib.suppress(LinkLost, TimeoutError):
                await self.request(pdu.ENQUIRE_LINK, b"", self.keepalive)

    async def close(self) -> None:
        """Unbind politely, then close."""
        if not self.closed:
            with contextlib.suppress(LinkLost, TimeoutError, ConnectionError):
                await self.request(pdu.UNBIND, b"", 2.0)
        self.pinging.cancel()
        self.writer.close()
        with contextlib.suppress(ConnectionError, OSError):
            await self.writer.wait_closed()
        self.reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self.reading
