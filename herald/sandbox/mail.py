"""A stand-in for a mail submission server (aiosmtpd): EHLO, STARTTLS or TLS when given a certificate,
AUTH PLAIN and LOGIN with its own username and password, and the replies a real server gives — 250 with
a queue id, or the fault a test asks of an address: 550 5.1.1 no such mailbox, 451 4.7.1 try later, 554
5.7.1 refused as spam, 421 closing, or no answer to the letter at all. It checks each letter's DKIM
signature when it knows the signing domain's public key, and counts a Message-ID that comes twice."""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import dkim
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from herald.sandbox.faults import Faults

USER = "herald"
PASSWORD = "sandbox-mail-password"
ANSWERS = {
    "refuse": "550 5.1.1 <{to}>: Recipient address rejected: User unknown in virtual mailbox table",
    "busy": "451 4.7.1 <{to}>: Recipient address rejected: Greylisted, try again later",
    "spam": "554 5.7.1 Message rejected as spam",
    "broken": "421 4.3.2 Service shutting down, closing transmission channel",
}
HANG = 5.0  # seconds a letter goes unanswered (longer than the tests' timeouts)


@dataclass
class FakeMailServer:
    faults: dict[str, str] = field(default_factory=dict)  # address -> refuse | busy | spam | broken | hang
    received: dict[str, dict[str, Any]] = field(default_factory=dict)  # Message-ID -> the letter, each once
    repeats: list[str] = field(default_factory=list)  # Message-IDs that came again
    dkim_records: dict[bytes, bytes] = field(default_factory=dict)  # DNS name -> TXT record, to check DKIM
    random: Faults = field(default_factory=Faults)
    per_connection: int = 0  # letters a connection may carry before the server closes it (421); 0: any
    host: str = "127.0.0.1"
    port: int = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        if not session.authenticated:  # checked here, not by aiosmtpd, which warns when AUTH is asked without TLS
            return "530 5.7.0 Authentication required"
        if self.per_connection and getattr(session, "letters", 0) >= self.per_connection:
            asyncio.get_running_loop().call_soon(server.transport.close)
            return "421 4.7.0 Too many messages for this session, closing connection"
        envelope.mail_from, envelope.mail_options = address, options
        return "250 2.1.0 Ok"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: list) -> str:
        fault = self.faults.get(address)
        if fault in ("refuse", "busy"):
            return ANSWERS[fault].format(to=address)
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Ok"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await self.random.wait()
        to = envelope.rcpt_tos[0]
        fault = self.faults.get(to) or self.random.draw()
        if fault in ("spam", "broken", "busy"):
            return ANSWERS[fault].format(to=to)
        data: bytes = envelope.original_content or envelope.content
        session.letters = getattr(session, "letters", 0) + 1
        self._take(envelope.mail_from, to, data, id(session))
        if fault == "hang":  # taken in, but the answer never comes back in time
            await asyncio.sleep(HANG)
        return f"250 2.0.0 Ok: queued as Q{len(self.received):06d}"

    def _take(self, sender: str, to: str, data: bytes, connection: int) -> None:
        parsed = message_from_bytes(data, policy=policy.SMTP)
        assert isinstance(parsed, EmailMessage)
        reference = str(parsed["Message-ID"])
        if reference in self.received:
            self.repeats.append(reference)
            return
        text = parsed.get_body(("plain",))
        html = parsed.get_body(("html",))
        self.received[reference] = {
            "envelope_from": sender,
            "connection": connection,
            "to": to,
            "headers": {name: str(value) for name, value in parsed.items()},
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "dkim": self._dkim(data) if "DKIM-Signature" in parsed else None,
        }

    def _dkim(self, data: bytes) -> bool:
        return bool(dkim.verify(data, dnsfunc=lambda name, timeout=5: self.dkim_records.get(name)))

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
        return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(
    fake: FakeMailServer, port: int = 0, starttls: ssl.SSLContext | None = None, tls: ssl.SSLContext | None = None
) -> Iterator[FakeMailServer]:
    """Serve the stand-in until the block ends: plain (AUTH allowed without TLS, as on a private relay),
    with STARTTLS required before AUTH, or over TLS from the first byte."""
    fake.port = port or free_port()
    # aiosmtpd logs a deprecation of its own (Session.login_data) at every sign-in: not the operator's concern.
    logging.getLogger("mail.log").setLevel(logging.ERROR)
    controller = Controller(
        fake,
        hostname=fake.host,
        port=fake.port,
        ssl_context=tls,
        tls_context=starttls,
        require_starttls=starttls is not None,
        authenticator=fake.authenticate,
        auth_require_tls=starttls is not None,  # over TLS from the first byte the connection is already private
        enable_SMTPUTF8=True,
    )
    controller.start()
    try:
        yield fake
    finally:
        controller.stop()
